"""The core's sources for the customer page (``itsm.customer_timeline``): the
customer's tickets of every registered kind, opened and resolved, and their
escalations to coordination; the ticket figures of the page header.

Each kind's tickets are read with the index ``<prefix>_customer_status_idx``
(customer first): a customer has hundreds of tickets at most, so the page
costs the same at a million tickets as at a thousand."""

from datetime import timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm.customer_timeline import (
    CustomerFigure,
    CustomerSource,
    SourceSummary,
    TimelineItem,
    TimelineKey,
    register_customer_source,
    seek,
)
from itsm.kinds import Kind, all_kinds
from itsm.models import EscalationPacket
from itsm.models.choices import OPEN_STATUSES

RECENT_DAYS = 365
TICKET_COLUMNS = ("id", "number", "summary", "status", "created_at", "resolved_at")


def customer_ticket_numbers(kind: Kind, customer: Customer) -> QuerySet:
    """The numbers of the customer's tickets of ``kind``, as a subquery:
    what mail and escalations, which name tickets by number, are matched with."""
    return kind.model.objects.filter(customer=customer).values("number")


def customer_ticket_numbers_q(field: str, customer: Customer) -> Q:
    """``field`` holds the number of one of the customer's tickets, any kind."""
    condition = Q(pk__in=[])
    for kind in all_kinds():
        condition |= Q(**{f"{field}__in": customer_ticket_numbers(kind, customer)})
    return condition


def _ticket_items(
    customer: Customer, *, cursor: TimelineKey | None, older: bool, limit: int
) -> list[TimelineItem]:
    items = []
    for kind in all_kinds():
        tickets = kind.model.objects.filter(customer=customer).only(*TICKET_COLUMNS)
        for event, at, label, tone in (
            ("opened", "created_at", _("Ticket opened"), "primary"),
            ("resolved", "resolved_at", _("Ticket resolved"), "success"),
        ):
            code = f"{kind.code}.{event}"
            for ticket in seek(tickets, at=at, kind=code, cursor=cursor, older=older, limit=limit):
                items.append(
                    TimelineItem(
                        at=getattr(ticket, at),
                        kind=code,
                        id=ticket.pk,
                        label=label,
                        title=f"{ticket.number} · {ticket.summary}",
                        url=kind.detail_url(ticket.number),
                        detail=f"{kind.singular.capitalize()} · {ticket.get_status_display()}",
                        tone=tone,
                    )
                )
    return items


def _escalation_items(
    customer: Customer, *, cursor: TimelineKey | None, older: bool, limit: int
) -> list[TimelineItem]:
    kinds = {kind.code: kind for kind in all_kinds()}
    condition = Q(pk__in=[])
    for kind in kinds.values():
        condition |= Q(kind=kind.code, ticket_number__in=customer_ticket_numbers(kind, customer))
    packets = EscalationPacket.objects.filter(condition).only(
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
