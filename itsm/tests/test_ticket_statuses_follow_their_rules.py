"""Every status change of a ticket, of both kinds, follows the status rules:
reasons, resolutions, what needs the customer, reopening."""

import pytest
from django.core.exceptions import ValidationError

from incidents.models import Incident
from itsm.models import (
    RequiresAttention,
    Status,
    StatusReason,
    WorkInfoType,
)
from itsm.services.rules import DEFAULT_RESOLUTION
from itsm.services.ticket_update import (
    ticket_reopen,
    ticket_resolve,
    ticket_set_pending,
    ticket_update,
)
from itsm.tests.factories import entries, make_ticket, pend, reason, resolve
from workorders.models import WorkOrder

BOTH_KINDS = pytest.mark.parametrize("model", [Incident, WorkOrder], ids=["INC", "WO"])


# --- statuses -------------------------------------------------------------------


@BOTH_KINDS
def test_pending_sets_requires_response(agent, model):
    ticket = make_ticket(model, user=agent)

    pend(ticket, agent)

    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.requires_attention == RequiresAttention.RESPONSE


def test_pending_overrides_an_empty_requires_attention_sent_by_the_form(agent):
    ticket = make_ticket(Incident, user=agent)

    pend(ticket, agent, requires_attention=RequiresAttention.NONE)

    assert ticket.requires_attention == RequiresAttention.RESPONSE


@BOTH_KINDS
def test_resolving_defaults_the_resolution_and_clears_requires_attention(agent, model):
    ticket = make_ticket(model, user=agent)
    pend(ticket, agent)

    resolve(ticket, agent, resolution="  ")

    ticket.refresh_from_db()
    assert ticket.status == model.RESOLVED_STATUS
    assert ticket.resolution == DEFAULT_RESOLUTION == "RESUELTO"
    assert ticket.requires_attention == RequiresAttention.NONE
    assert ticket.resolved_at is not None


def test_resolving_keeps_a_notable_resolution(agent):
    ticket = make_ticket(Incident, user=agent)

    ticket_resolve(
        ticket=ticket,
        user=agent,
        expected_version=ticket.version,
        status_reason=reason(Incident, Status.RESOLVED),
        resolution="Se reinstala el certificado",
    )

    assert ticket.resolution == "Se reinstala el certificado"


def test_a_resolved_status_needs_a_reason(agent):
    ticket = make_ticket(WorkOrder, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_update(
            ticket=ticket, user=agent, expected_version=ticket.version, status=Status.COMPLETED
        )

    assert error.value.message_dict["status_reason"] == ["Elija el motivo de este estado."]


@BOTH_KINDS
def test_reopening_goes_back_to_assigned_pending_communication(agent, model):
    ticket = make_ticket(model, user=agent)
    resolve(ticket, agent)

    ticket_reopen(ticket=ticket, user=agent, expected_version=ticket.version, note="Vuelve")

    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert ticket.status_reason.name == "Pdte comunicación con cliente"
    assert ticket.resolution == ""
    assert ticket.resolved_at is None
    assert "Vuelve" in entries(ticket, WorkInfoType.WORK_NOTES)


def test_only_a_resolved_ticket_can_be_reopened(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_reopen(ticket=ticket, user=agent, expected_version=ticket.version)

    assert error.value.code == "not_resolved"


@pytest.mark.parametrize(
    ("model", "status"),
    [(Incident, Status.RESOLVED), (WorkOrder, Status.PENDING)],
    ids=["another status", "the other kind"],
)
def test_a_reason_that_is_not_one_of_the_status_and_kind_is_refused(agent, model, status):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_set_pending(
            ticket=ticket,
            user=agent,
            expected_version=ticket.version,
            status_reason=reason(model, status),
        )

    assert error.value.message_dict["status_reason"] == [
        "Este motivo no corresponde al estado elegido."
    ]
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED


def test_a_status_of_the_other_kind_is_refused(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_update(
            ticket=ticket, user=agent, expected_version=ticket.version, status=Status.COMPLETED
        )

    assert "status" in error.value.message_dict


def test_changing_status_without_a_reason_drops_the_old_reason(agent):
    ticket = make_ticket(Incident, user=agent)
    pend(ticket, agent)

    ticket_update(
        ticket=ticket, user=agent, expected_version=ticket.version, status=Status.IN_PROGRESS
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.status_reason is None


def test_an_inactive_reason_cannot_be_chosen(agent):
    ticket = make_ticket(Incident, user=agent)
    retired = reason(Incident, Status.PENDING)
    StatusReason.objects.filter(pk=retired.pk).update(active=False)
    retired.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        ticket_set_pending(
            ticket=ticket, user=agent, expected_version=ticket.version, status_reason=retired
        )

    assert "status_reason" in error.value.message_dict
