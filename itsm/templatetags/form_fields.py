"""``{{ field|as_field }}``: the one field renderer of every page.

It writes Bootstrap 5 form markup in Python, the markup of crispy-forms'
Bootstrap 5 pack (the same elements, attributes and text; only the
whitespace between tags differs): crispy's ``|as_crispy_field`` renders
``bootstrap5/field.html`` and three nested templates per field, and on the
console and the ticket page, with two dozen fields each, that was a third of
their time. ``itsm/tests/test_form_fields.py`` checks every field of every
page against crispy's own rendering, which the tests keep as the reference.
"""

from django import forms, template
from django.conf import settings
from django.forms import BoundField
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _add_classes(field: BoundField, classes: str) -> None:
    """What crispy's ``{% crispy_field field 'class' '…' %}`` does to the
    widget before rendering it: the widget's own name as a class, then the
    Bootstrap classes."""
    widget = field.field.widget
    widgets = getattr(widget, "widgets", [getattr(widget, "widget", widget)])
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    for each in widgets:
        class_name = each.__class__.__name__.lower()
        class_name = converters.get(class_name, class_name)
        css_class = each.attrs.get("class", "")
        if css_class:
            if css_class.find(class_name) == -1:
                css_class += f" {class_name}"
        else:
            css_class = class_name
        each.attrs["class"] = css_class
        present = css_class.split()
        for name in classes.split():
            if name not in present:
                each.attrs["class"] += f" {name}"
                present.append(name)


def _errors_and_help(field: BoundField) -> str:
    """``bootstrap5/layout/help_text_and_errors.html`` (errors as a block,
    help text below)."""
    parts = []
    if field.errors:
        parts.append(
            format_html('<div id="{}_error" class="invalid-feedback">', field.errors.field_id)
        )
        for counter, error in enumerate(field.errors, start=1):
            parts.append(
                format_html(
                    '<p id="error_{}_{}"><strong>{}</strong></p>', counter, field.auto_id, error
                )
            )
        parts.append("</div>")
    if field.help_text:
        ident = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
        parts.append(f'<div {ident}class="form-text">{field.help_text}</div>')
    return "".join(parts)


def _label_text(field: BoundField) -> str:
    asterisk = '<span class="asteriskField">*</span>' if field.field.required else ""
    return f"{conditional_escape(field.label)}{asterisk}"


def _file_input(field: BoundField) -> str:
    """``bootstrap5/layout/field_file.html`` for a file input without an
    initial file."""
    parts = []
    for widget in field.subwidgets:
        data = widget.data
        extra = "".join(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{conditional_escape(f"{value}")}"'
            for name, value in data["attrs"].items()
            if value is not False and name != "class"
        )
        own_class = data["attrs"].get("class")
        css = "form-control" + (f" {conditional_escape(own_class)}" if own_class else "")
        invalid = " is-invalid" if field.errors else ""
        wrapper = '<div class="is-invalid">' if field.errors else "<div>"
        parts.append(
            f"{wrapper}"
            f'<input type="{conditional_escape(data["type"])}" '
            f'name="{conditional_escape(data["name"])}" class="{css}{invalid}"'
            f"{' disabled' if field.field.disabled else ''}{extra}>"
            f"{_errors_and_help(field)}</div>"
        )
    return "".join(parts)


@register.filter
def as_field(field: BoundField) -> SafeString:
    if field.is_hidden:
        return mark_safe(str(field))
    invalid = " is-invalid" if field.errors else ""
    required = " requiredField" if field.field.required else ""
    css_classes = field.css_classes()
    extra_classes = f" {conditional_escape(css_classes)}" if css_classes else ""
    widget = field.field.widget

    if isinstance(widget, forms.CheckboxInput):
        _add_classes(field, f"form-check-input{invalid}")
        return mark_safe(
            f'<div class="mb-3"><div id="div_{field.auto_id}" class="form-check{extra_classes}">'
            f"{field}"
            f'<label for="{field.id_for_label}" class="form-check-label{required}">'
            f"{_label_text(field)}</label>{_errors_and_help(field)}</div></div>"
        )

    parts = [f'<div id="div_{field.auto_id}" class="mb-3{extra_classes}">']
    fieldset = field.use_fieldset and bool(field.label)
    if field.label:
        tag = "legend" if field.use_fieldset else "label"
        if fieldset:
            described = field.aria_describedby
            parts.append(
                format_html('<fieldset aria-describedby="{}">', described)
                if described
                else "<fieldset>"
            )
        target = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
        parts.append(
            f'<{tag}{target} class="form-label{required}{" fs-6" if fieldset else ""}">'
            f"{_label_text(field)}</{tag}>"
        )
    if isinstance(widget, forms.FileInput):
        parts.append(_file_input(field))
    else:
        base = "form-select" if isinstance(widget, forms.Select) else "form-control"
        _add_classes(field, f"{base}{invalid}")
        parts.append(f"{field}{_errors_and_help(field)}")
    if fieldset:
        parts.append("</fieldset>")
    parts.append("</div>")
    return mark_safe("".join(parts))


@register.filter
def hidden_fields_and_errors(form: forms.Form) -> SafeString:
    """A quick-action form's errors and hidden fields, in Python: the ticket
    page shows six such forms, and an include each cost more than the rest
    of the form."""
    parts = []
    non_field_errors = form.non_field_errors()
    if non_field_errors:
        errors = format_html_join("", "<div>{}</div>", ((error,) for error in non_field_errors))
        parts.append(f'<div class="alert alert-danger py-2">{errors}</div>')
    parts.append("\n")
    for field in form.hidden_fields():
        parts.append(str(field))
        parts.extend(
            format_html('<div class="alert alert-danger py-2">{}</div>', error)
            for error in field.errors
        )
    parts.append("\n")
    return mark_safe("".join(parts))  # noqa: S308 - widgets and format_html escape


@register.filter
def chosen_labels(field: BoundField) -> str:
    """What a multiple-choice filter's picker says when closed: the labels of
    its ticked boxes (itsm.js says the same while the user ticks them)."""
    return ", ".join(str(choice.choice_label) for choice in field if choice.data["selected"])
