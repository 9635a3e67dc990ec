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
    items = []
    received = InboundEmail.objects.filter(received_from(customer)).only(
        "id", "received_at", "subject", "from_address", "ticket_number"
    )
    for email in seek(
        received, at="received_at", kind=RECEIVED, cursor=cursor, older=older, limit=limit
    ):
        items.append(
            TimelineItem(
                at=email.received_at,
                kind=RECEIVED,
                id=email.pk,
                label=_("E-mail received"),
                title=email.subject or _("(no subject)"),
                url=email.get_absolute_url(),
                detail=" · ".join(filter(None, (email.from_address, email.ticket_number))),
                tone="info",
            )
        )
    sent = OutgoingEmail.objects.filter(sent_to(customer)).only(
        "id", "sent_at", "subject", "to_email", "ticket_number", "status"
    )
    for email in seek(sent, at="sent_at", kind=SENT, cursor=cursor, older=older, limit=limit):
        kind = kind_for_number(email.ticket_number)
        ticket_url = kind.detail_url(email.ticket_number) if kind is not None else ""
        items.append(
            TimelineItem(
                at=email.sent_at,
                kind=SENT,
                id=email.pk,
                label=_("E-mail sent"),
                title=email.subject,
                url=ticket_url + "#ticket-emails" if ticket_url else reverse("home"),
                detail=" · ".join(
                    filter(None, (email.to_email, email.ticket_number, _bounced(email)))
                ),
                tone="info",
            )
        )
    return items


def _bounced(email: OutgoingEmail) -> str:
    return str(EmailStatus.BOUNCED.label) if email.status == EmailStatus.BOUNCED else ""


def _mail_summary(customer: Customer) -> SourceSummary:
    """The last mail the customer sent is a contact; mail to them is not."""
    last = InboundEmail.objects.filter(received_from(customer)).aggregate(last=Max("received_at"))
    return SourceSummary(last_contact=last["last"])


def register() -> None:
    register_customer_source(
        CustomerSource(code="mail", items=_mail_items, summary=_mail_summary, position=10)
    )
