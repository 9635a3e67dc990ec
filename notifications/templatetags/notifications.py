from django import template
from django.urls import reverse

from itsm.common.statements import Statement
from itsm.kinds import kind_for_number
from itsm.models import Ticket
from itsm.reference_names import people_names
from notifications.models import InboundEmail, OutgoingEmail

register = template.Library()

_SENT = Statement(
    lambda numbers: (
        OutgoingEmail.objects.filter(ticket_number__in=numbers)
        .select_related("template")
        .order_by("created_at", "pk")
    )
)
_RECEIVED = Statement(
    lambda numbers: (
        InboundEmail.objects.filter(ticket_number__in=numbers)
        .only(
            "pk",
            "received_at",
            "from_address",
            "from_name",
            "subject",
            "classification",
            "sender_is_customer",
            "bounce_status",
        )
        .order_by("received_at", "pk")
    )
)


@register.inclusion_tag("notifications/snippets/ticket_emails.html", takes_context=True)
def ticket_emails(context: template.Context, ticket: Ticket, merged=()) -> dict:
    """The e-mail section of a ticket page: one conversation, what we sent
    and what we received, in order; *Enviar correo* and *Reenviar* for the
    failed ones. ``merged``: the tickets merged into this one, whose mail
    threads continue here. Two queries; who sent each comes from the desk's
    names (the page's journal has read them), not from joining two users,
    which took longer to build than the rest of the query (0.2 ms)."""
    numbers = [ticket.number, *(merge.number for merge in merged)]
    emails = list(_SENT(numbers))
    senders = people_names(email.queued_by_id or email.created_by_id for email in emails)
    received = list(_RECEIVED(numbers))
    for email in emails:
        email.sender_name = senders.get(email.queued_by_id or email.created_by_id, "")
        # A merged ticket's mail stays its own: its pages are under its number.
        kind = kind_for_number(email.ticket_number)
        email.message_url = reverse(
            kind.url_name("email_message"), args=[email.ticket_number, email.pk]
        )
        email.resend_url = reverse(
            kind.url_name("email_resend"), args=[email.ticket_number, email.pk]
        )
    conversation = [("out", e.sent_at or e.queued_at or e.created_at, e) for e in emails]
    conversation += [("in", e.received_at, e) for e in received]
    conversation.sort(key=lambda item: item[1])
    return {
        "ticket": ticket,
        "emails": emails,
        "kind": ticket.kind,
        "conversation": conversation,
        "customer_email": ticket.customer.email,
        "customer_email_failing": ticket.customer.email_failing_since is not None,
        "csrf_token": context.get("csrf_token"),
    }
