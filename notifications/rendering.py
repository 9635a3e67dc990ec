"""Response templates rendered in a sandbox.

Admins write the bodies with Django's template syntax, but through an engine
of their own: no default tags or filters (no ``{% load %}``, ``{% include %}``,
``{% debug %}``, ``{% autoescape off %}``, ``|safe``…), only the few listed
here, and a context made of plain strings and dicts, so an author cannot
reach a model, call a method that does something, or read settings.
"""

from datetime import date
from decimal import Decimal

from django.template import (
    Context,
    Engine,
    Library,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = Library()

SAFE_TAGS = ("if", "for", "comment", "firstof")
SAFE_FILTERS = (
    "capfirst",
    "cut",
    "default",
    "default_if_none",
    "first",
    "floatformat",
    "join",
    "last",
    "length",
    "lower",
    "pluralize",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "wordwrap",
    "yesno",
)
for _name in SAFE_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name in SAFE_FILTERS:
    register.filters[_name] = defaultfilters.register.filters[_name]


class SandboxEngine(Engine):
    # Engine always adds its default builtins; the sandbox has none.
    default_builtins: list[str] = []


ENGINE = SandboxEngine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    builtins=["notifications.rendering"],
    debug=False,
    string_if_invalid="",
)

# What the documentation of the placeholders promises (and the admin form's
# trial render uses).
SAMPLE_CUSTOMER = {
    "nombre": "Ana",
    "apellidos": "García López",
    "nombre_completo": "Ana García López",
    "organizacion": "Asesoría Ejemplo S.L.",
    "nif": "12345678Z",
    "email": "ana@example.com",
    "telefono": "600000000",
    "codigo_flei": "F123456",
}


class TemplateRenderError(Exception):
    """The body of a response template cannot be rendered; the message says
    why, in the user's language."""


def compile_body(body: str):
    try:
        return ENGINE.from_string(body)
    except TemplateSyntaxError as error:
        raise TemplateRenderError(
            _("The template body has an error: %(error)s") % {"error": error}
        ) from None


def format_amount(amount: Decimal | None) -> str:
    """Money as Spanish invoices write it: 1.234,56 €."""
    if amount is None:
        return ""
    grouped = f"{amount:,.2f}"
    return grouped.replace(",", " ").replace(".", ",").replace(" ", ".") + " €"


def template_values(
    *,
    number: str,
    summary: str,
    agent: str,
    customer: dict[str, str],
    amount: Decimal | None = None,
    note: str = "",
    today: date | None = None,
) -> dict[str, object]:
    """The whole context a body may use: strings and a dict of strings."""
    return {
        "numero": str(number),
        "resumen": str(summary),
        "agente": str(agent),
        "fecha": (today or date.today()).strftime("%d/%m/%Y"),
        "importe": format_amount(amount),
        "nota": str(note),
        "cliente": {key: str(value) for key, value in customer.items()},
    }


def sample_values() -> dict[str, object]:
    return template_values(
        number="INC000000001234",
        summary="Consulta de ejemplo",
        agent="Lucía Martín Ortega",
        customer=SAMPLE_CUSTOMER,
        amount=Decimal("1234.56"),
        note="Texto del agente",
    )


def render_body(body: str, values: dict[str, object]) -> tuple[str, str]:
    """The body as plain text and as HTML. The HTML is the text escaped as a
    whole (the author's words as much as the values) with its paragraphs, so
    nothing in a body or a value can become markup."""
    template = compile_body(body)
    try:
        text = template.render(Context(values, autoescape=False)).strip()
    except Exception as error:  # a body must never break the page that renders it
        raise TemplateRenderError(
            _("The template body cannot be rendered: %(error)s") % {"error": error}
        ) from error
    return text, mark_safe(linebreaks(escape(text)))
