"""Changing a ticket: the edit form, the quick actions and what the desk
does by itself (a customer's reply), with optimistic locking. Every change
of a ticket's fields goes through ``_change``, which applies the status
rules, the SLA clock, the version and the journal. A change based on a
version that is no longer the stored one is refused with
``StaleTicketError``, which says who changed what."""

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm import events as announced
from itsm import journal_events as events
from itsm.common.permissions import require_agent
from itsm.common.text import person_name
from itsm.models import (
    Channel,
    RequiresAttention,
    Status,
    StatusReason,
    Ticket,
    WorkInfoType,
    priority_for,
)
from itsm.selectors import reopened_reason, stored_values
from itsm.services.journal import journal_append, journal_event
from itsm.services.rules import (
    DEFAULT_RESOLUTION,
    EDITABLE_FIELDS,
    apply_status_rules,
    apply_template,
    check_assignee,
    check_group_change,
    check_open,
)
from itsm.services.sla import sla_follow


class StaleTicketError(Exception):
    """The ticket changed since the user loaded it. ``current`` is the ticket
    as stored now and ``changed_fields`` what someone else changed in it
    since what the user saw."""

    def __init__(self, *, current: Ticket, seen: dict[str, str]) -> None:
        self.current = current
        now = stored_values(current, seen.keys())
        self.changed_fields = sorted(name for name, value in seen.items() if now[name] != value)
        super().__init__(
            _(
                "%(who)s changed %(number)s at %(when)s while you were editing it. "
                "Your changes have not been saved; review them and save again."
            )
            % {
                "who": person_name(current.updated_by),
                "number": current.number,
                "when": timezone.localtime(current.updated_at).strftime("%H:%M:%S"),
            }
        )


# The assignment fields and the journal event that records a change of each.
ASSIGNMENT_EVENTS = (("assigned_group_id", events.GROUP), ("assignee_id", events.ASSIGNEE))


def _record_changes(ticket: Ticket, before: dict, user, cause: dict, channel: str) -> None:
    """Journal events for status, group and assignee changes; ``cause`` adds
    what made the system change the status by itself (``{"email": id}``)."""
    if before["status"] != ticket.status or before["status_reason_id"] != ticket.status_reason_id:
        data = {"old": before["status"], "new": ticket.status, "reason": ticket.status_reason_id}
        data.update(cause)
        if ticket.status == ticket.RESOLVED_STATUS and ticket.resolution:
            data["resolution"] = ticket.resolution
        _journal_events(ticket, user, WorkInfoType.STATUS_CHANGE, [(events.STATUS, data)], channel)
        announced.publish(
            announced.TICKET_STATUS_CHANGED,
            ticket=ticket,
            old_status=before["status"],
            old_status_reason=before["status_reason_id"],
        )
    moves = [
        (event, {"old": before[attname], "new": getattr(ticket, attname)})
        for attname, event in ASSIGNMENT_EVENTS
        if before[attname] != getattr(ticket, attname)
    ]
    _journal_events(ticket, user, WorkInfoType.ASSIGNMENT, moves, channel)


def _journal_events(ticket: Ticket, author, type: str, entries: list, channel: str) -> None:
    """One journal event of ``type`` per ``(event, data)`` of ``entries``."""
    for event, data in entries:
        journal_event(ticket, author=author, type=type, event=event, data=data, channel=channel)


def _snapshot(ticket: Ticket) -> dict:
    return {
        "status": ticket.status,
        "status_reason_id": ticket.status_reason_id,
        "assigned_group_id": ticket.assigned_group_id,
        "assignee_id": ticket.assignee_id,
    }


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    user,
    expected_version: int,
    seen: dict[str, str] | None = None,
    note: str = "",
    channel: str = Channel.WEB,
    **fields,
) -> Ticket:
    """Change sections 2–4 of a ticket, refusing a change based on a stale
    version. ``seen`` is what the user's page showed (``stored_values``);
    without it, ``ticket`` as loaded is what the user saw. ``ticket`` is
    changed in place only when the change is saved: after a refusal it is
    still the ticket as loaded, and the page can be shown again from it."""
    require_agent(user)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"ticket_update() got unexpected fields: {sorted(unknown)}")
    return _change(
        ticket,
        author=user,
        expected_version=expected_version,
        seen=seen,
        note=note,
        fields=fields,
        channel=channel,
    )


def _change(
    ticket: Ticket,
    *,
    author,
    expected_version: int,
    seen: dict[str, str] | None,
    fields: dict,
    note: str = "",
    cause: dict | None = None,
    channel: str,
) -> Ticket:
    """The one write of a ticket's fields. ``author`` is None for what the
    system does by itself: it then keeps the ticket's *updated by*."""
    check_open(ticket)
    seen = seen or stored_values(ticket, EDITABLE_FIELDS)
    if expected_version != ticket.version:
        raise StaleTicketError(current=ticket, seen=seen)
    before = _snapshot(ticket)
    # Changed on a copy: if a rule refuses the change, the caller still
    # holds the ticket as loaded and can show the page again without a query.
    edited = copy.copy(ticket)
    _set_fields(edited, dict(fields))
    _check_rules(edited, author, before)
    if author is not None:
        edited.updated_by = author
    edited.updated_at = timezone.now()
    clock_events = sla_follow(
        edited,
        previous_status=before["status"],
        previous_priority=ticket.priority,
        now=edited.updated_at,
    )

    _save(edited, expected_version=expected_version, seen=seen)
    changed = _changed_fields(ticket, edited)
    ticket.__dict__.update(edited.__dict__)
    announced.publish(announced.TICKET_UPDATED, ticket=ticket, changed=changed)

    _record_changes(ticket, before, author, cause or {}, channel)
    _journal_clock_and_note(ticket, author, clock_events, note, channel)
    return ticket


def _check_rules(edited: Ticket, author, before: dict) -> None:
    """The group, assignee and status rules on the edited copy."""
    check_group_change(edited, author, before["assigned_group_id"])
    check_assignee(
        edited,
        previous_group_id=before["assigned_group_id"],
        previous_assignee_id=before["assignee_id"],
    )
    apply_status_rules(
        edited,
        previous_status=before["status"],
        previous_reason_id=before["status_reason_id"],
    )


def _journal_clock_and_note(
    ticket: Ticket, author, clock_events: list, note: str, channel: str
) -> None:
    """What a change adds to the journal besides its field events: the SLA
    clock's pauses and resumptions, and the note typed with it."""
    _journal_events(ticket, author, WorkInfoType.GENERAL, clock_events, channel)
    if note:
        journal_append(
            ticket,
            author=author,
            type=WorkInfoType.WORK_NOTES,
            notes=note,
            requires_attention=ticket.requires_attention,
            channel=channel,
        )


# Fields every save moves: a change of them alone is no change worth announcing.
_BOOKKEEPING = frozenset({"version", "updated_at", "updated_by"})


def _changed_fields(ticket: Ticket, edited: Ticket) -> list[str]:
    """The names of the fields ``edited`` changed, compared in memory."""
    return [
        field.name
        for field in ticket._meta.concrete_fields
        if field.name not in _BOOKKEEPING
        and getattr(ticket, field.attname) != getattr(edited, field.attname)
    ]


def _set_fields(edited: Ticket, fields: dict) -> None:
    if "status" in fields and fields["status"] != edited.status and "status_reason" not in fields:
        # A reason belongs to one status: a new status without a reason starts without one.
        fields["status_reason"] = None
    if "template" in fields:
        template = fields.pop("template")
        if template is None:
            edited.template = None
        elif template.pk != edited.template_id:
            apply_template(edited, template)
    for name, value in fields.items():
        setattr(edited, name, value)
    edited.priority = priority_for(edited.impact, edited.urgency)


def _save(edited: Ticket, *, expected_version: int, seen: dict[str, str]) -> None:
    """Store the changed ticket and bump its version, unless someone else
    saved it since ``expected_version``."""
    values = {
        field.attname: getattr(edited, field.attname)
        for field in edited._meta.concrete_fields
        if field.name not in ("id", "number", "created_at", "created_by", "version", "customer")
    }
    saved = (
        type(edited)
        .objects.filter(pk=edited.pk, version=expected_version)
        .update(version=F("version") + 1, **values)
    )
    if not saved:
        current = type(edited).objects.select_related("updated_by").get(pk=edited.pk)
        raise StaleTicketError(current=current, seen=seen)
    edited.version = expected_version + 1


def back_to_desk_fields(ticket: Ticket) -> dict:
    """A ticket that waited on the customer (Pendiente) or was resolved goes
    back to Asignado · *Pdte comunicación con cliente* when the desk owes the
    next step again: the clock runs and the reason says it needs our action.
    Empty for a ticket already in the desk's hands."""
    if ticket.status not in (Status.PENDING, ticket.RESOLVED_STATUS):
        return {}
    return {
        "status": Status.ASSIGNED,
        "status_reason": reopened_reason(ticket.KIND),
        "resolution": "",
    }


@transaction.atomic
def ticket_customer_replied(
    *, ticket: Ticket, email_id: int, author=None, channel: str = Channel.MAIL
) -> Ticket:
    """The customer wrote (message ``email_id``): the ticket requires a
    response and, if it waited on the customer or was resolved, goes back
    to the desk (``back_to_desk_fields``). The caller holds the row locked,
    so the change is based on the version it read."""
    return _change(
        ticket,
        author=author,
        expected_version=ticket.version,
        seen=None,
        fields={**back_to_desk_fields(ticket), "requires_attention": RequiresAttention.RESPONSE},
        cause={"email": email_id},
        channel=channel,
    )


# The quick actions: one change each, through ticket_update. ``change`` is
# the rest of what ticket_update takes: ``user`` and ``expected_version``,
# and optionally ``seen`` and a ``note``.


def ticket_assign_to_me(*, ticket: Ticket, user, **change) -> Ticket:
    fields = {"assignee": user}
    if ticket.status == Status.NEW:
        fields["status"] = Status.ASSIGNED
    return ticket_update(ticket=ticket, user=user, **fields, **change)


def ticket_set_pending(*, ticket: Ticket, status_reason: StatusReason, **change) -> Ticket:
    return ticket_update(
        ticket=ticket, status=Status.PENDING, status_reason=status_reason, **change
    )


def ticket_resolve(
    *,
    ticket: Ticket,
    status_reason: StatusReason,
    resolution: str = DEFAULT_RESOLUTION,
    **change,
) -> Ticket:
    status = ticket.RESOLVED_STATUS
    return ticket_update(
        ticket=ticket, status=status, status_reason=status_reason, resolution=resolution, **change
    )


def ticket_reopen(*, ticket: Ticket, **change) -> Ticket:
    """A resolved ticket goes back to Asignado + *Pdte comunicación con cliente*."""
    if not ticket.can_reopen:
        raise ValidationError(_("Only a resolved ticket can be reopened."), code="not_resolved")
    fields = {**back_to_desk_fields(ticket), "requires_attention": RequiresAttention.NONE}
    return ticket_update(ticket=ticket, **fields, **change)
