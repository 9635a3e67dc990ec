from django import template

from itsm.models import Ticket
from notifications.models import InboundEmail, OutgoingEmail

register = template.Library()


@register.inclusion_tag("notifications/snippets/ticket_emails.html", takes_context=True)
def ticket_emails(context: template.Context, ticket: Ticket) -> dict:
    """The e-mail section of a ticket page: one conversation, what we sent
    and what we received, in order; *Enviar correo* and *Reenviar* for the
    failed ones. Two queries."""
    emails = list(
        OutgoingEmail.objects.for_ticket(ticket)
        .select_related("template", "created_by", "queued_by")
        .order_by("created_at", "pk")
    )
    received = list(
        InboundEmail.objects.for_ticket_number(ticket.number)
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
