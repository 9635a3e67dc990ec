"""The e-mail app's source for the customer page (``itsm.customer_timeline``):
mail received from the customer (from their address, or threaded onto one
of their tickets) and mail sent to them, each a link."""

from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm import customer_timeline as timeline
from itsm.common.rows import detail_url
from itsm.common.statements import Statement
from itsm.customer_sources import customer_ticket_numbers
from itsm.kinds import kind_for_number
from notifications.models import Classification, InboundEmail, OutgoingEmail
from notifications.models.outgoing import EmailStatus

RECEIVED, SENT = "mail.received", "mail.sent"
# Mail that reached the customer (or was bounced by their server).
DELIVERED = (EmailStatus.SENT, EmailStatus.BOUNCED)


# Messages a person wrote: not bounces or auto-replies (a bounce shows on the
# mail sent it returns), nothing quarantined.
WRITTEN = Q(classification=Classification.CUSTOMER, quarantine_reason="")


def received_from(customer: Customer) -> list[QuerySet]:
    """The customer's mail as two querysets, each served by an index: from
    their address (inboundemail_sender_idx, in the timeline's order) and
    threaded onto their tickets (inboundemail_ticket_idx). An OR of the two
    would read the whole mailbox on PostgreSQL. A message in both is merged
    once by the caller."""
    sets = [_threaded_onto(customer)]
    if customer.email:
        sets.append(_written_by(customer.email))
    return sets


def _threaded_onto(customer: Customer) -> QuerySet:
    written = InboundEmail.objects.filter(WRITTEN)
    return written.filter(ticket_number__in=customer_ticket_numbers(customer))


def _written_by(address: str) -> QuerySet:
    return InboundEmail.objects.filter(WRITTEN).filter(from_address=address)


def sent_to(customer: Customer) -> QuerySet:
    """Served by outgoingemail_ticket_idx."""
    return OutgoingEmail.objects.filter(
        ticket_number__in=customer_ticket_numbers(customer), status__in=DELIVERED
    )


def _received_rows(messages: QuerySet, **page) -> QuerySet:
    """``page``: ``timeline.seek``'s cursor, direction and limit."""
    rows = timeline.seek(messages, at="received_at", kind=RECEIVED, **page)
    return rows.values_list("id", "received_at", "subject", "from_address", "ticket_number")


def _sent_rows(messages: QuerySet, **page) -> QuerySet:
    rows = timeline.seek(messages, at="sent_at", kind=SENT, **page)
    return rows.values_list("id", "sent_at", "subject", "to_email", "ticket_number", "status")


def _newest(which: str, limit: int, key: int | str):
    """The first page's rows of one of the three reads (mail threaded onto
    the customer's tickets, from their address, sent to them) for the
    customer ``key`` (their id, or their address): the same query for
    every customer, its SQL written once (and prepared on PostgreSQL)."""
    first = {"cursor": None, "older": True, "limit": limit}
    if which == "address":
        return _received_rows(_written_by(key), **first)
    # A customer of that id, unsaved: only its key is read.
    customer = Customer(pk=key)
    if which == "threaded":
        return _received_rows(_threaded_onto(customer), **first)
    return _sent_rows(sent_to(customer), **first)


_NEWEST = Statement(_newest)


def _received_items(
    customer: Customer, *, cursor: timeline.TimelineKey | None, older: bool, limit: int
) -> list[timeline.TimelineItem]:
    # Tuples, and the words and URLs worked out once: most rows read here
    # are merged away by the page.
    label, no_subject = _("E-mail received"), _("(no subject)")
    received = {}
    if cursor is None and older:
        pages = [_NEWEST(customer.pk, shape=("threaded", limit))]
        if customer.email:
            pages.append(_NEWEST(customer.email, shape=("address", limit)))
    else:
        pages = [
            _received_rows(messages, cursor=cursor, older=older, limit=limit)
            for messages in received_from(customer)
        ]
    for page in pages:
        for row in page:
            received[row[0]] = row
    # The newest (or oldest) ``limit`` of the two, as the contract asks.
    rows = sorted(received.values(), key=lambda row: (row[1], row[0]), reverse=older)[:limit]
    return [
        timeline.TimelineItem(
            at=at,
            kind=RECEIVED,
            id=pk,
            label=label,
            title=subject or no_subject,
            url=detail_url(InboundEmail.detail_url_name, pk),
            detail=" · ".join(filter(None, (sender, number))),
            tone="info",
        )
        for pk, at, subject, sender, number in rows
    ]


def _sent_items(
    customer: Customer, *, cursor: timeline.TimelineKey | None, older: bool, limit: int
) -> list[timeline.TimelineItem]:
    label, bounced = _("E-mail sent"), str(EmailStatus.BOUNCED.label)
    if cursor is None and older:
        sent = _NEWEST(customer.pk, shape=("sent", limit))
    else:
        sent = _sent_rows(sent_to(customer), cursor=cursor, older=older, limit=limit)
    items = []
    for pk, at, subject, recipient, number, status in sent:
        # Mail is only ever sent on a ticket: its E-mail tab shows the message.
        kind = kind_for_number(number)
        returned = bounced if status == EmailStatus.BOUNCED else ""
        items.append(
            timeline.TimelineItem(
                at=at,
                kind=SENT,
                id=pk,
                label=label,
                title=subject,
                url=f"{kind.detail_url(number)}#ticket-emails" if kind else reverse("home"),
                detail=" · ".join(filter(None, (recipient, number, returned))),
                tone="info",
            )
        )
    return items


def _mail_items(
    customer: Customer, *, cursor: timeline.TimelineKey | None, older: bool, limit: int
) -> list[timeline.TimelineItem]:
    page = {"cursor": cursor, "older": older, "limit": limit}
    return _received_items(customer, **page) + _sent_items(customer, **page)


def _mail_summary(customer: Customer) -> timeline.SourceSummary:
    """The last mail the customer sent is a contact; mail to them is not."""
    latest = [
        messages.aggregate(last=Max("received_at"))["last"] for messages in received_from(customer)
    ]
    return timeline.SourceSummary(last_contact=max(filter(None, latest), default=None))


def register() -> None:
    timeline.register_customer_source(
        timeline.CustomerSource(code="mail", items=_mail_items, summary=_mail_summary, position=10)
    )
