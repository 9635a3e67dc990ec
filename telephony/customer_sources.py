"""The phone app's source for the customer page (``itsm.customer_timeline``):
the customer's calls, inbound, outbound and missed, each a link to the call,
and their figures (calls, missed calls) for the header."""

from django.db.models import Count, Max, Q
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
from telephony.models import Call, CallbackStatus, Direction
from telephony.presenters import calls_url, number_label, talk_label

INBOUND, OUTBOUND, MISSED = "call.in", "call.out", "call.missed"

# One kind per queryset, as ``seek`` asks; call_customer_rung_idx serves each.
KINDS = (
    (INBOUND, Q(direction=Direction.INBOUND, missed=False)),
    (OUTBOUND, Q(direction=Direction.OUTBOUND)),
    (MISSED, Q(missed=True)),
)


def _label(kind: str) -> str:
    return {
        INBOUND: _("Inbound call"),
        OUTBOUND: _("Outbound call"),
        MISSED: _("Missed call"),
    }[kind]


def _detail(call: Call) -> str:
    if call.missed:
        if call.callback_status == CallbackStatus.OPEN:
            return _("To call back")
        return call.get_callback_result_display()
    return talk_label(call)


def call_items(
    customer: Customer, *, cursor: TimelineKey | None, older: bool, limit: int
) -> list[TimelineItem]:
    items = []
    calls = Call.objects.filter(customer=customer)
    for kind, condition in KINDS:
        rows = seek(
            calls.filter(condition),
            at="rung_at",
            kind=kind,
            cursor=cursor,
            older=older,
            limit=limit,
        )
        for call in rows:
            items.append(
                TimelineItem(
                    at=call.rung_at,
                    kind=kind,
                    id=call.pk,
                    label=_label(kind),
                    title=number_label(call),
                    url=call.get_absolute_url(),
                    detail=_detail(call),
                    tone="warning" if kind == MISSED else "success",
                )
            )
    return items


def call_summary(customer: Customer) -> SourceSummary:
    """Calls and missed calls; an answered call is a contact, a missed one not."""
    figures = Call.objects.filter(customer=customer).aggregate(
        calls=Count("pk"),
        missed=Count("pk", filter=Q(missed=True)),
        last=Max("rung_at", filter=Q(answered_at__isnull=False)),
    )
    return SourceSummary(
        figures=[
            CustomerFigure(
                code="calls",
                label=_("Calls"),
                value=figures["calls"],
                url=calls_url(customer=customer.pk),
            ),
            CustomerFigure(
                code="missed_calls",
                label=_("Missed calls"),
                value=figures["missed"],
                url=calls_url(customer=customer.pk, missed="on"),
                alert=bool(figures["missed"]),
            ),
        ],
        last_contact=figures["last"],
    )


def register() -> None:
    register_customer_source(
        CustomerSource(code="calls", items=call_items, summary=call_summary, position=20)
    )
