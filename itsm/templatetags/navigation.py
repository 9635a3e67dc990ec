"""``{% nav_bar %}``: the top bar. Its markup depends on the language, the
user's roles and the page alone, but for five values (the user's names,
the search text, the page to come back to after changing language and the
CSRF token); each process draws it once per language, roles and page with
markers in their place and puts the values in, escaped as the template
escapes them. Drawn through the template, it was 0.5 ms of every page."""

import html
import re

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from itsm.common.text import person_name

register = template.Library()

MARKERS = {
    name: f"@@{name}-0d5c@@"
    for name in ("nav_user_name", "nav_user_short", "nav_query", "nav_next", "csrf_token")
}
MARKER_RE = re.compile("|".join(re.escape(marker) for marker in MARKERS.values()))
# Languages × role sets × pages: a few hundred at most.
MAX_DRAWN = 1000
_drawn: dict[tuple, str] = {}


def _key(context: template.Context) -> tuple:
    request = context["request"]
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    match = request.resolver_match
    return (
        get_language(),
        signed_in,
        signed_in and user.is_staff,
        bool(context.get("user_is_agent")),
        bool(context.get("user_is_coordinator")),
        bool(context.get("user_is_data_protection")),
        tuple(kind.code for kind in context.get("ticket_kinds") or ()),
        match.namespace if match else "",
        match.url_name if match else "",
    )


def _draw(context: template.Context) -> str:
    with context.push(**MARKERS):
        return get_template("snippets/nav.html").template.render(context)


def _values(context: template.Context) -> dict[str, str]:
    user = context["user"]
    signed_in = user.is_authenticated
    return {
        "nav_user_name": person_name(user) if signed_in else "",
        "nav_user_short": (user.get_short_name() or user.get_username()) if signed_in else "",
        "nav_query": str(context.get("query", "")),
        "nav_next": context["request"].get_full_path(),
    }


@register.simple_tag(takes_context=True)
def nav_bar(context: template.Context) -> SafeString:
    values = _values(context)
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        # No token to put in: drawn as it is.
        with context.push(**values):
            return mark_safe(get_template("snippets/nav.html").template.render(context))  # noqa: S308
    key = _key(context)
    drawn = _drawn.get(key)
    if drawn is None:
        drawn = _draw(context)
        if len(_drawn) >= MAX_DRAWN:
            _drawn.clear()
        _drawn[key] = drawn
    values["csrf_token"] = str(token)
    # One pass, so a value that happens to hold a marker is never read again;
    # each escaped as Django's autoescape writes it (django.utils.html.escape).
    escaped = {MARKERS[name]: html.escape(value) for name, value in values.items()}
    return mark_safe(MARKER_RE.sub(lambda found: escaped[found.group()], drawn))  # noqa: S308
