"""``{% suggestions_slot form_id %}``: the registered suggestion panels,
each refreshed with htmx from the form's fields while the agent types (a
debounced request that never holds the typing back)."""

from django import template
from django.urls import reverse

from itsm.suggestions import suggestions_panels

register = template.Library()


@register.inclusion_tag("itsm/snippets/suggestions_slot.html")
def suggestions_slot(form_id: str, ticket_number: str = "") -> dict:
    return {
        "panels": [
            {"id": f"suggestions-{index}", "url": reverse(name)}
            for index, name in enumerate(suggestions_panels())
        ],
        "form_id": form_id,
        "ticket_number": ticket_number,
    }
