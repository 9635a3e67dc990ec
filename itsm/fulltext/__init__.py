"""Full-text search over what the desk wrote and received: one index
(``TextIndexEntry``) fed by registered sources, searched the same way on
PostgreSQL (a ``tsvector`` under GIN) and SQLite (FTS5), both over the
Snowball stems of ``itsm.common.fulltext`` so that they answer alike.

Each source is registered by the app that owns its texts (the core registers
tickets and journal notes; the e-mail app its mail; the knowledge base its
articles), the way kinds and charts register, so the core imports none of
them. Writers call ``index_text`` in the transaction that writes the text, at
the cost of one INSERT … ON CONFLICT per text; the core does it for tickets
and notes from the events the services already publish (``itsm.events``).

The package, by responsibility: ``sources`` (the registry), ``index``
(writing and rebuilding), ``query`` (the SQL of a match on each database and
the choice of plan), ``search`` (the hits), ``core`` (the core's own sources:
tickets and journal notes). Callers import from here."""

from itsm.fulltext.core import TICKET, WORK_INFO, register, ticket_text, work_info_key
from itsm.fulltext.index import (
    MAX_INDEXED_CHARS,
    REBUILD_BATCH,
    build_entry,
    index_text,
    rebuild,
    remove,
    write_entries,
)
from itsm.fulltext.search import (
    DEFAULT_LIMIT,
    Hit,
    matching_entries,
    matching_ticket_numbers,
    search,
)
from itsm.fulltext.sources import (
    Row,
    Source,
    register_source,
    registered_sources,
    source_label,
    unregister_source,
)

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_INDEXED_CHARS",
    "REBUILD_BATCH",
    "TICKET",
    "WORK_INFO",
    "Hit",
    "Row",
    "Source",
    "build_entry",
    "index_text",
    "matching_entries",
    "matching_ticket_numbers",
    "rebuild",
    "register",
    "register_source",
    "registered_sources",
    "remove",
    "search",
    "source_label",
    "ticket_text",
    "unregister_source",
    "work_info_key",
    "write_entries",
]
