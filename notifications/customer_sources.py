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
    written = InboundEmail.objects.filter(WRITTEN)
    sets = [written.filter(ticket_number__in=customer_ticket_numbers(customer))]
    if customer.email:
        sets.append(written.filter(from_address=customer.email))
    return sets


def sent_to(customer: Customer) -> QuerySet:
    """Served by outgoingemail_ticket_idx."""
    return OutgoingEmail.objects.filter(
        ticket_number__in=customer_ticket_numbers(customer), status__in=DELIVERED
    )


RECEIVED_COLUMNS = ("id", "received_at", "subject", "from_address", "ticket_number")
SENT_COLUMNS = ("id", "sent_at", "subject", "to_email", "ticket_number", "status")


def _newest(which: str, limit: int, key: int | str):
    """The first page's rows of one of the three reads (mail threaded onto
    the customer's tickets, from their address, sent to them) for the
    customer ``key`` (their id, or their address): the same query for
    every customer, its SQL written once (and prepared on PostgreSQL)."""
    if which == "address":
        messages, at, columns = (
            InboundEmail.objects.filter(WRITTEN, from_address=key),
            "received_at",
            RECEIVED_COLUMNS,
        )
    else:
        # A customer of that id, unsaved: only its key is read.
        customer = Customer(pk=key)
        if which == "threaded":
            messages, at, columns = received_from(customer)[0], "received_at", RECEIVED_COLUMNS
        else:
            messages, at, columns = sent_to(customer), "sent_at", SENT_COLUMNS
    kind = SENT if which == "sent" else RECEIVED
    page = timeline.seek(messages, at=at, kind=kind, cursor=None, older=True, limit=limit)
    return page.values_list(*columns)


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
            timeline.seek(
                messages, at="received_at", kind=RECEIVED, cursor=cursor, older=older, limit=limit
            ).values_list(*RECEIVED_COLUMNS)
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
        sent = timeline.seek(
            sent_to(customer), at="sent_at", kind=SENT, cursor=cursor, older=older, limit=limit
        ).values_list(*SENT_COLUMNS)
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
