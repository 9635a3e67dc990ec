"""Escalating a ticket that waited on the customer, or passing it to L2,
puts it back to Asignado · *Pdte comunicación con cliente*: the desk owes
the next step, so the SLA clock runs again."""

from itsm import journal_events
from itsm.models import Status
from itsm.selectors import coordination_group, specialists_group
from itsm.services.escalation import ticket_pass_to_specialists, ticket_take
from itsm.services.ticket_update import ticket_set_pending
from itsm.tests.factories import escalate_other, make_incident, make_work_order, pending_reason


def escalate(ticket, agent):
    return escalate_other(ticket, agent, "El error persiste tras borrar la caché.")


def resumptions(ticket) -> int:
    return ticket.work_info.filter(event=journal_events.SLA_RESUMED).count()


def test_escalating_a_pending_ticket_puts_it_back_to_assigned_with_its_clock_running(agent):
    ticket = make_incident(user=agent, assignee=agent)
    ticket = ticket_set_pending(
        ticket=ticket,
        user=agent,
        expected_version=ticket.version,
        status_reason=pending_reason(),
    )
    assert ticket.sla_running_since is None

    escalate(ticket, agent)

    ticket.refresh_from_db()
    assert ticket.assigned_group == coordination_group() and ticket.assignee is None
    assert ticket.status == Status.ASSIGNED
    assert ticket.status_reason.code == "reopened"
    assert ticket.sla_running_since == ticket.updated_at
    assert ticket.resolution_due_at is not None
    assert resumptions(ticket) == 1


def test_escalating_an_assigned_ticket_leaves_its_status_and_clock_alone(agent):
    ticket = make_work_order(user=agent, assignee=agent)
    running_since = ticket.sla_running_since

    escalate(ticket, agent)

    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED and ticket.status_reason is None
    assert ticket.sla_running_since is not None and ticket.sla_running_since >= running_since
    assert resumptions(ticket) == 0


def test_passing_a_pending_ticket_to_l2_puts_it_back_to_assigned_with_its_clock_running(
    agent, coordinator
):
    ticket = escalate(make_incident(user=agent), agent)
    ticket = ticket_take(ticket=ticket, user=coordinator, expected_version=ticket.version)
    ticket = ticket_set_pending(
        ticket=ticket,
        user=coordinator,
        expected_version=ticket.version,
        status_reason=pending_reason(),
    )

    ticket_pass_to_specialists(
        ticket=ticket, user=coordinator, expected_version=ticket.version, note="Para L2"
    )

    ticket.refresh_from_db()
    assert ticket.assigned_group == specialists_group() and ticket.assignee is None
    assert ticket.status == Status.ASSIGNED
    assert ticket.status_reason.code == "reopened"
    assert ticket.sla_running_since == ticket.updated_at
    assert resumptions(ticket) == 1
