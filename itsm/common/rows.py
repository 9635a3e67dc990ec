"""Behaviour several apps' models share, as abstract bases (no table, no
column: what they give is methods), and what every app reads of rows: a
row id from a request, the labels of a field's choices."""

from collections.abc import Mapping
from types import MappingProxyType

from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

# A key no page names, reversed once per view and prefix: the page's URL for
# any other integer key is the same text around it (``get_absolute_url``).
_KEY_MARKER = 918273645
_url_parts: dict[tuple[str, str], tuple[str, str]] = {}


class AppendOnlyError(ValueError):
    """A change or deletion of a row that is written once."""


class AppendOnlyRow(models.Model):
    """A row written once and never changed: a record of what happened
    (a journal entry, a step of a request)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.verbose_name_plural} are append-only.")
        super().save(*args, **kwargs)


class NamedRow(models.Model):
    """A row that people know by its ``name``: lists, choices and the admin
    show that."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class DetailPageRow(models.Model):
    """A row with a page of its own: ``detail_url_name`` names the view,
    which takes the row's key."""

    detail_url_name: str

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        if type(self.pk) is not int:
            return reverse(self.detail_url_name, args=[self.pk])
        return detail_url(self.detail_url_name, self.pk)


def detail_url(url_name: str, pk: int) -> str:
    """The URL of the view ``url_name`` for the integer key ``pk``, reversed
    once per process and script prefix: lists linked a reverse per line (a
    tenth of a search page). Integers need no quoting."""
    key = (url_name, get_script_prefix())
    parts = _url_parts.get(key)
    if parts is None:
        head, tail = reverse(url_name, args=[_KEY_MARKER]).rsplit(str(_KEY_MARKER), 1)
        parts = _url_parts[key] = (head, tail)
    return f"{parts[0]}{pk}{parts[1]}"


def status_in(*statuses: str) -> property:
    """A property true while the row's ``status`` is one of ``statuses``."""
    return property(lambda row: row.status in statuses)


# Ids are 64-bit (``DEFAULT_AUTO_FIELD``): past this one no row has it, and
# the database would refuse the value.
MAX_ID = 2**63 - 1


def row_id(value) -> int | None:
    """``value`` as a row id, or None for anything else (a hand-made URL, a
    number no column holds)."""
    value = str(value or "")
    if not value.isdigit() or int(value) > MAX_ID:
        return None
    return int(value)


def choice_labels(model: type[models.Model], name: str) -> Mapping[str, str]:
    """Value → label of the field ``name`` in the active language, translated
    once per process and language: a lazy label is translated again at every
    use (escaping one, for every character it replaces). The catalogues do
    not change while the process runs."""
    key = (model, name, get_language())
    labels = _choice_labels.get(key)
    if labels is None:
        flat = model._meta.get_field(name).flatchoices
        labels = MappingProxyType({value: str(label) for value, label in flat})
        _choice_labels[key] = labels
    return labels


_choice_labels: dict[tuple, Mapping[str, str]] = {}


class LabelledChoicesRow(models.Model):
    """A row whose ``get_FOO_display()`` reads ``choice_labels``: Django's
    builds a dictionary of the field's choices and translates the label at
    every call, a dozen times a ticket page."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field) -> str:
        value = getattr(self, field.attname)
        try:
            return choice_labels(type(self), field.name).get(value, value)
        except TypeError:  # a value that is no key: Django's own way
            return super()._get_FIELD_display(field)
