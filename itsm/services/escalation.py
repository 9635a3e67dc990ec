"""Escalation to coordination and what coordinators do with it."""

from django.utils.translation import gettext as _

from itsm.models import Status, Ticket
from itsm.permissions import require_coordinator
from itsm.selectors import agent_default_group, coordination_group, specialists_group
from itsm.services.rules import field_error
from itsm.services.ticket_update import ticket_update


def ticket_escalate(
    *, ticket: Ticket, user, expected_version: int, note: str, seen: dict | None = None
) -> Ticket:
    """Send the ticket to the coordination group with the data it needs."""
    if not note.strip():
        raise field_error(
            "note", _("Write what the coordinator needs to know."), code="note_required"
        )
    fields = {"assigned_group": coordination_group(), "assignee": None}
    if ticket.status in (Status.NEW, ticket.RESOLVED_STATUS):
        fields["status"] = Status.ASSIGNED
        fields["status_reason"] = None
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        seen=seen,
        note=note,
        **fields,
    )


def ticket_pass_to_specialists(
    *, ticket: Ticket, user, expected_version: int, note: str, seen: dict | None = None
) -> Ticket:
    require_coordinator(user)
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        seen=seen,
        assigned_group=specialists_group(),
        assignee=None,
        note=note,
    )


def ticket_return_to_agent(
    *, ticket: Ticket, user, expected_version: int, note: str, seen: dict | None = None
) -> Ticket:
    """A coordinator sends an escalated ticket back to the agent who escalated it
    (or the creator), in the agents' default group."""
    require_coordinator(user)
    if not note.strip():
        raise field_error("note", _("Tell the agent what to do next."), code="note_required")
    agent = ticket.created_by
    group = agent_default_group(agent) or ticket.assigned_group
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        seen=seen,
        assigned_group=group,
        assignee=agent,
        note=note,
    )
