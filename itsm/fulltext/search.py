"""The hits: the entries matching every word of a query, newest first, with
a snippet, as the magnifier, the consoles' *Texto* filter and the mailbox
ask for them."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString

from itsm.common.fulltext import highlight, query_stems
from itsm.fulltext import query as plans
from itsm.fulltext.sources import source_named
from itsm.models import TextIndexEntry

DEFAULT_LIMIT = 20


def matching_entries(query: str, sources: Iterable[str] | None = None) -> QuerySet:
    """The index entries that match every word of ``query`` (none when it has
    no searchable word), for a subquery: ``ticket_number__in=…``."""
    match = plans.matching_ids_sql(query)
    entries = TextIndexEntry.objects.all()
    if sources is not None:
        entries = entries.filter(source__in=list(sources))
    if match is None:
        return entries.none()
    return entries.filter(id__in=RawSQL(*match))


def matching_ticket_numbers(query: str, sources: Iterable[str] | None = None) -> QuerySet:
    """The numbers of the tickets with a text matching ``query``, for
    ``number__in=…``."""
    return (
        matching_entries(query, sources).filter(ticket_number__isnull=False).values("ticket_number")
    )


@dataclass
class Hit:
    source: str
    key: str
    ticket_number: str | None
    updated_at: datetime
    rank: float
    snippet: SafeString = field(repr=False)


def search(
    query: str,
    sources: Iterable[str] | None = None,
    *,
    limit: int = DEFAULT_LIMIT,
    after: tuple[datetime, int] | None = None,
    user=None,
    per_ticket: bool = False,
    with_ticket: bool = False,
) -> list[Hit]:
    """The newest ``limit`` texts matching every word of ``query``, each with a
    snippet (matched words in ``<mark>``, the rest escaped). ``after`` is the
    (updated_at, id) of the last hit of the previous page. With ``user``, the
    hits a source's ``visible`` hides are left out; ``with_ticket`` keeps only
    the texts of a ticket, ``per_ticket`` only the newest hit of each ticket
    (and every hit without one). Two queries: how common the words are, then
    the hits."""
    if plans.match_sql(query) is None or limit <= 0:
        return []
    common = plans.is_common(query)
    match_sql, match_params = plans.match_sql(query, common=common)
    source_list = list(sources) if sources is not None else None
    sql, params = plans.hits_sql(match_sql, source_list, after, with_ticket, common)
    rank_params = match_params if connection.vendor == "postgresql" else []
    # Room for the hits ``per_ticket`` and ``visible`` drop.
    fetch = limit * 4 if (per_ticket or user is not None) else limit
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rank_params, *match_params, *params, fetch])
        rows = cursor.fetchall()
    rows = _visible(rows, user) if user is not None else rows
    if per_ticket:
        rows = list(_newest_per_ticket(rows))
    rows = rows[:limit]
    wanted = query_stems(query[: plans.MAX_QUERY_CHARS])
    return [
        Hit(
            source=source,
            key=key,
            ticket_number=ticket_number,
            updated_at=_aware(updated_at),
            rank=float(rank),
            snippet=highlight(text, wanted),
        )
        for _id, source, key, ticket_number, updated_at, rank, text in rows
    ]


def _aware(value) -> datetime:
    if isinstance(value, str):  # SQLite through a raw cursor
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _visible(rows: list, user) -> list:
    by_source: dict[str, set[str]] = {}
    for row in rows:
        by_source.setdefault(row[1], set()).add(row[2])
    allowed: dict[str, set[str]] = {}
    for name, keys in by_source.items():
        source = source_named(name)
        if source is None:
            allowed[name] = set()
        elif source.visible is None:
            allowed[name] = keys
        else:
            allowed[name] = source.visible(user, keys)
    return [row for row in rows if row[2] in allowed[row[1]]]


def _newest_per_ticket(rows: list) -> Iterator:
    seen: set[str] = set()
    for row in rows:
        number = row[3]
        if number is None or number not in seen:
            if number is not None:
                seen.add(number)
            yield row
