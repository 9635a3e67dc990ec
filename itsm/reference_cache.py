"""The option lists every console filter form and ticket form shows (support
groups, templates, status reasons, agents), rendered once and kept in Django's
cache for ``ITSM_REFERENCE_CACHE_SECONDS``: on PostgreSQL each of them is a
round trip per request for rows that rarely change.

Only what the page *shows* comes from the cache; a submitted value is still
validated by the field's queryset, so a choice retired a second ago is
refused. The admin clears the lists when it changes a group, template or
reason (``clear_reference_choices``); other processes see the change when
their copy expires.
"""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.forms.models import ModelChoiceIteratorValue
from django.utils.translation import get_language

GENERATION_KEY = "itsm:reference:generation"


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = 0
        cache.add(GENERATION_KEY, generation, timeout=None)
    return generation


def clear_reference_choices() -> None:
    """Forget every cached option list (all kinds, variants and languages)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)


def _key(name: str) -> str:
    return f"itsm:reference:{_generation()}:{get_language()}:{name}"


def _plain(choices) -> list[tuple[str, str]]:
    """The rendered options as strings (picklable, lazy labels translated)."""
    plain = []
    for value, label in choices:
        if isinstance(value, ModelChoiceIteratorValue):
            value = value.value
        plain.append(("" if value is None else str(value), str(label)))
    return plain


def cached_rows(name: str, load: Callable[[], list]) -> list:
    """``load()``'s result, from the cache while it lasts."""
    key = _key(name)
    rows = cache.get(key)
    if rows is None:
        rows = load()
        cache.set(key, rows, settings.ITSM_REFERENCE_CACHE_SECONDS)
    return rows


def reference_choices(field: forms.ChoiceField, name: str) -> list[tuple[str, str]]:
    """``field``'s options as its queryset and labels render them, from the
    cache under ``name``; the queryset runs only when the copy is missing or
    stale. The field itself is left alone (see ``show_choices``)."""
    return cached_rows(name, lambda: _plain(field.choices))


def show_choices(field: forms.ChoiceField, choices: list[tuple[str, str]]) -> None:
    """Render ``field`` with ``choices``; validation still uses its queryset."""
    # Django's own setter: django-filter's would wrap the list in its iterator again.
    forms.ChoiceField.choices.fset(field, choices)


def offers(choices: list[tuple[str, str]], pk) -> bool:
    return pk is None or str(pk) in {value for value, _label in choices}
