"""The e-mail app's source for the customer page (``itsm.customer_timeline``):
mail received from the customer (from their address, or threaded onto one
of their tickets) and mail sent to them, each a link."""

from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from customers.models import Customer
from itsm.customer_sources import customer_ticket_numbers_q
from itsm.customer_timeline import (
    CustomerSource,
    SourceSummary,
    TimelineItem,
    TimelineKey,
    register_customer_source,
    seek,
)
from itsm.kinds import kind_for_number
from notifications.models import Classification, InboundEmail, OutgoingEmail
from notifications.models.outgoing import EmailStatus

RECEIVED, SENT = "mail.received", "mail.sent"
# Mail that reached the customer (or was bounced by their server).
DELIVERED = (EmailStatus.SENT, EmailStatus.BOUNCED)


def received_from(customer: Customer) -> Q:
    """Messages a person wrote (not bounces or auto-replies: a bounce shows
    on the mail sent it returns), from the customer's address or threaded
    onto their tickets. Served by inboundemail_sender_idx and
    inboundemail_ticket_idx."""
    condition = customer_ticket_numbers_q("ticket_number", customer)
    if customer.email:
        condition |= Q(from_address=customer.email)
    return condition & Q(classification=Classification.CUSTOMER, quarantine_reason="")


def sent_to(customer: Customer) -> Q:
    """Served by outgoingemail_ticket_idx."""
    return customer_ticket_numbers_q("ticket_number", customer) & Q(status__in=DELIVERED)


def _mail_items(
    customer: Customer, *, cursor: TimelineKey | None, older: bool, limit: int
) -> list[TimelineItem]:
    # Tuples, and the words and URLs worked out once: most rows read here
    # are merged away by the page.
    items = []
    received_label, no_subject = _("E-mail received"), _("(no subject)")
    message_url = reverse("notifications:mailbox_detail", args=[0]).rsplit("0", 1)
    received = seek(
        InboundEmail.objects.filter(received_from(customer)),
        at="received_at",
        kind=RECEIVED,
        cursor=cursor,
        older=older,
        limit=limit,
    )
    for pk, at, subject, sender, number in received.values_list(
        "id", "received_at", "subject", "from_address", "ticket_number"
    ):
        items.append(
            TimelineItem(
                at=at,
                kind=RECEIVED,
                id=pk,
                label=received_label,
                title=subject or no_subject,
                url=f"{message_url[0]}{pk}{message_url[1]}",
                detail=" · ".join(filter(None, (sender, number))),
                tone="info",
            )
        )
    sent_label, bounced = _("E-mail sent"), str(EmailStatus.BOUNCED.label)
    sent = seek(
        OutgoingEmail.objects.filter(sent_to(customer)),
        at="sent_at",
        kind=SENT,
        cursor=cursor,
        older=older,
        limit=limit,
    )
    for pk, at, subject, recipient, number, status in sent.values_list(
        "id", "sent_at", "subject", "to_email", "ticket_number", "status"
    ):
        # Mail is only ever sent on a ticket: its E-mail tab shows the message.
        kind = kind_for_number(number)
        items.append(
            TimelineItem(
                at=at,
                kind=SENT,
                id=pk,
                label=sent_label,
                title=subject,
                url=f"{kind.detail_url(number)}#ticket-emails" if kind else reverse("home"),
                detail=" · ".join(
                    filter(
                        None, (recipient, number, bounced if status == EmailStatus.BOUNCED else "")
                    )
                ),
                tone="info",
            )
        )
    return items


def _mail_summary(customer: Customer) -> SourceSummary:
    """The last mail the customer sent is a contact; mail to them is not."""
    last = InboundEmail.objects.filter(received_from(customer)).aggregate(last=Max("received_at"))
    return SourceSummary(last_contact=last["last"])


def register() -> None:
    register_customer_source(
        CustomerSource(code="mail", items=_mail_items, summary=_mail_summary, position=10)
    )
