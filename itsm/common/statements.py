"""Querysets of a fixed shape whose SQL Django writes once per process.

Django writes a queryset's SQL anew each time it runs: the columns, the
joins, the order, every name quoted. For the small queries a ticket page
makes (its journal, its mail, its relations, the customer's open tickets)
that took longer than the database took to answer them: 0.15–0.5 ms each,
a quarter of the page.

A ``Statement`` builds its queryset once per database and shape with
markers in place of its values, keeps the SQL and where each marker landed
among the parameters, and answers later calls with the same SQL and their
values put there. Rows come back through Django's own iterables (model
instances, ``values()``, named tuples), converters and related rows
included. Only the queryset returned, evaluated as it is, uses the kept
SQL: anything chained on it (``filter``, a slice, ``count``) is written by
Django as usual.

Values are ints and strings, or lists and tuples of them (one kept SQL per
length), each of which must reach the query as a parameter of its own
(``field=value``, ``field__in=values``): a value Django rewrites (``__contains``
wraps it in ``%``) or writes into the SQL (a slice's LIMIT) is refused on
first use. What shapes the query but is no parameter (a model, a limit,
whether a row is left out) goes in ``shape``, part of the key. The build
must compute no value of its own (the time, a list read from the database,
anything of the request's language or time zone): the first would be kept;
a build that gives two different queries in a row is refused.
"""

from collections.abc import Callable, Hashable
from itertools import count

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db.models import QuerySet
from django.db.models.sql import Query

# What the compiler sets while writing the SQL and reads while turning the
# rows into results.
_COMPILER_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")

# Markers no desk value takes: numbers just below the top of a 32-bit
# integer (the range every integer column accepts: Django answers a value out
# of a column's range without asking), strings with NULs.
_MARKER_SEQUENCE = count(1)


def _marker_for(value) -> object:
    serial = next(_MARKER_SEQUENCE)
    if isinstance(value, int):
        return 2_100_000_000 - serial
    return f"\x00statement-marker-{serial}\x00"


def _is_value(value) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


class _Kept:
    """The SQL of one shape, where each value goes and the compiler's state."""

    def __init__(self, sql: str, slots: list, state: dict) -> None:
        self.sql, self.slots, self.state = sql, slots, state

    def params(self, flat: list) -> tuple:
        return tuple(flat[slot] if isinstance(slot, int) else slot[1] for slot in self.slots)


class _KeptQuery(Query):
    """A query answered with kept SQL; any clone is a plain query again."""

    kept: _Kept
    flat_values: list

    def clone(self):
        plain = super().clone()
        plain.__class__ = Query
        del plain.kept, plain.flat_values
        return plain

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        compiler.__dict__.update(self.kept.state)
        sql_and_params = (self.kept.sql, self.kept.params(self.flat_values))
        compiler.as_sql = lambda *args, **kwargs: sql_and_params
        return compiler


class Statement:
    """``build(*shape, *values)`` → a queryset, its SQL written once per
    database and shape (see the module's docstring)."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._kept: dict[Hashable, _Kept] = {}

    def __call__(self, *values, shape: tuple = ()) -> QuerySet:
        queryset = self.build(*shape, *values)
        flat = []
        lengths = []
        for value in values:
            listed = isinstance(value, (list, tuple))
            items = list(value) if listed else [value]
            if not all(_is_value(item) for item in items):
                raise ImproperlyConfigured(f"{value!r}: a Statement takes ints and strings")
            if not items:
                return queryset  # Django answers an empty list without a query
            flat.extend(items)
            lengths.append(len(items) if listed else None)
        key = (queryset.db, shape, tuple(lengths))
        kept = self._kept.get(key)
        if kept is None:
            kept = self._kept[key] = self._write(queryset.db, shape, values)
        query = queryset.query.clone()
        query.__class__ = _KeptQuery
        query.kept, query.flat_values = kept, flat
        # Not through the ``query`` setter, which turns named rows into dicts.
        queryset._query = query
        return queryset

    def _write(self, db: str, shape: tuple, values: tuple) -> _Kept:
        """The SQL with markers in place of the values, and where each went."""
        markers = {}
        marked = []
        for value in values:
            if isinstance(value, (list, tuple)):
                items = [_marker_for(item) for item in value]
                marked.append(type(value)(items))
            else:
                items = [_marker_for(value)]
                marked.append(items[0])
            for item in items:
                markers[item] = len(markers)
        written = []
        for _ in range(2):
            compiler = self.build(*shape, *marked).query.get_compiler(using=db)
            try:
                written.append(compiler.as_sql())
            except EmptyResultSet:
                raise ImproperlyConfigured("a Statement's query is empty by its values") from None
        if written[0] != written[1]:
            # The build computed a value of its own (the time, a list read
            # from the database): it would be kept as first written.
            raise ImproperlyConfigured("a Statement's build must give the same query twice")
        sql, params = written[0]
        slots = []
        found = set()
        for param in params:
            position = markers.get(param) if _is_value(param) else None
            if position is None:
                slots.append(("constant", param))
            else:
                slots.append(position)
                found.add(position)
        missing = set(markers.values()) - found
        if missing or any(str(marker) in sql for marker in markers):
            raise ImproperlyConfigured(
                "every value of a Statement must reach its query as a parameter of its own"
            )
        state = {name: getattr(compiler, name) for name in _COMPILER_STATE}
        return _Kept(sql, slots, state)
