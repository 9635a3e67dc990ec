"""``{% header_cells _("Number") _("Customer") %}``: a table's plain column
headers, one ``<th scope="col">`` per label, so a list page names its
columns in one line. Labels are marked with ``_()``, which makemessages finds."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def header_cells(*labels: str) -> SafeString:
    return format_html_join("", '<th scope="col">{}</th>', ((label,) for label in labels))
