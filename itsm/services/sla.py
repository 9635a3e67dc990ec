"""The SLA clock: resolution targets counted in working time, paused while
the ticket is *Pendiente*, stopped when it is resolved. The due times are
stored on the ticket whenever they change, so consoles sort and filter on
columns; ``sla_mark_breaches`` (a beat task) journals breaches as they happen.

``sla_start`` and ``sla_follow`` change a ticket in memory; the services
that save the ticket call them (``ticket_create``, ``ticket_update``)."""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from itsm import events as announced
from itsm import journal_events
from itsm.kinds import all_kinds
from itsm.models import (
    Channel,
    Holiday,
    SlaTarget,
    Status,
    Ticket,
    WorkInfoType,
    WorkingHours,
    open_tickets_q,
)
from itsm.services.journal import journal_event
from itsm.working_time import BusinessCalendar, add_working_minutes, working_minutes_between

CALENDAR_KEY = "itsm:sla:calendar"
# The ticket's columns ``sla_start`` and ``sla_follow`` keep.
SLA_FIELDS = (
    "response_due_at",
    "responded_at",
    "resolution_due_at",
    "sla_warn_at",
    "sla_target_minutes",
    "sla_elapsed_minutes",
    "sla_running_since",
)
# *A punto de vencer* once this share of the target is used (under 20 % left).
WARN_SHARE = 0.8


def business_calendar() -> tuple[BusinessCalendar, dict[str, tuple[int, int]]]:
    """The calendar and the targets by priority (response, resolution), from
    the cache: every ticket write needs them."""
    cached = cache.get(CALENDAR_KEY)
    if cached is None:
        calendar = BusinessCalendar(
            timezone=timezone.get_default_timezone(),
            hours={h.weekday: (h.opens_at, h.closes_at) for h in WorkingHours.objects.all()},
            holidays=frozenset(Holiday.objects.values_list("day", flat=True)),
        )
        targets = {
            t.priority: (t.response_minutes, t.resolution_minutes) for t in SlaTarget.objects.all()
        }
        cached = (calendar, targets)
        cache.set(CALENDAR_KEY, cached, settings.ITSM_REFERENCE_CACHE_SECONDS)
    return cached


def clear_business_calendar() -> None:
    cache.delete(CALENDAR_KEY)


def _clock_runs(ticket: Ticket) -> bool:
    return ticket.status not in (Status.PENDING, ticket.RESOLVED_STATUS, *ticket.FINISHED_STATUSES)


def _run(ticket: Ticket, calendar: BusinessCalendar, now: datetime) -> None:
    target = ticket.sla_target_minutes
    ticket.sla_running_since = now
    if target is None:
        ticket.resolution_due_at = ticket.sla_warn_at = None
        return
    used = ticket.sla_elapsed_minutes
    ticket.resolution_due_at = add_working_minutes(calendar, now, max(target - used, 0))
    ticket.sla_warn_at = add_working_minutes(calendar, now, max(target * WARN_SHARE - used, 0))


def _stop(ticket: Ticket, calendar: BusinessCalendar, now: datetime) -> None:
    if ticket.sla_running_since is not None:
        ticket.sla_elapsed_minutes += working_minutes_between(
            calendar, ticket.sla_running_since, now
        )
    ticket.sla_running_since = None
    ticket.resolution_due_at = ticket.sla_warn_at = None


def sla_start(ticket: Ticket, *, now: datetime) -> None:
    """A new ticket's targets and due times."""
    calendar, targets = business_calendar()
    response, resolution = targets.get(ticket.priority, (None, None))
    ticket.sla_target_minutes = resolution
    ticket.sla_elapsed_minutes = 0
    if ticket.assignee_id is not None or ticket.status != Status.NEW:
        ticket.responded_at = now
    elif response is not None:
        ticket.response_due_at = add_working_minutes(calendar, now, response)
    if _clock_runs(ticket):
        _run(ticket, calendar, now)


def sla_follow(
    ticket: Ticket, *, previous_status: str, previous_priority: str, now
) -> list[tuple[str, dict]]:
    """Keep the clock in step with a change; returns the journal events it
    makes (a pause or a resumption), as ``(event, data)``."""
    calendar, targets = business_calendar()
    events = []
    if ticket.responded_at is None and (ticket.assignee_id or ticket.status != Status.NEW):
        ticket.responded_at = now
    was_running = ticket.sla_running_since is not None
    runs = _clock_runs(ticket)
    if ticket.priority != previous_priority:
        ticket.sla_target_minutes = targets.get(ticket.priority, (None, None))[1]
    if was_running:
        _stop(ticket, calendar, now)
        if ticket.status == Status.PENDING and previous_status != Status.PENDING:
            events.append((journal_events.SLA_PAUSED, {}))
    if runs:
        _run(ticket, calendar, now)
        # Back from waiting on the customer, or reopened once resolved.
        if previous_status in (Status.PENDING, ticket.RESOLVED_STATUS) and not was_running:
            due = ticket.resolution_due_at
            events.append((journal_events.SLA_RESUMED, {"due": due.isoformat() if due else None}))
    return events


# What the sweep marks: (the column marked, the due time, what must still
# hold, the journal event). Each is served by its partial index
# (*_breach_todo_idx, *_response_todo_idx).
BREACHES = (
    ("sla_breached_at", "resolution_due_at", {}, journal_events.SLA_BREACHED),
    (
        "response_breached_at",
        "response_due_at",
        {"responded_at__isnull": True},
        journal_events.SLA_RESPONSE_BREACHED,
    ),
)
# Which target each breach misses, as the sla.breached event names it.
BREACHED_TARGET = {"sla_breached_at": "resolution", "response_breached_at": "response"}


def sla_mark_breaches(*, now: datetime | None = None, batch: int = 500) -> int:
    """Open tickets past their first-response or resolution due time, not
    yet marked: mark each one once (a conditional update) and journal it."""
    now = now or timezone.now()
    marked = 0
    for kind in all_kinds():
        for marked_field, due_field, still, event in BREACHES:
            pending = {f"{marked_field}__isnull": True, **still}
            due = (
                kind.model.objects.filter(open_tickets_q(), **pending, **{f"{due_field}__lte": now})
                .order_by(due_field)
                .values_list("pk", due_field)[:batch]
            )
            for pk, due_at in due:
                with transaction.atomic():
                    claimed = kind.model.objects.filter(pk=pk, **pending).update(
                        **{marked_field: due_at}
                    )
                    if not claimed:
                        continue
                    ticket = kind.model.objects.get(pk=pk)
                    journal_event(
                        ticket,
                        author=None,
                        type=WorkInfoType.STATUS_CHANGE,
                        event=event,
                        data={"due": due_at.isoformat()},
                        channel=Channel.SYSTEM,
                    )
                    announced.publish(
                        announced.SLA_BREACHED,
                        ticket=ticket,
                        target=BREACHED_TARGET[marked_field],
                        due_at=due_at,
                    )
                    marked += 1
    return marked
