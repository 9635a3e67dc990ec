import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

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


def test_incidents_use_remedys_incident_statuses():
    with translation.override("es"):
        labels = [str(label) for _, label in Incident._meta.get_field("status").choices]

    assert labels == [
        "Nuevo",
        "Asignado",
        "En curso",
        "Pendiente",
        "Resuelto",
        "Cerrado",
        "Cancelado",
    ]
    assert Incident.RESOLVED_STATUS == Status.RESOLVED


def test_an_incident_labels_its_group_assigned_group():
    with translation.override("es"):
        assert str(Incident.GROUP_LABEL) == "Grupo asignado"
        assert str(Incident._meta.verbose_name_plural).capitalize() == "Incidencias"


def test_the_database_refuses_a_work_order_status_on_an_incident(agent):
    incident = ticket_create(
        model=Incident, user=agent, customer=CustomerFactory(), template=campaign_template("INC")
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(status=Status.COMPLETED)
