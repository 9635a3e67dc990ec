"""The plumbing of a list page, written once:

- ``{% header_cells _("Number") _("Customer") %}``: a table's plain column
  headers, one ``<th scope="col">`` per label, so a list page names its
  columns in one line.
- ``{% filter_buttons "?f=1&open=on" _("All open") %}``: the buttons under a
  list's filters: *Search*, each preset as a (query, label) pair, and
  *Clear filters*.

Labels are marked with ``_()``, which makemessages finds."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def header_cells(*labels: str) -> SafeString:
    return format_html_join("", '<th scope="col">{}</th>', ((label,) for label in labels))


@register.inclusion_tag("itsm/snippets/filter_buttons.html")
def filter_buttons(*presets: str, search_title: str = "") -> dict:
    if len(presets) % 2:
        raise template.TemplateSyntaxError("filter_buttons takes (query, label) pairs")
    return {
        "presets": list(zip(presets[::2], presets[1::2], strict=True)),
        "search_title": search_title,
    }
