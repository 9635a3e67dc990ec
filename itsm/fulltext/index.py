"""Writing the index: one text at a time in the caller's transaction
(``index_text``), or every text of the sources again (``rebuild``), both
through the same batched writer."""

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from itsm.common.fulltext import stems
from itsm.fulltext.sources import registered_sources, source_named
from itsm.models import TextIndexEntry

# A mail of a megabyte is indexed by its beginning: PostgreSQL refuses a
# tsvector over 1 MB, and what matters is said first.
MAX_INDEXED_CHARS = 50_000
REBUILD_BATCH = 2_000


def build_entry(source: str, key: str, text: str, ticket_number, updated_at) -> TextIndexEntry:
    text = text[:MAX_INDEXED_CHARS]
    return TextIndexEntry(
        source=source,
        key=key,
        ticket_number=ticket_number or None,
        updated_at=updated_at or timezone.now(),
        text=text,
        stems=" ".join(stems(text)),
    )


def write_entries(entries: list[TextIndexEntry]) -> None:
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
    if source_named(source) is None:
        raise ValueError(f"Unknown full-text source {source!r}")
    if not text.strip():
        remove(source, key)
        return
    write_entries([build_entry(source, str(key), text, ticket_number, updated_at)])


def remove(source: str, key: str) -> None:
    TextIndexEntry.objects.filter(source=source, key=str(key)).delete()


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
                build_entry(source.name, row.key, row.text, row.ticket_number, row.updated_at)
            )
            if len(pending) >= batch:
                write_entries(pending)
                count += len(pending)
                pending = []
        if pending:
            write_entries(pending)
            count += len(pending)
        counts[source.name] = count
    return counts
