"""A closed ticket refuses changes, and every change of a ticket is written
to its journal, for both kinds."""

import pytest
from django.core.exceptions import ValidationError

from incidents.models import Incident
from itsm.models import (
    Status,
    SupportGroup,
    WorkInfoType,
)
from itsm.presenters import entry_text
from itsm.services.journal import work_info_add
from itsm.services.ticket_update import (
    ticket_reopen,
    ticket_update,
)
from itsm.tests.factories import entries, make_ticket, pend
from workorders.models import WorkOrder

BOTH_KINDS = pytest.mark.parametrize("model", [Incident, WorkOrder], ids=["INC", "WO"])


# --- closed tickets -----------------------------------------------------------


def close(ticket, status=Status.CLOSED):
    type(ticket).objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize("status", [Status.CLOSED, Status.CANCELLED])
def test_a_closed_ticket_cannot_be_changed(agent, status):
    ticket = close(make_ticket(Incident, user=agent), status)

    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, summary="Otro")

    assert error.value.code == "ticket_closed"
    ticket.refresh_from_db()
    assert ticket.summary != "Otro"


def test_a_closed_ticket_takes_no_work_info(agent):
    ticket = close(make_ticket(WorkOrder, user=agent))
    count = ticket.work_info.count()

    with pytest.raises(ValidationError):
        work_info_add(ticket=ticket, user=agent, notes="Tarde")

    assert ticket.work_info.count() == count


def test_a_closed_ticket_cannot_be_reopened(agent):
    ticket = close(make_ticket(Incident, user=agent))

    with pytest.raises(ValidationError):
        ticket_reopen(ticket=ticket, user=agent, expected_version=ticket.version)


def test_a_rejected_work_order_is_closed_for_good(agent):
    ticket = close(make_ticket(WorkOrder, user=agent), Status.REJECTED)

    assert ticket.is_closed
    assert not WorkOrder.objects.filter(pk=ticket.pk).open().exists()


# --- journal of changes -------------------------------------------------------


def test_creating_a_ticket_writes_the_opening_entry_and_the_first_notes(agent):
    ticket = make_ticket(Incident, user=agent, work_info_notes="El usuario no puede firmar")

    status_entries = entries(ticket, WorkInfoType.STATUS_CHANGE)
    assert len(status_entries) == 1
    assert "L1 CAMPAÑA LIBROS/CUENTAS" in status_entries[0]
    assert entries(ticket, WorkInfoType.WORK_NOTES) == ["El usuario no puede firmar"]


def test_a_status_change_writes_a_journal_entry(agent):
    ticket = make_ticket(Incident, user=agent)

    pend(ticket, agent, "Requiere acción del cliente")

    last = ticket.work_info.filter(type=WorkInfoType.STATUS_CHANGE).latest("pk")
    assert entry_text(last) == "Estado: Asignado → Pendiente (Requiere acción del cliente)"
    assert last.author == agent


def test_an_assignee_change_writes_a_journal_entry(agent, other_agent):
    ticket = make_ticket(Incident, user=agent, assignee=agent)

    ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, assignee=other_agent)

    last = ticket.work_info.filter(type=WorkInfoType.ASSIGNMENT).latest("pk")
    assert entry_text(last) == "Usuario asignado: Agente → Agente2"


def test_a_group_change_writes_a_journal_entry(agent, reference):
    ticket = make_ticket(WorkOrder, user=agent)
    coordination = SupportGroup.objects.get(is_coordination=True)

    ticket_update(
        ticket=ticket, user=agent, expected_version=ticket.version, assigned_group=coordination
    )

    last = ticket.work_info.filter(type=WorkInfoType.ASSIGNMENT).latest("pk")
    assert entry_text(last) == (
        "Grupo: L1 CAMPAÑA LIBROS/CUENTAS → L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS"
    )


def test_a_change_of_other_fields_writes_no_status_entry(agent):
    ticket = make_ticket(Incident, user=agent)
    count = ticket.work_info.count()

    ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, summary="Otro")

    assert ticket.work_info.count() == count
    assert ticket.version == 2


def test_work_info_needs_notes_or_a_file(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        work_info_add(ticket=ticket, user=agent, notes="   ")

    assert error.value.message_dict["notes"] == ["Escriba las notas de esta entrada."]
