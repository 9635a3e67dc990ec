"""Changing a ticket: the edit form and the quick actions, with optimistic
locking. A change based on a version that is no longer the stored one is
refused with ``StaleTicketError``, which says who changed what."""

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm import journal_events as events
from itsm.common.permissions import require_agent
from itsm.common.text import person_name
from itsm.models import (
    RequiresAttention,
    Status,
    StatusReason,
    Ticket,
    WorkInfoType,
    priority_for,
)
from itsm.services.journal import journal_append, journal_event
from itsm.services.rules import (
    DEFAULT_RESOLUTION,
    EDITABLE_FIELDS,
    REOPENED_REASON_CODE,
    apply_status_rules,
    apply_template,
    check_group_change,
    check_open,
)
from itsm.services.sla import sla_follow


def stored_values(ticket: Ticket, names=EDITABLE_FIELDS) -> dict[str, str]:
    """The editable fields as the database stores them (ids for foreign keys,
    empty for none), read without queries: what a page shows and posts back
    as *seen*, and what the stale check compares."""
    values = {}
    for name in names:
        value = getattr(ticket, ticket._meta.get_field(name).attname)
        values[name] = "" if value is None else str(value)
    return values


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


def _record_changes(ticket: Ticket, before: dict, user) -> None:
    """Journal events for status, group and assignee changes."""
    if before["status"] != ticket.status or before["status_reason_id"] != ticket.status_reason_id:
        data = {"old": before["status"], "new": ticket.status, "reason": ticket.status_reason_id}
        if ticket.status == ticket.RESOLVED_STATUS and ticket.resolution:
            data["resolution"] = ticket.resolution
        journal_event(
            ticket, author=user, type=WorkInfoType.STATUS_CHANGE, event=events.STATUS, data=data
        )
    if before["assigned_group_id"] != ticket.assigned_group_id:
        journal_event(
            ticket,
            author=user,
            type=WorkInfoType.ASSIGNMENT,
            event=events.GROUP,
            data={"old": before["assigned_group_id"], "new": ticket.assigned_group_id},
        )
    if before["assignee_id"] != ticket.assignee_id:
        journal_event(
            ticket,
            author=user,
            type=WorkInfoType.ASSIGNMENT,
            event=events.ASSIGNEE,
            data={"old": before["assignee_id"], "new": ticket.assignee_id},
        )


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
    check_open(ticket)
    seen = seen or stored_values(ticket)
    if expected_version != ticket.version:
        raise StaleTicketError(current=ticket, seen=seen)
    before = _snapshot(ticket)
    # Changed on a copy: if a rule refuses the change, the caller still
    # holds the ticket as loaded and can show the page again without a query.
    edited = copy.copy(ticket)
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
    check_group_change(edited, user, before["assigned_group_id"])
    apply_status_rules(
        edited,
        previous_status=before["status"],
        previous_reason_id=before["status_reason_id"],
    )
    edited.updated_by = user
    edited.updated_at = timezone.now()
    clock_events = sla_follow(
        edited,
        previous_status=before["status"],
        previous_priority=ticket.priority,
        now=edited.updated_at,
    )

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
    ticket.__dict__.update(edited.__dict__)

    _record_changes(ticket, before, user)
    for event, data in clock_events:
        journal_event(ticket, author=user, type=WorkInfoType.GENERAL, event=event, data=data)
    if note:
        journal_append(
            ticket,
            author=user,
            type=WorkInfoType.WORK_NOTES,
            notes=note,
            requires_attention=ticket.requires_attention,
        )
    return ticket


def ticket_assign_to_me(
    *, ticket: Ticket, user, expected_version: int, seen: dict | None = None
) -> Ticket:
    fields = {"assignee": user}
    if ticket.status == Status.NEW:
        fields["status"] = Status.ASSIGNED
    return ticket_update(
        ticket=ticket, user=user, expected_version=expected_version, seen=seen, **fields
    )


def ticket_set_pending(
    *,
    ticket: Ticket,
    user,
    expected_version: int,
    status_reason: StatusReason,
    note: str = "",
    seen: dict | None = None,
) -> Ticket:
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        seen=seen,
        status=Status.PENDING,
        status_reason=status_reason,
        note=note,
    )


def ticket_resolve(
    *,
    ticket: Ticket,
    user,
    expected_version: int,
    status_reason: StatusReason,
    resolution: str = DEFAULT_RESOLUTION,
    note: str = "",
    seen: dict | None = None,
) -> Ticket:
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        seen=seen,
        status=ticket.RESOLVED_STATUS,
        status_reason=status_reason,
        resolution=resolution,
        note=note,
    )


def ticket_reopen(
    *, ticket: Ticket, user, expected_version: int, note: str = "", seen: dict | None = None
) -> Ticket:
    """A resolved ticket goes back to Asignado + *Pdte comunicación con cliente*."""
    if not ticket.can_reopen:
        raise ValidationError(_("Only a resolved ticket can be reopened."), code="not_resolved")
    reason = StatusReason.objects.filter(
        kind=ticket.KIND, status=Status.ASSIGNED, code=REOPENED_REASON_CODE
    ).first()
    return ticket_update(
        ticket=ticket,
        user=user,
        expected_version=expected_version,
        seen=seen,
        status=Status.ASSIGNED,
        status_reason=reason,
        resolution="",
        requires_attention=RequiresAttention.NONE,
        note=note,
    )
