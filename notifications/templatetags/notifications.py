from django import template

from itsm.models import Ticket

register = template.Library()


@register.inclusion_tag("notifications/snippets/ticket_emails.html")
def ticket_emails(ticket: Ticket) -> dict:
    """The e-mail section of a ticket page."""
    return {"ticket": ticket}
