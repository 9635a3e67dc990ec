"""The e-mail app's source for the customer page (``itsm.customer_timeline``):
mail received from the customer (from their address, or threaded onto one
of their tickets) and mail sent to them, each a link."""

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm import customer_timeline as timeline
from itsm.common.rows import detail_url
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


def _threaded_onto(at: str, customer_id: int) -> QuerySet:
    """Served by inboundemail_ticket_idx."""
    written = InboundEmail.objects.filter(WRITTEN)
    return written.filter(ticket_number__in=customer_ticket_numbers(customer_id)).values_list(
        "id", at, "subject", "from_address", "ticket_number"
    )


def _written_by(at: str, address: str) -> QuerySet:
    """Served by inboundemail_sender_idx, in the timeline's order."""
    written = InboundEmail.objects.filter(WRITTEN).filter(from_address=address)
    return written.values_list("id", at, "subject", "from_address", "ticket_number")


def _sent_to(at: str, customer_id: int) -> QuerySet:
    """Served by outgoingemail_ticket_idx."""
    sent = OutgoingEmail.objects.filter(
        ticket_number__in=customer_ticket_numbers(customer_id), status__in=DELIVERED
    )
    return sent.values_list("id", at, "subject", "to_email", "ticket_number", "status")


# The customer's mail as two reads, each served by an index: threaded onto
# their tickets and from their address (an OR of the two would read the whole
# mailbox on PostgreSQL; a message in both is merged once); and the mail sent
# to them. Each with SQL written once (``timeline.KeptSeek``).
_THREADED_ROWS = timeline.KeptSeek(_threaded_onto)
_ADDRESS_ROWS = timeline.KeptSeek(_written_by)
_SENT_ROWS = timeline.KeptSeek(_sent_to)


def _received_rows(customer: Customer, **page) -> list[tuple]:
    """``page``: ``KeptSeek``'s cursor, direction and limit: the newest (or
    oldest) ``limit`` of the customer's mail, a message in both reads once."""
    reads = [_THREADED_ROWS(customer.pk, at="received_at", kind=RECEIVED, **page)]
    if customer.email:
        reads.append(_ADDRESS_ROWS(customer.email, at="received_at", kind=RECEIVED, **page))
    received = {}
    for rows in reads:
        for row in rows:
            received[row[0]] = row
    rows = sorted(received.values(), key=lambda row: (row[1], row[0]), reverse=page["older"])
    return rows[: page["limit"]]


def _received_items(
    customer: Customer, *, cursor: timeline.TimelineKey | None, older: bool, limit: int
) -> list[timeline.TimelineItem]:
    # Tuples, and the words and URLs worked out once: most rows read here
    # are merged away by the page.
    label, no_subject = _("E-mail received"), _("(no subject)")
    rows = _received_rows(customer, cursor=cursor, older=older, limit=limit)
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
    sent = _SENT_ROWS(customer.pk, at="sent_at", kind=SENT, cursor=cursor, older=older, limit=limit)
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
    newest = _received_rows(customer, cursor=None, older=True, limit=1)
    return timeline.SourceSummary(last_contact=newest[0][1] if newest else None)


def register() -> None:
    timeline.register_customer_source(
        timeline.CustomerSource(code="mail", items=_mail_items, summary=_mail_summary, position=10)
    )
