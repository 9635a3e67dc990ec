"""The core's sources for the customer page (``itsm.customer_timeline``): the
customer's tickets of every registered kind, opened and resolved, and their
escalations to coordination; the ticket figures of the page header.

Each kind's tickets are read with the index ``<prefix>_customer_status_idx``
(customer first): a customer has hundreds of tickets at most, so the page
costs the same at a million tickets as at a thousand."""

from datetime import timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm.common.statements import Statement
from itsm.customer_timeline import (
    CustomerFigure,
    CustomerSource,
    SourceSummary,
    TimelineItem,
    TimelineKey,
    register_customer_source,
    seek,
)
from itsm.kinds import all_kinds, kind_for_code
from itsm.models import EscalationPacket
from itsm.models.choices import OPEN_STATUSES

RECENT_DAYS = 365


def customer_ticket_numbers(customer: Customer) -> QuerySet | list:
    """The numbers of the customer's tickets of every kind, as one subquery
    (a UNION ALL of one per kind): what mail and escalations, which name
    tickets by number, are matched with. One ``IN`` over it lets PostgreSQL
    join through the table's ticket-number index, where an OR of one ``IN``
    per kind makes it read the whole table.

    Built once per customer instance (a page asks for it four times): the
    subquery is only ever embedded in other queries, never evaluated, so
    keeping it on the instance of one request cannot go stale."""
    cached = customer.__dict__.get("_timeline_ticket_numbers")
    if cached is not None:
        return cached
    customer.__dict__["_timeline_ticket_numbers"] = numbers = _ticket_numbers(customer)
    return numbers


def _ticket_numbers(customer: Customer) -> QuerySet | list:
    numbers = [
        kind.model.objects.filter(customer=customer).values("number") for kind in all_kinds()
    ]
    if not numbers:
        return []
    return numbers[0].union(*numbers[1:], all=True) if len(numbers) > 1 else numbers[0]


def _ticket_rows(
    tickets: QuerySet, *, at: str, code: str, cursor: TimelineKey | None, older: bool, limit: int
) -> QuerySet:
    page = seek(tickets, at=at, kind=code, cursor=cursor, older=older, limit=limit)
    return page.values_list("id", at, "number", "summary", "status")


def _newest_ticket_rows(kind_code: str, at: str, limit: int, customer_id: int) -> QuerySet:
    """The first page's rows of one kind and event: the same query for every
    customer but their id, its SQL written once (and prepared on PostgreSQL)."""
    tickets = kind_for_code(kind_code).model.objects.filter(customer_id=customer_id)
    # No cursor: the kind, which only places rows against one, orders nothing.
    return _ticket_rows(tickets, at=at, code=kind_code, cursor=None, older=True, limit=limit)


_NEWEST_TICKET_ROWS = Statement(_newest_ticket_rows)


def _ticket_items(
    customer: Customer, *, cursor: TimelineKey | None, older: bool, limit: int
) -> list[TimelineItem]:
    # Rows as tuples and the words worked out once: most rows read here are
    # merged away (each event brings a page's worth), so each must be cheap.
    items = []
    events = (
        ("opened", "created_at", _("Ticket opened"), "primary"),
        ("resolved", "resolved_at", _("Ticket resolved"), "success"),
    )
    for kind in all_kinds():
        tickets = kind.model.objects.filter(customer=customer)
        singular = capfirst(str(kind.singular))
        statuses = {value: str(label) for value, label in kind.model.status.field.choices}
        for event, at, label, tone in events:
            code = f"{kind.code}.{event}"
            if cursor is None and older:
                rows = _NEWEST_TICKET_ROWS(customer.pk, shape=(kind.code, at, limit))
            else:
                rows = _ticket_rows(
                    tickets, at=at, code=code, cursor=cursor, older=older, limit=limit
                )
            for pk, moment, number, summary, status in rows:
                items.append(
                    TimelineItem(
                        at=moment,
                        kind=code,
                        id=pk,
                        label=label,
                        title=f"{number} · {summary}",
                        url=kind.detail_url(number),
                        detail=f"{singular} · {statuses.get(status, status)}",
                        tone=tone,
                    )
                )
    return items


def _escalation_items(
    customer: Customer, *, cursor: TimelineKey | None, older: bool, limit: int
) -> list[TimelineItem]:
    kinds = {kind.code: kind for kind in all_kinds()}
    numbers = customer_ticket_numbers(customer)
    packets = EscalationPacket.objects.filter(ticket_number__in=numbers).only(
        "id", "ticket_number", "kind", "case", "state", "escalated_at"
    )
    items = []
    for packet in seek(
        packets, at="escalated_at", kind="escalation", cursor=cursor, older=older, limit=limit
    ):
        kind = kinds[packet.kind]
        items.append(
            TimelineItem(
                at=packet.escalated_at,
                kind="escalation",
                id=packet.pk,
                label=_("Escalated"),
                title=f"{packet.ticket_number} · {packet.get_case_display()}",
                url=kind.detail_url(packet.ticket_number),
                detail=packet.get_state_display(),
                tone="warning",
            )
        )
    return items


def _ticket_items_and_escalations(
    customer: Customer, *, cursor: TimelineKey | None, older: bool, limit: int
) -> list[TimelineItem]:
    return [
        *_ticket_items(customer, cursor=cursor, older=older, limit=limit),
        *_escalation_items(customer, cursor=cursor, older=older, limit=limit),
    ]


def _ticket_summary(customer: Customer) -> SourceSummary:
    """One aggregate query per kind, over the customer's tickets only."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    open_count = recent = breached = 0
    last_contact = None
    for kind in all_kinds():
        figures = kind.model.objects.filter(customer=customer).aggregate(
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            recent=Count("id", filter=Q(created_at__gte=since)),
            breached=Count(
                "id",
                filter=Q(sla_breached_at__isnull=False) | Q(response_breached_at__isnull=False),
            ),
            last=Max("created_at"),
        )
        open_count += figures["open"]
        recent += figures["recent"]
        breached += figures["breached"]
        if figures["last"] is not None:
            last_contact = max(filter(None, (last_contact, figures["last"])))
    return SourceSummary(
        figures=[
            CustomerFigure("open_tickets", _("Open tickets"), open_count),
            CustomerFigure("recent_tickets", _("Tickets in the last 12 months"), recent),
            CustomerFigure("sla_breaches", _("SLA breaches"), breached, alert=breached > 0),
        ],
        last_contact=last_contact,
    )


def register() -> None:
    register_customer_source(
        CustomerSource(
            code="tickets",
            items=_ticket_items_and_escalations,
            summary=_ticket_summary,
            position=0,
        )
    )
