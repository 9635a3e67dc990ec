from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import Status
from itsm.services.ticket_create import ticket_create
from itsm.tests.factories import campaign_template


def test_incident_create_opens_an_incident_in_the_agents_group(agent):
    incident = ticket_create(
        model=Incident, user=agent, customer=CustomerFactory(), template=campaign_template("INC")
    )

    assert isinstance(incident, Incident)
    assert incident.number == "INC000000000001"
    assert incident.status == Status.ASSIGNED
    assert incident.assigned_group.name == "L1 CAMPAÑA LIBROS/CUENTAS"
    assert incident.created_by == agent
