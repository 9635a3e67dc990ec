"""The phone app's source for the customer page (``itsm.customer_timeline``):
the customer's calls, inbound, outbound and missed, each a link to the call,
and their figures (calls, missed calls) for the header."""

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm import customer_timeline as timeline
from itsm.common.statements import Statement
from telephony.models import Call, CallbackStatus, Direction
from telephony.presenters import calls_url, number_label, talk_label

# One kind for the calls table, so one query reads them (call_customer_rung_idx);
# each call is labelled by what it was.
CALL = "call"


def _label(call: Call) -> str:
    if call.missed:
        return _("Missed call")
    if call.direction == Direction.OUTBOUND:
        return _("Outbound call")
    return _("Inbound call")


def _detail(call: Call) -> str:
    if call.missed:
        if call.callback_status == CallbackStatus.OPEN:
            return _("To call back")
        return call.get_callback_result_display()
    return talk_label(call)


def _calls_of(at: str, customer_id: int) -> QuerySet:
    return Call.objects.filter(customer_id=customer_id)


# Written once (``timeline.KeptSeek``).
_CALL_ROWS = timeline.KeptSeek(_calls_of)


def _figures_of(customer_id: int) -> QuerySet:
    """One row (none without calls)."""
    return (
        Call.objects.filter(customer_id=customer_id)
        .values("customer_id")
        .annotate(
            calls=Count("pk"),
            missed=Count("pk", filter=Q(missed=True)),
            last=Max("rung_at", filter=Q(answered_at__isnull=False)),
        )
        .values_list("calls", "missed", "last")
        .order_by()
    )


_FIGURES = Statement(_figures_of)


def call_items(
    customer: Customer, *, cursor: timeline.TimelineKey | None, older: bool, limit: int
) -> list[timeline.TimelineItem]:
    rows = _CALL_ROWS(customer.pk, at="rung_at", kind=CALL, cursor=cursor, older=older, limit=limit)
    return [
        timeline.TimelineItem(
            at=call.rung_at,
            kind=CALL,
            id=call.pk,
            label=_label(call),
            title=number_label(call),
            url=call.get_absolute_url(),
            detail=_detail(call),
            tone="warning" if call.missed else "success",
        )
        for call in rows
    ]


def call_summary(customer: Customer) -> timeline.SourceSummary:
    """Calls and missed calls; an answered call is a contact, a missed one not."""
    calls, missed, last = _FIGURES.first(customer.pk) or (0, 0, None)
    return timeline.SourceSummary(
        figures=[
            timeline.CustomerFigure(
                code="calls",
                label=_("Calls"),
                value=calls,
                url=calls_url(customer=customer.pk),
            ),
            timeline.CustomerFigure(
                code="missed_calls",
                label=_("Missed calls"),
                value=missed,
                url=calls_url(customer=customer.pk, missed="on"),
                alert=bool(missed),
            ),
        ],
        last_contact=last,
    )


def register() -> None:
    timeline.register_customer_source(
        timeline.CustomerSource(code="calls", items=call_items, summary=call_summary, position=20)
    )
