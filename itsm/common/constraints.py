"""Constraints and indexes several apps declare alike."""

from django.db import models


def unique_unless_blank(*fields: str, name: str) -> models.UniqueConstraint:
    """``fields`` unique together among the rows where the last of them is
    not blank: a code, an id or a number that may be left out any number of
    times but, once given, names one row."""
    return models.UniqueConstraint(
        fields=list(fields), condition=~models.Q(**{fields[-1]: ""}), name=name
    )


def sparse_index(field: str, *, name: str, blank: bool = False) -> models.Index:
    """An index of the few rows where ``field`` is set (not null; with
    ``blank``, not empty): small, and what finds those rows at once."""
    condition = ~models.Q(**{field: ""}) if blank else models.Q(**{f"{field}__isnull": False})
    return models.Index(fields=[field], condition=condition, name=name)


def fields_differ(field: str, other: str, *, name: str) -> models.CheckConstraint:
    """``field`` never holds the same value as ``other`` on one row (a link
    from a ticket to itself, say)."""
    return models.CheckConstraint(condition=~models.Q(**{field: models.F(other)}), name=name)
