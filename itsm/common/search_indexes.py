"""Text-search structures that only one database vendor has, as migration
operations that do nothing on the other vendor (so both still migrate).

- PostgreSQL: pg_trgm GIN indexes, which serve ``LIKE '%…%'`` and the
  ``UPPER(col) LIKE UPPER('%…%')`` Django writes for ``icontains``; a
  covering index for the customer's name tested ticket by ticket.
- SQLite: an FTS5 index of the customers' folded names kept up to date by
  triggers, which serves "any word of the name starts with …".
"""

from django.db import migrations

CUSTOMER_NAME_FTS = "customers_customer_name_fts"


def _vendor_sql(*, postgresql=(), sqlite=(), reverse_postgresql=(), reverse_sqlite=()):
    def run(statements_by_vendor):
        def apply(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, ()):
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(
        run({"postgresql": postgresql, "sqlite": sqlite}),
        run({"postgresql": reverse_postgresql, "sqlite": reverse_sqlite}),
    )


def trigram_extension() -> migrations.RunPython:
    return _vendor_sql(postgresql=["CREATE EXTENSION IF NOT EXISTS pg_trgm"])


def trigram_index(*, table: str, column: str, name: str, upper: bool) -> migrations.RunPython:
    """A GIN trigram index on ``column`` (or on ``UPPER(column)``, the
    expression ``icontains`` compares on PostgreSQL)."""
    expression = f'UPPER("{column}")' if upper else f'"{column}"'
    return _vendor_sql(
        postgresql=[
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f"USING gin ({expression} gin_trgm_ops)"
        ],
        reverse_postgresql=[f'DROP INDEX IF EXISTS "{name}"'],
    )


def covering_index(*, table: str, key: str, include: str, name: str) -> migrations.RunPython:
    """PostgreSQL: an index on ``key`` that also holds ``include``, so a probe
    by key that tests that column reads no table row (an index-only scan).
    SQLite's tables are stored by their integer key already."""
    return _vendor_sql(
        postgresql=[
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{key}") INCLUDE ("{include}")'
        ],
        reverse_postgresql=[f'DROP INDEX IF EXISTS "{name}"'],
    )


def customer_name_fts() -> migrations.RunPython:
    """The FTS5 index of ``customers_customer.search_name`` (external content:
    the text stays in the customers table) and the triggers that follow every
    insert, update and delete, whoever issues them (bulk loads included)."""
    table, fts = "customers_customer", CUSTOMER_NAME_FTS
    return _vendor_sql(
        sqlite=[
            f"CREATE VIRTUAL TABLE {fts} USING fts5("
            f"search_name, content='{table}', content_rowid='id', prefix='2 3')",
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, search_name) VALUES (new.id, new.search_name); END",
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_name) "
            f"VALUES ('delete', old.id, old.search_name); END",
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_name ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, search_name) "
            f"VALUES ('delete', old.id, old.search_name); "
            f"INSERT INTO {fts}(rowid, search_name) VALUES (new.id, new.search_name); END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ],
        reverse_sqlite=[
            f"DROP TRIGGER IF EXISTS {fts}_insert",
            f"DROP TRIGGER IF EXISTS {fts}_delete",
            f"DROP TRIGGER IF EXISTS {fts}_update",
            f"DROP TABLE IF EXISTS {fts}",
        ],
    )


def full_text_index(*, table: str, fts: str) -> migrations.RunPython:
    """The searchable column of the full-text index ``table``, over its
    ``stems`` (the Snowball stems ``itsm.common.fulltext`` computes, the same
    on both databases).

    PostgreSQL: a generated ``tsvector`` column ``document`` (configuration
    ``simple``: the words are already folded and stemmed) and its GIN index.
    SQLite: an FTS5 table (external content, ``unicode61 remove_diacritics
    2``) kept by triggers."""
    return _vendor_sql(
        postgresql=[
            f'ALTER TABLE "{table}" ADD COLUMN document tsvector GENERATED ALWAYS AS '
            "(to_tsvector('simple'::regconfig, stems)) STORED",
            f'CREATE INDEX "{table}_document_idx" ON "{table}" USING gin (document)',
        ],
        reverse_postgresql=[
            f'DROP INDEX IF EXISTS "{table}_document_idx"',
            f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS document',
        ],
        sqlite=[
            f"CREATE VIRTUAL TABLE {fts} USING fts5(stems, content='{table}', "
            "content_rowid='id', tokenize = 'unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, stems) VALUES (new.id, new.stems); END",
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, stems) VALUES ('delete', old.id, old.stems); END",
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF stems ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, stems) VALUES ('delete', old.id, old.stems); "
            f"INSERT INTO {fts}(rowid, stems) VALUES (new.id, new.stems); END",
        ],
        reverse_sqlite=[
            f"DROP TRIGGER IF EXISTS {fts}_insert",
            f"DROP TRIGGER IF EXISTS {fts}_delete",
            f"DROP TRIGGER IF EXISTS {fts}_update",
            f"DROP TABLE IF EXISTS {fts}",
        ],
    )
