"""The SQL of a match on each database: PostgreSQL's ``tsvector`` under GIN,
SQLite's FTS5 table, both over the same stems; and the choice between the
two plans a newest-first search can take."""

from django.db import connection

from itsm.common.fulltext import query_stems
from itsm.models import TextIndexEntry
from itsm.models.fulltext import POSTGRES_CONFIG, SQLITE_FTS_TABLE

# The longest query read (the rest is dropped, as ``query_stems`` drops words).
MAX_QUERY_CHARS = 200


def fts_phrase(wanted: list[str]) -> str:
    """An FTS5 query with every stem, each quoted (a stem is a bare word)."""
    return " ".join(f'"{stem}"' for stem in wanted)


def match_sql(query: str, *, common: bool = False) -> tuple[str, list] | None:
    """The condition on ``itsm_textindexentry`` (as ``e``) that every word of
    ``query`` matches, or None when it has no searchable word. ``common``:
    written for a walk of the entries newest first that tests each one. On
    SQLite the walk reads the row's own stems (a space-delimited stem is a
    whole FTS5 token, so the answer is the same): an FTS5 look-up per row
    costs ~20 µs, reading the stems under 1 µs."""
    wanted = query_stems(query[:MAX_QUERY_CHARS])
    if not wanted:
        return None
    if connection.vendor == "postgresql":
        return (f"e.document @@ plainto_tsquery('{POSTGRES_CONFIG}', %s)", [" ".join(wanted)])
    if common:
        return (
            " AND ".join(["instr(' ' || e.stems || ' ', %s) > 0"] * len(wanted)),
            [f" {stem} " for stem in wanted],
        )
    fts = SQLITE_FTS_TABLE
    return (f"e.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)", [fts_phrase(wanted)])


def matching_ids_sql(query: str) -> tuple[str, list] | None:
    """A subquery of the ids of the entries that match every word of
    ``query`` (None when it has no searchable word). On SQLite, the FTS5
    table's rowids themselves: through the entries, SQLite gathers every
    match before the outer query reads one (150 ms instead of 10 for the
    first 50 of 126 000 matches)."""
    wanted = query_stems(query[:MAX_QUERY_CHARS])
    if not wanted:
        return None
    if connection.vendor == "sqlite":
        fts = SQLITE_FTS_TABLE
        return f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [fts_phrase(wanted)]
    sql, params = match_sql(query)
    return f"SELECT e.id FROM {TextIndexEntry._meta.db_table} e WHERE {sql}", params


# Past this many matching texts a query is "common": the newest hits are
# found by walking the entries newest first (itsm_textindex_updated_idx) and
# testing each; below it, by reading every match from the text index and
# sorting them. Either plan is fast in its case and slow in the other, and
# the planners cannot tell (PostgreSQL estimates a word's frequency from
# samples; SQLite does not know it at all), so one cheap count decides.
#
# Where the two plans cost the same differs with the database: at 1.4M
# entries, SQLite sorts a match in ~1.5 µs and tests a row of the walk in
# ~0.6 µs, so the walk (40 hits / share of matching rows × 0.6 µs) is the
# cheaper plan from about 5 000 matches; PostgreSQL's from 2 000.
COMMON_MATCHES = {"postgresql": 2_000, "sqlite": 5_000}


def common_threshold() -> int:
    return COMMON_MATCHES.get(connection.vendor, COMMON_MATCHES["postgresql"])


def is_common(query: str) -> bool:
    """Whether ``query`` matches at least the vendor's ``COMMON_MATCHES``
    texts, counted no further than that. On SQLite the count reads the FTS5
    table alone, which stops at the limit (through the entries, ``IN``
    would first gather every match)."""
    threshold = common_threshold()
    wanted = query_stems(query[:MAX_QUERY_CHARS])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            fts = SQLITE_FTS_TABLE
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH %s LIMIT %s) s",
                [fts_phrase(wanted), threshold],
            )
        else:
            sql, params = match_sql(query)
            table = TextIndexEntry._meta.db_table
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} e WHERE {sql} LIMIT %s) s",
                [*params, threshold],
            )
        return cursor.fetchone()[0] >= threshold


def hits_sql(
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
