"""Prepared statements on PostgreSQL, for the queries whose plan does not
depend on their values.

PostgreSQL plans every query it is sent. For the small queries of a page
(a ticket by its number, its journal, the open tickets of a console)
planning costs more than running: about 1 ms of PostgreSQL's 2 ms a request
in the agents' mix. A statement prepared on a connection (``PREPARE``) is
parsed once and, after a few runs, planned once, for no value in
particular: right for keys (a number, an id, a list of ids) and constants,
wrong for a value whose selectivity varies (a name, a text, the time: a
console comparing with *now* got a plan 10× slower). So nothing is
prepared unless its caller says so: a ``Statement`` (whose values are keys)
or a block of code inside ``prepared_queries()``.

On with ``PREPARED_STATEMENTS`` in the database's settings
(``DATABASE_PREPARED_STATEMENTS``) and connections that outlive a request
(``CONN_MAX_AGE`` not 0: preparing for one run is a round trip lost); off
behind a pgbouncer that pools by transaction, where a connection's next
query may reach another server session.
"""

import logging
import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager, nullcontext
from itertools import count
from weakref import WeakKeyDictionary

from django.db import DatabaseError, connections, transaction

logger = logging.getLogger(__name__)

_PLACEHOLDER = re.compile("%%|%s")
_SERIAL = count(1)
# A statement's body → the name it is prepared under, in every connection
# of the process. Bounded: past it the names start again (connections keep
# what they prepared until they close, DATABASE_CONN_MAX_AGE at most).
MAX_NAMED = 256
_names: dict[str, str] = {}
# Bodies the server would not prepare (a parameter of no type it can tell).
_refused: set[str] = set()
# A driver's connection → the names prepared on it; a new connection
# prepares again.
_prepared_on: WeakKeyDictionary = WeakKeyDictionary()


def enabled(connection) -> bool:
    settings = connection.settings_dict
    return (
        connection.vendor == "postgresql"
        and bool(settings.get("PREPARED_STATEMENTS"))
        and settings.get("CONN_MAX_AGE") != 0
    )


def statement_body(connection, sql: str, params, values: Collection[int] = ()) -> str:
    """Django's ``sql`` as a statement to prepare: the parameters at
    ``values`` (their positions) become ``$1``, ``$2``…, the others are
    written in as literals. A constant must be: a partial index (the open
    tickets') serves a query only if the planner sees its values."""
    positions, numbers = count(), count(1)

    def place(found: re.Match) -> str:
        if found.group() == "%%":
            return "%"
        position = next(positions)
        if position in values:
            return f"${next(numbers)}"
        return connection.ops.compose_sql("%s", [params[position]])

    return _PLACEHOLDER.sub(place, sql)


def runnable(connection, body: str, parameters: int) -> str | None:
    """``EXECUTE`` of ``body`` (see ``statement_body``) with that many
    parameters, prepared on this connection first if need be; None when the
    server would not prepare it (run the query as it is)."""
    if body in _refused:
        return None
    name = _names.get(body)
    if name is None:
        if len(_names) >= MAX_NAMED:
            _names.clear()
        name = _names[body] = f"itsm_prepared_{next(_SERIAL)}"
    connection.ensure_connection()
    names = _prepared_on.setdefault(connection.connection, set())
    if name not in names:
        if not _prepare(connection, name, body):
            return None
        names.add(name)
    if not parameters:
        return f"EXECUTE {name}"
    return f"EXECUTE {name}({', '.join(['%s'] * parameters)})"


def _prepare(connection, name: str, body: str) -> bool:
    # Inside a transaction, in a savepoint of its own: a refusal must not
    # break the caller's transaction. The prepared statement outlives both.
    in_transaction = connection.in_atomic_block
    guard = transaction.atomic(using=connection.alias) if in_transaction else nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {body}")
    except DatabaseError:
        logger.warning("not prepared, run as it is: %s", body, exc_info=True)
        _refused.add(body)
        return False
    return True


@contextmanager
def prepared_queries(using: str = "default", *, when: bool = True) -> Iterator[None]:
    """Every SELECT run on that database inside the block is prepared with
    its values written in: for queries that run again exactly alike (a
    console's first page); ``when`` False, none is."""
    connection = connections[using]
    if not (when and enabled(connection)):
        yield
        return

    def prepare(execute, sql, params, many, context):
        if many or params is None or not sql.lstrip("(").startswith("SELECT"):
            return execute(sql, params, many, context)
        prepared = runnable(connection, statement_body(connection, sql, params), 0)
        if prepared is None:
            return execute(sql, params, many, context)
        return execute(prepared, (), many, context)

    with connection.execute_wrapper(prepare):
        yield
