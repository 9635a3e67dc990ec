"""Merging a duplicate ticket into another (*Fusionar en…*) and undoing it
(*Deshacer fusión*).

Nothing is copied: the merged ticket is closed with the reason *Fusionada*
and points at its target (``merged_into``); the target's history reads the
entries of both (``itsm.selectors.history_entries``), so the append-only
journal is never rewritten. Its relations and escalation packet move to the
target, which keeps the earliest creation and first response and adds up
the time spent. A ``TicketMerge`` row keeps both tickets as they were before
and the target as the merge left it; undoing puts back what nobody changed
since."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm import events as announced
from itsm import journal_events as events
from itsm.common.permissions import require_agent, require_coordinator
from itsm.common.text import person_name
from itsm.models import (
    Channel,
    EscalationPacket,
    Relation,
    RequiresAttention,
    Status,
    StatusReason,
    Ticket,
    TicketMerge,
    WorkInfoType,
)
from itsm.selectors import ticket_get_by_number
from itsm.services.journal import journal_event
from itsm.services.rules import check_open, field_error
from itsm.services.sla import sla_follow

# The reason a merged ticket is closed with (reference data, one per kind).
MERGED_REASON_CODE = "merged"
# How many tickets one request may merge (the console's selection).
MAX_MERGE_SOURCES = 10
# What the merge sets on the target for the SLA: the earliest of both.
EARLIEST_FIELDS = ("created_at", "responded_at", "response_due_at")


class OtherCustomerError(ValidationError):
    """The two tickets belong to different customers: the caller confirms."""


def _refuse(message: str, code: str) -> ValidationError:
    return field_error("target", message, code=code)


def merged_reason(kind: str) -> StatusReason:
    reason = StatusReason.objects.filter(
        kind=kind, status=Status.CLOSED, code=MERGED_REASON_CODE
    ).first()
    if reason is None:
        raise ValidationError(
            _("The status reason for merged tickets is missing: ask an administrator."),
            code="merged_reason_missing",
        )
    return reason


def _locked(number: str) -> Ticket | None:
    ticket = ticket_get_by_number(number)
    if ticket is None:
        return None
    return type(ticket).objects.select_for_update().select_related("customer").get(pk=ticket.pk)


def _check_pair(source: Ticket, target: Ticket, *, confirm_other_customer: bool) -> None:
    """Who may be merged into whom: both open, neither merged, no chain."""
    check_open(source)
    if source.number == target.number:
        raise _refuse(_("A ticket cannot be merged into itself."), "merge_into_itself")
    if target.is_merged:
        raise _refuse(
            _("%(number)s was merged into %(other)s: merge into %(other)s instead.")
            % {"number": target.number, "other": target.merged_into},
            "target_merged",
        )
    if target.is_closed:
        raise _refuse(
            _("%(number)s is closed: a closed ticket cannot receive a merge.")
            % {"number": target.number},
            "target_closed",
        )
    if TicketMerge.objects.filter(target_number=source.number, undone_at__isnull=True).exists():
        raise _refuse(
            _("Other tickets were merged into %(number)s: merge %(target)s into it instead.")
            % {"number": source.number, "target": target.number},
            "source_is_target",
        )
    if source.customer_id != target.customer_id and not confirm_other_customer:
        raise OtherCustomerError(
            {
                "target": ValidationError(
                    _(
                        "%(source)s is from %(a)s and %(target)s from %(b)s: "
                        "confirm to merge tickets of different customers."
                    )
                    % {
                        "source": source.number,
                        "a": source.customer,
                        "target": target.number,
                        "b": target.customer,
                    },
                    code="other_customer",
                )
            }
        )


# --- what the merge stores to undo itself ---------------------------------------


def _stored_fields(ticket: Ticket) -> list:
    return [f for f in ticket._meta.concrete_fields if not f.generated and not f.primary_key]


def _dump(ticket: Ticket) -> dict:
    values = {}
    for field in _stored_fields(ticket):
        value = getattr(ticket, field.attname)
        values[field.attname] = value.isoformat() if isinstance(value, datetime) else value
    return values


def _load(ticket: Ticket, values: dict) -> None:
    for field in _stored_fields(ticket):
        if field.attname in values:
            value = values[field.attname]
            setattr(ticket, field.attname, None if value is None else field.to_python(value))


def _store(ticket: Ticket, *, names: list[str] | None = None) -> None:
    """Write ``ticket``'s fields as they are in memory (all, or ``names``).
    The caller holds the row locked."""
    fields = _stored_fields(ticket)
    values = {f.attname: getattr(ticket, f.attname) for f in fields if f.name != "number"}
    if names is not None:
        values = {key: value for key, value in values.items() if key in names}
    type(ticket).objects.filter(pk=ticket.pk).update(**values)


def _relations_of(number: str):
    return Relation.objects.filter(Q(source_number=number) | Q(target_number=number))


def _move_rows(source: Ticket, target: Ticket) -> dict:
    """Relations and the escalation packet go with the source to the target:
    those the target can take (not a relation between both, not one the
    target already has, not a packet when it has one). Returns what moved, as
    it was."""
    taken = {r.other_number(target.number) for r in _relations_of(target.number)}
    moved = []
    for relation in _relations_of(source.number).order_by("pk"):
        other = relation.other_number(source.number)
        if other == target.number or other in taken:
            continue
        moved.append([relation.pk, relation.source_number, relation.target_number])
        side = "source_number" if relation.source_number == source.number else "target_number"
        Relation.objects.filter(pk=relation.pk).update(**{side: target.number})
        taken.add(other)
    packet = None
    if not EscalationPacket.objects.filter(ticket_number=target.number).exists():
        packet = EscalationPacket.objects.filter(ticket_number=source.number).first()
        if packet is not None:
            EscalationPacket.objects.filter(pk=packet.pk).update(ticket_number=target.number)
    return {"relations": moved, "packet": packet.pk if packet else None}


def _move_rows_back(source_number: str, target_number: str, moved: dict) -> None:
    for pk, was_source, was_target in moved["relations"]:
        _relations_of(target_number).filter(pk=pk).update(
            source_number=was_source, target_number=was_target
        )
    if moved["packet"] is not None:
        EscalationPacket.objects.filter(pk=moved["packet"], ticket_number=target_number).update(
            ticket_number=source_number
        )


# --- merge -------------------------------------------------------------------------


def _close_as_merged(source: Ticket, target: Ticket, *, user, now) -> None:
    previous_status = source.status
    source.status = Status.CLOSED
    source.status_reason = merged_reason(source.KIND)
    source.requires_attention = RequiresAttention.NONE
    source.closed_at = now
    source.merged_into = target.number
    sla_follow(source, previous_status=previous_status, previous_priority=source.priority, now=now)
    _touch(source, user=user, now=now)


def _absorb(target: Ticket, source: Ticket, *, user, now) -> None:
    """The target keeps the earliest creation and first response (its SLA
    counts from the first contact) and adds the time spent on the source."""
    for name in EARLIEST_FIELDS:
        values = [v for v in (getattr(target, name), getattr(source, name)) if v is not None]
        setattr(target, name, min(values) if values else None)
    target.time_spent_seconds += source.time_spent_seconds
    _touch(target, user=user, now=now)


def _touch(ticket: Ticket, *, user, now) -> None:
    ticket.updated_at = now
    ticket.updated_by = user
    ticket.version += 1


@transaction.atomic
def ticket_merge(
    *,
    source: Ticket,
    target_number: str,
    user,
    confirm_other_customer: bool = False,
    channel: str = Channel.WEB,
) -> TicketMerge:
    """*Fusionar en…*: ``source`` is closed as merged into the ticket
    ``target_number`` (any kind). Any agent may merge two open tickets;
    tickets of different customers only with ``confirm_other_customer``."""
    require_agent(user)
    target = _locked(target_number)
    if target is None:
        raise _refuse(
            _("There is no ticket %(number)s.") % {"number": target_number}, "unknown_ticket"
        )
    source = _locked(source.number)
    _check_pair(source, target, confirm_other_customer=confirm_other_customer)
    old_status = (source.status, source.status_reason_id)
    snapshot = {"source": _dump(source), "target": _dump(target)}
    now = timezone.now()
    # The target takes the source's times as they were, before closing
    # starts the source's first-response clock.
    _absorb(target, source, user=user, now=now)
    _close_as_merged(source, target, user=user, now=now)
    snapshot["moved"] = _move_rows(source, target)
    snapshot["target_after"] = _dump(target)
    _store(source)
    _store(target)
    merge = TicketMerge.objects.create(
        source_number=source.number,
        target_number=target.number,
        merged_at=now,
        merged_by=user,
        snapshot=snapshot,
    )
    _journal_both(source, target, user=user, channel=channel, merged=True, old_status=old_status)
    return merge


def tickets_merge(
    *,
    sources: list[Ticket],
    target_number: str,
    user,
    confirm_other_customer: bool = False,
    channel: str = Channel.WEB,
) -> list[TicketMerge]:
    """A console selection merged into one target, all or none; the target
    itself, if selected too, is left out."""
    if len(sources) > MAX_MERGE_SOURCES:
        raise ValidationError(
            _("Merge at most %(max)d tickets at once.") % {"max": MAX_MERGE_SOURCES},
            code="too_many",
        )
    wanted = target_number.strip().upper()
    others = [source for source in sources if source.number != wanted]
    if not others:
        raise _refuse(_("A ticket cannot be merged into itself."), "merge_into_itself")
    with transaction.atomic():
        return [
            ticket_merge(
                source=source,
                target_number=wanted,
                user=user,
                confirm_other_customer=confirm_other_customer,
                channel=channel,
            )
            for source in others
        ]


def _journal_both(
    source: Ticket, target: Ticket, *, user, channel: str, merged: bool, old_status: tuple
) -> None:
    """The one event on each side, and what the desk announces of both (the
    source's status changed; the target's SLA times and time spent)."""
    for ticket, other, event in (
        (source, target, events.MERGED_INTO if merged else events.MERGE_UNDONE),
        (target, source, events.MERGED_FROM if merged else events.MERGE_UNDONE),
    ):
        data = {"number": other.number}
        if not merged and ticket is target:
            data["target"] = True
        journal_event(
            ticket, author=user, type=WorkInfoType.GENERAL, event=event, data=data, channel=channel
        )
    announced.publish(
        announced.TICKET_STATUS_CHANGED,
        ticket=source,
        old_status=old_status[0],
        old_status_reason=old_status[1],
    )
    for ticket, changed in (
        (source, ["status", "status_reason", "closed_at", "merged_into"]),
        (target, [*EARLIEST_FIELDS, "time_spent_seconds"]),
    ):
        announced.publish(announced.TICKET_UPDATED, ticket=ticket, changed=changed)


# --- undo ----------------------------------------------------------------------------


def live_merge(source_number: str) -> TicketMerge | None:
    """The merge that keeps ``source_number`` merged, if it is."""
    return (
        TicketMerge.objects.select_related("merged_by")
        .filter(source_number=source_number, undone_at__isnull=True)
        .first()
    )


def undo_deadline(merge: TicketMerge) -> datetime:
    return merge.merged_at + timedelta(days=settings.ITSM_MERGE_UNDO_DAYS)


def _restore_target(target: Ticket, snapshot: dict, source_time: int) -> None:
    """Each field the way it was before the merge unless it changed since
    (a later edit, a call's time, a new entry's *Actualizada*): those keep
    their new value, the time spent without the merged ticket's share."""
    before, after, current = snapshot["target"], snapshot["target_after"], _dump(target)
    _load(target, {name: before[name] for name in before if current[name] == after[name]})
    if current["time_spent_seconds"] != after["time_spent_seconds"]:
        target.time_spent_seconds = max(target.time_spent_seconds - source_time, 0)
    if current["version"] != after["version"]:
        target.version += 1
    _store(target)


@transaction.atomic
def ticket_merge_undo(*, source: Ticket, user, channel: str = Channel.WEB) -> Ticket:
    """*Deshacer fusión*: a coordinator brings both tickets back as they were
    before the merge, within ``ITSM_MERGE_UNDO_DAYS``. Entries written since
    stay on the ticket they were written on."""
    require_coordinator(user)
    merge = TicketMerge.objects.select_for_update().filter(
        source_number=source.number, undone_at__isnull=True
    )
    merge = merge.first()
    if merge is None:
        raise ValidationError(
            _("%(number)s is not merged.") % {"number": source.number}, code="not_merged"
        )
    now = timezone.now()
    if now > undo_deadline(merge):
        raise ValidationError(
            _("This merge is more than %(days)d days old and can no longer be undone.")
            % {"days": settings.ITSM_MERGE_UNDO_DAYS},
            code="undo_too_late",
        )
    source = _locked(merge.source_number)
    target = _locked(merge.target_number)
    old_status = (source.status, source.status_reason_id)
    snapshot = merge.snapshot
    _load(source, snapshot["source"])
    _store(source)
    _restore_target(target, snapshot, source.time_spent_seconds)
    _move_rows_back(source.number, target.number, snapshot["moved"])
    TicketMerge.objects.filter(pk=merge.pk).update(undone_at=now, undone_by=user)
    _journal_both(source, target, user=user, channel=channel, merged=False, old_status=old_status)
    return source


def merge_summary(merge: TicketMerge) -> dict[str, str]:
    """What a page says of a live merge: by whom, when, until when it can be undone."""
    return {
        "by": person_name(merge.merged_by),
        "at": timezone.localtime(merge.merged_at).strftime("%d/%m/%Y %H:%M"),
        "until": timezone.localtime(undo_deadline(merge)).strftime("%d/%m/%Y"),
    }
