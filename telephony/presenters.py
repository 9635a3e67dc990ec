"""What the calls page, the pop-up and the dashboard show, prepared once."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm.charts import Bar, BarChart
from itsm.common.phones import display_phone
from itsm.customer_timeline import customer_summary
from itsm.journal_events import duration
from itsm.kinds import all_kinds
from itsm.selectors import tickets_open_for_customer
from telephony.models import Call, CallbackStatus


def number_label(call: Call) -> str:
    if call.remote_e164:
        return display_phone(call.remote_e164)
    raw = call.from_number if call.is_inbound else call.to_number
    return raw or _("Hidden number")


def talk_label(call: Call) -> str:
    return duration(call.talk_seconds) if call.answered_at and call.ended_at else ""


def call_state(call: Call) -> str:
    if call.blocked:
        return _("Rejected (blocked number)")
    if call.missed:
        return _("Missed")
    if call.ended_at:
        return _("Ended")
    if call.answered_at:
        return _("In progress")
    return _("Ringing")


@dataclass
class CustomerCard:
    customer: Customer
    open_tickets: list
    last_contact: object


@dataclass
class Popup:
    call: Call
    number: str
    state: str
    cards: list[CustomerCard] = field(default_factory=list)
    kinds: list = field(default_factory=list)


def popup(call: Call) -> Popup:
    """The caller's card(s): one per customer the number matched."""
    customers = list(call.matched_customers.all()[:5]) if call.remote_e164 else []
    if call.customer_id and call.customer not in customers:
        customers.insert(0, call.customer)
    cards = [
        CustomerCard(
            customer=customer,
            open_tickets=tickets_open_for_customer(customer=customer, limit=5),
            last_contact=customer_summary(customer).last_contact,
        )
        for customer in customers
    ]
    return Popup(
        call=call,
        number=number_label(call),
        state=call_state(call),
        cards=cards,
        kinds=list(all_kinds()),
    )


def calls_url(**params) -> str:
    return reverse("telephony:calls") + "?" + urlencode({"f": "1", **params})


def missed_calls_chart(user, *, mine: bool) -> BarChart:
    """Missed calls waiting for a call back, and those past their due time.
    An agent's own figures count theirs and those nobody has taken: the
    queue is everyone's until someone takes a call."""
    calls = Call.objects.missed_open()
    if mine:
        calls = calls.filter(Q(callback_assignee=user) | Q(callback_assignee__isnull=True))
    figures = calls.aggregate(
        waiting=Count("pk"), late=Count("pk", filter=Q(callback_due_at__lt=timezone.now()))
    )
    scope = {"mine": "on"} if mine else {}
    return BarChart(
        "missed-calls",
        _("Missed calls to call back"),
        [
            Bar(_("Waiting"), figures["waiting"], calls_url(to_call_back="on", **scope)),
            Bar(
                _("Past the call-back target"),
                figures["late"],
                calls_url(to_call_back="on", **scope),
            ),
        ],
    )


def is_late(call: Call) -> bool:
    return bool(
        call.callback_status == CallbackStatus.OPEN
        and call.callback_due_at
        and call.callback_due_at < timezone.now()
    )
