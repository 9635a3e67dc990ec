"""``{% suggestions_slot form_id %}``: the registered suggestion panels,
each refreshed with htmx from the form's fields while the agent types (a
debounced request that never holds the typing back)."""

from django import template
from django.urls import reverse

from itsm.suggestions import carried_values, suggestions_panels

register = template.Library()


@register.inclusion_tag("itsm/snippets/suggestions_slot.html", takes_context=True)
def suggestions_slot(context, form_id: str, ticket_number: str = "") -> dict:
    form = context.get("form")
    return {
        "panels": [
            {"id": f"suggestions-{index}", "url": reverse(name)}
            for index, name in enumerate(suggestions_panels())
        ],
        "form_id": form_id,
        "ticket_number": ticket_number,
        # What the panels added to a form that came back with errors: sent
        # again with the panels' first request, which renders it again.
        "carried": carried_values(form.data if form is not None and form.is_bound else None),
    }
