from django import template

from itsm.models import Ticket
from notifications.models import OutgoingEmail

register = template.Library()


@register.inclusion_tag("notifications/snippets/ticket_emails.html", takes_context=True)
def ticket_emails(context: template.Context, ticket: Ticket) -> dict:
    """The e-mail section of a ticket page: every message with its state,
    *Enviar correo* and *Reenviar* for the failed ones. One query."""
    emails = list(
        OutgoingEmail.objects.for_ticket(ticket)
        .select_related("template", "created_by", "queued_by")
        .order_by("-created_at", "-pk")
    )
    return {
        "ticket": ticket,
        "emails": emails,
        "kind": ticket.kind,
        "customer_email": ticket.customer.email,
        "csrf_token": context.get("csrf_token"),
    }
