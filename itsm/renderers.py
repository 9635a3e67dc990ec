"""The form renderer: Django's, with the plain widgets written in Python.

Django renders every ``<option>`` through two template includes (the option
and its attributes), so a select of 30 options costs milliseconds, and every
input or textarea through two more; the console and the ticket page carry
dozens of them. Here selects, inputs and textareas are written in Python, the
markup byte for byte the one the stock templates produce
(``itsm/tests/test_renderers.py`` compares them). So are a check box or radio
option drawn on its own (``{{ choice.tag }}``, as the consoles' filters draw
theirs) and the two-input date ranges. Other widgets, and widgets that bring
their own templates, keep the templates.
"""

import html
import re

from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
SELECT_TEMPLATE = WIDGETS + "select.html"
OPTION_TEMPLATE = WIDGETS + "select_option.html"
TEXTAREA_TEMPLATE = WIDGETS + "textarea.html"
OPTION_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html" for name in ("input_option", "checkbox_option", "radio_option")
)
# django-filter's range: its inputs, a dash after the first.
RANGE_TEMPLATE = "django_filters/widgets/multiwidget.html"
MULTI_TEMPLATE = WIDGETS + "multiwidget.html"
# The stock templates that are nothing but ``{% include "…/input.html" %}``.
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "hidden",
        "number",
        "email",
        "url",
        "password",
        "search",
        "tel",
        "color",
        "date",
        "datetime",
        "time",
        "checkbox",
        "file",
    )
)


def _text(value) -> str:
    """What ``{{ value }}`` prints. A plain ``str`` (most names, values and
    labels) is only escaped: localizing or coercing it changes nothing, and
    the calls cost more than the escaping."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(force_str(localize(value)))


def _formatted(value) -> str:
    """What ``{{ value|stringformat:'s' }}`` prints."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(value if isinstance(value, str) else f"{value}")


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(parts)


def render_select(widget: dict) -> str:
    """``django/forms/widgets/select.html`` and its options, stripped as the
    renderer strips them."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts).strip()


def render_input(widget: dict) -> str:
    """``django/forms/widgets/input.html``."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def render_textarea(widget: dict) -> str:
    """``django/forms/widgets/textarea.html``."""
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def render_option(widget: dict) -> str:
    """``django/forms/widgets/input_option.html``: the input, in its label
    when asked to wrap it."""
    tag = render_input(widget)
    if not widget.get("wrap_label"):
        return tag
    target = widget["attrs"].get("id")
    label_for = f' for="{_text(target)}"' if target else ""
    return f"<label{label_for}>{tag}\n {_text(widget['label'])}</label>"


def render_inputs(widget: dict, template_name: str) -> str | None:
    """A multi-widget of plain inputs, as its template joins them; ``None``
    when one of them needs its own template."""
    subwidgets = widget["subwidgets"]
    if not all(sub["template_name"] in INPUT_TEMPLATES for sub in subwidgets):
        return None
    # Each input comes out of its include with the newline its template ends
    # with, and one more from the ``text.html``-like wrappers.
    parts = [
        render_input(sub) + ("\n" if sub["template_name"].endswith("input.html") else "\n\n")
        for sub in subwidgets
    ]
    if template_name == RANGE_TEMPLATE:
        return (parts[0] + "-" + "".join(parts[1:])).strip()
    return re.sub(r">\s+<", "><", "".join(parts).strip())


class DeskBoundField(BoundField):
    """A field of an unbound form never has errors, yet rendering one reads
    them five times (its classes, its widget's ``aria-*``, the help and
    errors below it), each read making a new empty list: made once here."""

    @property
    def errors(self):
        if self.form.is_bound:
            return super().errors
        empty = self.__dict__.get("_no_errors")
        if empty is None:
            empty = self._no_errors = self.form.error_class(renderer=self.form.renderer)
        return empty


class FormRenderer(DjangoTemplates):
    bound_field_class = DeskBoundField

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None:
            if template_name in INPUT_TEMPLATES:
                return render_input(widget)
            if template_name in OPTION_TEMPLATES:
                return render_option(widget)
            if template_name in (RANGE_TEMPLATE, MULTI_TEMPLATE):
                html = render_inputs(widget, template_name)
                if html is not None:
                    return html
            if template_name == TEXTAREA_TEMPLATE:
                return render_textarea(widget)
            if template_name == SELECT_TEMPLATE and all(
                option["template_name"] == OPTION_TEMPLATE
                for _name, options, _index in widget["optgroups"]
                for option in options
            ):
                return render_select(widget)
        return super().render(template_name, context, request=request)
