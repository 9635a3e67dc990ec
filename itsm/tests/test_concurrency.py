"""Numbers and optimistic locking when several agents work at the same time."""

import threading

import pytest
from django.db import connections

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import StaleTicketError, ticket_update
from itsm.tests.factories import campaign_template, make_ticket
from workorders.models import WorkOrder

CREATIONS = 50


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model", [Incident, WorkOrder], ids=["INC", "WO"])
def test_concurrent_creations_get_distinct_numbers(agent, model):
    customer = CustomerFactory()
    template = campaign_template(model.KIND)
    barrier = threading.Barrier(CREATIONS)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait(timeout=30)
            ticket = ticket_create(model=model, user=agent, customer=customer, template=template)
            numbers.append(ticket.number)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            # PostgreSQL cannot drop the test database while a thread's connection is open.
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(CREATIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert len(numbers) == CREATIONS
    assert len(set(numbers)) == CREATIONS
    assert sorted(numbers) == [model.format_number(n) for n in range(1, CREATIONS + 1)]
    assert model.objects.count() == CREATIONS
    # Every creation committed its opening journal entry too.
    assert model().kind.journal_model.objects.count() == CREATIONS


def test_a_stale_update_is_refused_and_the_other_agents_data_survives(agent, other_agent):
    ticket = make_ticket(Incident, user=agent)
    mine = Incident.objects.get(pk=ticket.pk)
    theirs = Incident.objects.get(pk=ticket.pk)
    ticket_update(
        ticket=theirs,
        user=other_agent,
        expected_version=theirs.version,
        summary="Cambio de agente2",
        assignee=other_agent,
    )

    with pytest.raises(StaleTicketError) as error:
        ticket_update(
            ticket=mine, user=agent, expected_version=mine.version, summary="Cambio de agente"
        )

    stored = Incident.objects.get(pk=ticket.pk)
    assert stored.summary == "Cambio de agente2"
    assert stored.assignee == other_agent
    assert stored.version == 2
    assert error.value.current.summary == "Cambio de agente2"
    assert error.value.changed_fields == ["assignee", "summary"]
    message = str(error.value)
    assert message.startswith(f"Agente2 modificó {ticket.number} a las ")
    assert "Sus cambios no se han guardado" in message


def test_an_update_posted_with_an_old_version_is_refused(agent, other_agent):
    ticket = make_ticket(WorkOrder, user=agent)
    seen_version = ticket.version
    ticket_update(
        ticket=ticket, user=other_agent, expected_version=seen_version, description="Primero"
    )
    fresh = WorkOrder.objects.get(pk=ticket.pk)

    with pytest.raises(StaleTicketError):
        ticket_update(ticket=fresh, user=agent, expected_version=seen_version, description="Yo")

    assert WorkOrder.objects.get(pk=ticket.pk).description == "Primero"
    assert fresh.work_info.count() == 1


def test_each_saved_update_bumps_the_version(agent):
    ticket = make_ticket(Incident, user=agent)

    ticket_update(ticket=ticket, user=agent, expected_version=1, summary="Uno")
    ticket_update(ticket=ticket, user=agent, expected_version=2, summary="Dos")

    assert Incident.objects.get(pk=ticket.pk).version == 3
