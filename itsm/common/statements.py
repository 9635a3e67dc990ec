"""Querysets of a fixed shape whose SQL Django writes once per process.

Django writes a queryset's SQL anew each time it runs: the columns, the
joins, the order, every name quoted. For the small queries a ticket page
makes (its journal, its mail, its relations, the customer's open tickets)
that took longer than the database took to answer them: 0.15–0.5 ms each,
a quarter of the page.

A ``Statement`` builds its queryset once per shape with
markers in place of its values, keeps the SQL and where each marker landed
among the parameters, and answers later calls with the same SQL and their
values put there. Rows come back through Django's own iterables (model
instances, ``values()``, named tuples), converters and related rows
included. Only the queryset returned, evaluated as it is, uses the kept
SQL: anything chained on it (``filter``, a slice, ``count``) is written by
Django as usual.

Values are ints, strings and aware datetimes, or lists and tuples of them
(one kept SQL per length), each of which must reach the query as a parameter
of its own (``field=value``, ``field__in=values``, ``field__lt=moment``): a
value Django rewrites (``__contains`` wraps it in ``%``) or writes into the
SQL (a slice's LIMIT) is refused on first use. A datetime is put in as the
database takes it (SQLite: text in the connection's time zone), as Django
would for a date and time field. What shapes the query but is no parameter (a model, a limit,
whether a row is left out) goes in ``shape``, part of the key. The build
must compute no value of its own (the time, a list read from the database,
anything of the request's language or time zone): the first would be kept;
a build that gives two different queries in a row is refused.

On PostgreSQL the kept SQL is also prepared once per connection when the
database's settings ask for it (``itsm/common/prepared.py``), its values as
the statement's parameters: they are keys (a number, an id, a list of ids),
whose plan does not depend on them. A datetime among them is for a query a
key already narrows (a customer's tickets past a cursor's time): its plan
does not depend on the time either; a query over a whole table by its time
(the tickets about to breach) must not be a ``Statement``.
"""

from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import count
from weakref import WeakKeyDictionary

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query

from itsm.common import prepared

# What the compiler sets while writing the SQL and reads while turning the
# rows into results.
_COMPILER_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")

# Markers no desk value takes: numbers just below the top of a 32-bit
# integer (the range every integer column accepts: Django answers a value out
# of a column's range without asking), strings with NULs, microseconds of a
# day nine centuries before the desk's first ticket.
_MARKER_SEQUENCE = count(1)
_MARKER_DAY = datetime(1111, 11, 11, tzinfo=UTC)


def _marker_for(value) -> object:
    serial = next(_MARKER_SEQUENCE)
    if isinstance(value, datetime):
        return _MARKER_DAY + timedelta(microseconds=serial)
    if isinstance(value, int):
        return 2_100_000_000 - serial
    return f"\x00statement-marker-{serial}\x00"


def _is_value(value) -> bool:
    if isinstance(value, datetime):
        return value.tzinfo is not None
    return isinstance(value, (int, str)) and not isinstance(value, bool)


class _Kept:
    """The SQL of one shape, where each value goes and the compiler's state."""

    def __init__(
        self, sql: str, slots: list, state: dict, template: QuerySet, adapters: dict
    ) -> None:
        self.sql, self.slots, self.state = sql, slots, state
        self.template = template  # built with the markers, never run
        self.values = frozenset(i for i, slot in enumerate(slots) if isinstance(slot, int))
        # Value's position → what puts it in as the database takes it.
        self.adapters = adapters
        self.body = None  # to prepare: the values as $1…, the constants written in
        # Per connection: the columns' converters and the expressions they are for.
        self.converters: WeakKeyDictionary = WeakKeyDictionary()

    def params(self, flat: list) -> tuple:
        return tuple(flat[slot] if isinstance(slot, int) else slot[1] for slot in self.slots)

    def sql_and_params(self, connection, flat: list) -> tuple[str, tuple]:
        """What to send: the kept SQL, or EXECUTE where it is prepared."""
        if self.adapters:
            flat = [
                self.adapters[i](value) if i in self.adapters else value
                for i, value in enumerate(flat)
            ]
        params = self.params(flat)
        if prepared.enabled(connection):
            if self.body is None:
                self.body = prepared.statement_body(connection, self.sql, params, self.values)
            execute = prepared.runnable(connection, self.body, len(self.values))
            if execute is not None:
                return execute, tuple(flat[slot] for slot in self.slots if isinstance(slot, int))
        return self.sql, params

    def converters_for(self, compiler, expressions) -> dict:
        """``compiler.get_converters``, worked out once per connection: for
        every column Django asks the backend and the field what turns the
        database's value into Python's, a third of a small query's time."""
        found = self.converters.get(compiler.connection)
        key = tuple(map(id, expressions))
        if found is not None and found[0] == key:
            return found[1]
        converters = type(compiler).get_converters(compiler, expressions)
        self.converters[compiler.connection] = (key, converters)
        return converters


class _KeptQuery(Query):
    """A query answered with kept SQL. Never changed in place: Django clones
    a query before changing it, and a clone is the call's own queryset built
    anew with its values, a plain query Django writes as usual."""

    kept: _Kept
    flat_values: list
    rebuild: Callable[[], QuerySet]

    def clone(self):
        return self.rebuild().query

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        compiler.__dict__.update(self.kept.state)
        kept, flat = self.kept, self.flat_values
        compiler.as_sql = lambda *args, **kwargs: kept.sql_and_params(compiler.connection, flat)
        compiler.get_converters = partial(kept.converters_for, compiler)
        return compiler


class Statement:
    """``build(*shape, *values)`` → a queryset, its SQL written once per
    shape (see the module's docstring)."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._kept: dict[Hashable, _Kept] = {}

    def __call__(self, *values, shape: tuple = ()) -> QuerySet:
        flat = []
        lengths = []
        for value in values:
            listed = isinstance(value, (list, tuple))
            items = list(value) if listed else [value]
            if not all(_is_value(item) for item in items):
                raise ImproperlyConfigured(
                    f"{value!r}: a Statement takes ints, strings and aware datetimes"
                )
            if not items:
                # Django answers an empty list without a query.
                return self.build(*shape, *values)
            flat.extend(items)
            lengths.append(len(items) if listed else None)
        key = (shape, tuple(lengths))
        kept = self._kept.get(key)
        if kept is None:
            kept = self._kept[key] = self._write(shape, values)
        # The queryset built with markers, copied: building it with the
        # call's values would cost as much as writing its SQL (a UNION of
        # two kinds, 0.5 ms); the copies share what is never changed.
        template = kept.template
        query = _KeptQuery.__new__(_KeptQuery)
        query.__dict__.update(template.query.__dict__)
        query.kept, query.flat_values = kept, flat
        query.rebuild = partial(self.build, *shape, *values)
        queryset = type(template).__new__(type(template))
        queryset.__dict__.update(template.__dict__)
        # Not through the ``query`` setter, which turns named rows into dicts.
        queryset._query = query
        return queryset

    def first(self, *values, shape: tuple = ()):
        """The first row the call gives, or None: no LIMIT chained, which
        would have Django write the SQL anew."""
        return next(iter(self(*values, shape=shape)), None)

    def _write(self, shape: tuple, values: tuple) -> _Kept:
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
        template = self.build(*shape, *marked)
        written = []
        for _ in range(2):
            compiler = self.build(*shape, *marked).query.get_compiler(using=template.db)
            try:
                written.append(compiler.as_sql())
            except EmptyResultSet:
                raise ImproperlyConfigured("a Statement's query is empty by its values") from None
        if written[0] != written[1]:
            # The build computed a value of its own (the time, a list read
            # from the database): it would be kept as first written.
            raise ImproperlyConfigured("a Statement's build must give the same query twice")
        sql, params = written[0]
        adapters = self._adapters(template.db, markers)
        slots = []
        found = set()
        for param in params:
            position = markers.get(param) if isinstance(param, Hashable) else None
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
        return _Kept(sql, slots, state, template, adapters)

    @staticmethod
    def _adapters(using: str, markers: dict) -> dict:
        """A datetime reaches the SQL's parameters as the database takes it
        (text on SQLite): each datetime marker is found by that form too, and
        each call's datetimes are put in the same way."""
        adapt = connections[using].ops.adapt_datetimefield_value
        adapters = {}
        for marker, position in list(markers.items()):
            if isinstance(marker, datetime):
                adapted = adapt(marker)
                if adapted is not marker:
                    markers[adapted] = position
                    adapters[position] = adapt
        return adapters
