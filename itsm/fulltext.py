"""Full-text search over what the desk wrote and received: one index
(``TextIndexEntry``) fed by registered sources, searched the same way on
PostgreSQL (a ``tsvector`` under GIN) and SQLite (FTS5), both over the
Snowball stems of ``itsm.common.fulltext`` so that they answer alike.

Each source is registered by the app that owns its texts (the core registers
tickets and journal notes; the e-mail app its mail; the knowledge base its
articles), the way kinds and charts register, so the core imports none of
them. Writers call ``index_text`` in the transaction that writes the text, at
the cost of one INSERT … ON CONFLICT per text; the core does it for tickets
and notes from the events the services already publish (``itsm.events``)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from itsm import events as announced
from itsm.common.fulltext import highlight, query_stems, stems
from itsm.kinds import all_kinds
from itsm.models import TextIndexEntry
from itsm.models.fulltext import POSTGRES_CONFIG, SQLITE_FTS_TABLE

# A mail of a megabyte is indexed by its beginning: PostgreSQL refuses a
# tsvector over 1 MB, and what matters is said first.
MAX_INDEXED_CHARS = 50_000
REBUILD_BATCH = 2_000
DEFAULT_LIMIT = 20
# The longest query read (the rest is dropped, as ``query_stems`` drops words).
MAX_QUERY_CHARS = 200

TICKET = "ticket"
WORK_INFO = "work_info"


@dataclass(frozen=True)
class Row:
    """One text of a source, as the rebuild reads it."""

    key: str
    text: str
    updated_at: datetime
    ticket_number: str | None = None


@dataclass(frozen=True)
class Source:
    name: str
    # What the user reads beside a hit ("Nota", "Correo recibido"…).
    label: str
    # Every text of the source, for ``rebuild_text_index``.
    rows: Callable[[], Iterable[Row]]
    # ``visible(user, keys) -> keys``: which hits ``user`` may see. None: any
    # user who may search (an agent) sees them all.
    visible: Callable[[object, set[str]], set[str]] | None = None


_SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> None:
    _SOURCES[source.name] = source


def unregister_source(name: str) -> None:
    _SOURCES.pop(name, None)


def registered_sources() -> tuple[Source, ...]:
    return tuple(_SOURCES.values())


def source_label(name: str) -> str:
    source = _SOURCES.get(name)
    return str(source.label) if source is not None else name


def _entry(source: str, key: str, text: str, ticket_number, updated_at) -> TextIndexEntry:
    text = text[:MAX_INDEXED_CHARS]
    return TextIndexEntry(
        source=source,
        key=key,
        ticket_number=ticket_number or None,
        updated_at=updated_at or timezone.now(),
        text=text,
        stems=" ".join(stems(text)),
    )


def _write(entries: list[TextIndexEntry]) -> None:
    TextIndexEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["source", "key"],
        update_fields=["ticket_number", "updated_at", "text", "stems"],
    )


def index_text(
    source: str,
    key: str,
    text: str,
    ticket_number: str | None = None,
    updated_at: datetime | None = None,
) -> None:
    """Index (or index again) one text, in the caller's transaction: one
    INSERT … ON CONFLICT DO UPDATE. An empty text removes it."""
    if source not in _SOURCES:
        raise ValueError(f"Unknown full-text source {source!r}")
    if not text.strip():
        remove(source, key)
        return
    _write([_entry(source, str(key), text, ticket_number, updated_at)])


def remove(source: str, key: str) -> None:
    TextIndexEntry.objects.filter(source=source, key=str(key)).delete()


def _match_sql(query: str, *, common: bool = False) -> tuple[str, list] | None:
    """The condition on ``itsm_textindexentry`` (as ``e``) that every word of
    ``query`` matches, or None when it has no searchable word. ``common``:
    written for a walk of the entries newest first that tests each one (on
    SQLite, one FTS5 look-up per row instead of reading every match)."""
    wanted = query_stems(query[:MAX_QUERY_CHARS])
    if not wanted:
        return None
    if connection.vendor == "postgresql":
        return (f"e.document @@ plainto_tsquery('{POSTGRES_CONFIG}', %s)", [" ".join(wanted)])
    phrase = " ".join(f'"{s}"' for s in wanted)
    fts = SQLITE_FTS_TABLE
    if common:
        return (
            f"EXISTS (SELECT 1 FROM {fts} WHERE {fts} MATCH %s AND {fts}.rowid = e.id)",
            [phrase],
        )
    return (f"e.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)", [phrase])


# Past this many matching texts a query is "common": the newest hits are
# found by walking the entries newest first (itsm_textindex_updated_idx) and
# testing each; below it, by reading every match from the text index and
# sorting them. Either plan is fast in its case and slow in the other, and
# the planners cannot tell (PostgreSQL estimates a word's frequency from
# samples; SQLite does not know it at all), so one cheap count decides.
COMMON_MATCHES = 2_000


def _is_common(query: str) -> bool:
    match = _match_sql(query)
    sql, params = match
    table = TextIndexEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} e WHERE {sql} LIMIT %s) s",
            [*params, COMMON_MATCHES],
        )
        return cursor.fetchone()[0] >= COMMON_MATCHES


def matching_entries(query: str, sources: Iterable[str] | None = None) -> QuerySet:
    """The index entries that match every word of ``query`` (none when it has
    no searchable word), for a subquery: ``ticket_number__in=…``."""
    match = _match_sql(query)
    entries = TextIndexEntry.objects.all()
    if sources is not None:
        entries = entries.filter(source__in=list(sources))
    if match is None:
        return entries.none()
    sql, params = match
    return entries.filter(
        id__in=RawSQL(f"SELECT e.id FROM {TextIndexEntry._meta.db_table} e WHERE {sql}", params)
    )


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


def _hits_sql(
    match_sql: str, sources: list[str] | None, after, with_ticket: bool, common: bool
) -> tuple[str, list]:
    table = TextIndexEntry._meta.db_table
    if connection.vendor == "postgresql":
        rank = f"ts_rank(e.document, plainto_tsquery('{POSTGRES_CONFIG}', %s))"
    else:
        # bm25 needs the FTS row, which the subquery does not expose; recency
        # orders the hits on both databases, the rank only informs.
        rank = "0.0"
    where, params = [match_sql], []
    if sources is not None:
        where.append(f"e.source IN ({', '.join(['%s'] * len(sources))})")
        params.extend(sources)
    if with_ticket:
        where.append("e.ticket_number IS NOT NULL")
    if after is not None:
        updated_at, entry_id = after
        updated_at = connection.ops.adapt_datetimefield_value(updated_at)
        where.append("(e.updated_at < %s OR (e.updated_at = %s AND e.id < %s))")
        params.extend([updated_at, updated_at, entry_id])
    # A rare word on PostgreSQL: the expression hides the index on
    # updated_at, so the planner reads the matches from GIN and sorts them.
    newest = (
        "e.updated_at"
        if common or connection.vendor != "postgresql"
        else ("e.updated_at + interval '0 seconds'")
    )
    sql = (
        f"SELECT e.id, e.source, e.key, e.ticket_number, e.updated_at, {rank}, e.text "
        f"FROM {table} e WHERE {' AND '.join(where)} "
        f"ORDER BY {newest} DESC, e.id DESC LIMIT %s"
    )
    return sql, params


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
    if _match_sql(query) is None or limit <= 0:
        return []
    common = _is_common(query)
    match_sql, match_params = _match_sql(query, common=common)
    source_list = list(sources) if sources is not None else None
    sql, params = _hits_sql(match_sql, source_list, after, with_ticket, common)
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
    wanted = query_stems(query[:MAX_QUERY_CHARS])
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
        source = _SOURCES.get(name)
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


def rebuild(sources: Iterable[str] | None = None, *, batch: int = REBUILD_BATCH) -> dict[str, int]:
    """Index every text of the sources again (all by default), ``batch`` rows
    per INSERT; entries of the sources are removed first. Returns the count
    per source. The caller chooses the transaction (the command: one per source)."""
    counts = {}
    for source in registered_sources():
        if sources is not None and source.name not in sources:
            continue
        TextIndexEntry.objects.filter(source=source.name).delete()
        pending: list[TextIndexEntry] = []
        count = 0
        for row in source.rows():
            if not row.text.strip():
                continue
            pending.append(
                _entry(source.name, row.key, row.text, row.ticket_number, row.updated_at)
            )
            if len(pending) >= batch:
                _write(pending)
                count += len(pending)
                pending = []
        if pending:
            _write(pending)
            count += len(pending)
        counts[source.name] = count
    return counts


# The core's own sources: tickets (summary and description) and journal notes.


def ticket_text(ticket) -> str:
    return f"{ticket.summary}\n{ticket.description}"


def work_info_key(ticket, entry) -> str:
    return f"{ticket.KIND}-{entry.pk}"


def _ticket_rows() -> Iterator[Row]:
    for kind in all_kinds():
        tickets = kind.model.objects.only("number", "summary", "description", "updated_at")
        for ticket in tickets.order_by("pk").iterator(chunk_size=REBUILD_BATCH):
            yield Row(ticket.number, ticket_text(ticket), ticket.updated_at, ticket.number)


def _work_info_rows() -> Iterator[Row]:
    for kind in all_kinds():
        entries = (
            kind.journal_model.objects.exclude(notes="")
            .select_related(None)
            .values_list("pk", "notes", "created_at", "ticket__number")
        )
        for pk, notes, created_at, number in entries.order_by("pk").iterator(
            chunk_size=REBUILD_BATCH
        ):
            yield Row(f"{kind.code}-{pk}", notes, created_at, number)


INDEXED_EVENTS = frozenset(
    (announced.TICKET_CREATED, announced.TICKET_UPDATED, announced.JOURNAL_APPENDED)
)
TICKET_TEXT_FIELDS = frozenset(("summary", "description"))


def index_core_event(event_type: str, facts: dict) -> None:
    """Keep tickets and notes indexed from what the services announce."""
    if event_type == announced.TICKET_CREATED or (
        event_type == announced.TICKET_UPDATED
        and TICKET_TEXT_FIELDS.intersection(facts.get("changed") or ())
    ):
        ticket = facts["ticket"]
        index_text(TICKET, ticket.number, ticket_text(ticket), ticket.number, ticket.updated_at)
    elif event_type == announced.JOURNAL_APPENDED:
        ticket, entry = facts["ticket"], facts["entry"]
        if entry.notes.strip():
            index_text(
                WORK_INFO,
                work_info_key(ticket, entry),
                entry.notes,
                ticket.number,
                entry.created_at,
            )


def register() -> None:
    """The core's sources and receiver, from ``ItsmConfig.ready``."""
    register_source(Source(TICKET, _("Summary and description"), _ticket_rows))
    register_source(Source(WORK_INFO, _("Work info"), _work_info_rows))
    # ``wanted`` is asked by the batch announcers (auto-closure), whose
    # updates and entries carry no text: only a creation always writes.
    announced.register_receiver(
        index_core_event, wants=lambda event_type: event_type == announced.TICKET_CREATED
    )
