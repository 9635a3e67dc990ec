"""The core's sources for the customer page (``itsm.customer_timeline``): the
customer's tickets of every registered kind, opened and resolved, and their
escalations to coordination; the ticket figures of the page header.

Each kind's tickets are read with the index ``<prefix>_customer_status_idx``
(customer first): a customer has hundreds of tickets at most, so the page
costs the same at a million tickets as at a thousand."""

from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm.common.rows import choice_labels
from itsm.common.statements import Statement
from itsm.customer_timeline import (
    CustomerFigure,
    CustomerSource,
    KeptSeek,
    SourceSummary,
    TimelineItem,
    TimelineKey,
    register_customer_source,
)
from itsm.kinds import all_kinds, kind_for_code
from itsm.models import EscalationPacket
from itsm.models.choices import OPEN_STATUSES

RECENT_DAYS = 365


def customer_ticket_numbers(customer_id: int) -> QuerySet | list:
    """The numbers of the customer's tickets of every kind, as one subquery
    (a UNION ALL of one per kind): what mail and escalations, which name
    tickets by number, are matched with. One ``IN`` over it lets PostgreSQL
    join through the table's ticket-number index, where an OR of one ``IN``
    per kind makes it read the whole table."""
    numbers = [
        kind.model.objects.filter(customer_id=customer_id).values("number") for kind in all_kinds()
    ]
    if not numbers:
        return []
    return numbers[0].union(*numbers[1:], all=True) if len(numbers) > 1 else numbers[0]


def _tickets_of(at: str, kind_code: str, customer_id: int) -> QuerySet:
    tickets = kind_for_code(kind_code).model.objects.filter(customer_id=customer_id)
    return tickets.values_list("id", at, "number", "summary", "status")


def _escalations_of(at: str, customer_id: int) -> QuerySet:
    packets = EscalationPacket.objects.filter(
        ticket_number__in=customer_ticket_numbers(customer_id)
    )
    return packets.values_list("id", at, "ticket_number", "kind", "case", "state")


# Each kind's tickets and the escalations past a cursor, read with SQL written
# once (the page reads five of them, most of whose rows the merge drops).
_TICKET_ROWS = KeptSeek(_tickets_of)
_ESCALATION_ROWS = KeptSeek(_escalations_of)


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
    page = {"cursor": cursor, "older": older, "limit": limit}
    for kind in all_kinds():
        singular = capfirst(str(kind.singular))
        statuses = choice_labels(kind.model, "status")
        for event, at, label, tone in events:
            code = f"{kind.code}.{event}"
            rows = _TICKET_ROWS(customer.pk, at=at, kind=code, shape=(kind.code,), **page)
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
    cases = choice_labels(EscalationPacket, "case")
    states = choice_labels(EscalationPacket, "state")
    label = _("Escalated")
    rows = _ESCALATION_ROWS(
        customer.pk, at="escalated_at", kind="escalation", cursor=cursor, older=older, limit=limit
    )
    return [
        TimelineItem(
            at=moment,
            kind="escalation",
            id=pk,
            label=label,
            title=f"{number} · {cases.get(case, case)}",
            url=kinds[kind].detail_url(number),
            detail=states.get(state, state),
            tone="warning",
        )
        for pk, moment, number, kind, case, state in rows
    ]


def _ticket_items_and_escalations(
    customer: Customer, *, cursor: TimelineKey | None, older: bool, limit: int
) -> list[TimelineItem]:
    return [
        *_ticket_items(customer, cursor=cursor, older=older, limit=limit),
        *_escalation_items(customer, cursor=cursor, older=older, limit=limit),
    ]


def _figures_of(kind_code: str, customer_id: int, since: datetime) -> QuerySet:
    """One kind's figures for one customer, one row (none without tickets)."""
    tickets = kind_for_code(kind_code).model.objects.filter(customer_id=customer_id)
    return (
        tickets.values("customer_id")
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            recent=Count("id", filter=Q(created_at__gte=since)),
            breached=Count(
                "id",
                filter=Q(sla_breached_at__isnull=False) | Q(response_breached_at__isnull=False),
            ),
            last=Max("created_at"),
        )
        .values_list("open", "recent", "breached", "last")
        .order_by()
    )


_FIGURES = Statement(_figures_of)


def _ticket_summary(customer: Customer) -> SourceSummary:
    """One aggregate query per kind, over the customer's tickets only."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    open_count = recent = breached = 0
    last_contact = None
    for kind in all_kinds():
        for opened, lately, late, last in _FIGURES(customer.pk, since, shape=(kind.code,)):
            open_count += opened
            recent += lately
            breached += late
            if last is not None:
                last_contact = max(filter(None, (last_contact, last)))
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
