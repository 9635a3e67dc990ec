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

import secrets
import time
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.forms.models import ModelChoiceIteratorValue
from django.utils.translation import get_language

GENERATION_KEY = "itsm:reference:generation"

# Each process also keeps the lists it has read, under the generation they
# belong to, and reads the generation from the shared cache at most once a
# LOCAL_SECONDS: a page then asks the shared cache nothing for its lists
# (a ticket page asked it a dozen times). A change made in this process is
# seen here at once, one made in another within that second. What
# ``cached_rows`` returns is shared: callers read it, never change it.
LOCAL_SECONDS = 1.0
LOCAL_MAX_LISTS = 500
_local: dict = {"generation": None, "until": 0.0, "rows": {}}


def forget_local_lists() -> None:
    """This process's copies go; the shared cache is read again."""
    _local.update(generation=None, until=0.0, rows={})


def _generation() -> int:
    now = time.monotonic()
    if _local["generation"] is not None and now < _local["until"]:
        return _local["generation"]
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A random start: a cache emptied and refilled never brings back a
        # generation some process still holds lists of.
        cache.add(GENERATION_KEY, secrets.randbits(60), timeout=None)
        generation = cache.get(GENERATION_KEY, 0)
    if generation != _local["generation"]:
        _local["rows"] = {}
    _local.update(generation=generation, until=now + LOCAL_SECONDS)
    return generation


def clear_reference_choices() -> None:
    """Forget every cached option list (all kinds, variants and languages)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, secrets.randbits(60), timeout=None)
    forget_local_lists()


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
    now = time.monotonic()
    held = _local["rows"].get(key)
    if held is not None and now < held[1]:
        return held[0]
    rows = cache.get(key)
    if rows is None:
        rows = load()
        cache.set(key, rows, settings.ITSM_REFERENCE_CACHE_SECONDS)
    if len(_local["rows"]) >= LOCAL_MAX_LISTS:
        _local["rows"] = {}
    _local["rows"][key] = (rows, now + settings.ITSM_REFERENCE_CACHE_SECONDS)
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
