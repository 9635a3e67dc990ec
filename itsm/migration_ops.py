"""The database objects every kind of ticket needs beyond its models, as
migration operations: a new kind's migration calls ``kind_operations`` once.

- Its journal is append-only at the database level: triggers refuse every
  UPDATE and DELETE, whoever issues them. Emptying the whole database stays
  possible: PostgreSQL's TRUNCATE fires no row trigger, and ``manage.py
  flush`` lifts the SQLite triggers for its own transaction
  (``itsm/management/commands/flush.py``).
- Its summary and description are searched with ``icontains``: trigram
  indexes serve that on PostgreSQL (``itsm.common.search_indexes``).

Incidents and work orders got the same objects in several steps, before this
module existed (``0002_workinfo_append_only``, ``0004_text_search``,
``0015_journal_refuses_delete``); their migrations are left as they ran, and
a test checks that every registered kind ends with the same guards.
"""

from django.db import migrations

from itsm.common.search_indexes import trigram_extension, trigram_index
from itsm.db import APPEND_ONLY_MESSAGE, append_only_trigger


def delete_trigger_name(table: str) -> str:
    return f"{table}_append_only_delete"


def sqlite_delete_trigger_sql(table: str) -> str:
    """Its text on SQLite (``flush`` creates it again with the text it reads back)."""
    return (
        f"CREATE TRIGGER {delete_trigger_name(table)} BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END;"
    )


def journal_refuses_delete(table: str) -> migrations.RunPython:
    """Make the journal ``table`` refuse DELETEs too. On PostgreSQL it runs the
    function ``append_only_trigger`` created, which must come first."""
    name = delete_trigger_name(table)

    def forwards(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(sqlite_delete_trigger_sql(table))
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only();"
            )

    def backwards(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")

    return migrations.RunPython(forwards, backwards)


def kind_operations(
    *, ticket_table: str, journal_table: str, index_prefix: str
) -> list[migrations.RunPython]:
    """Everything a kind's tables need beyond what its models declare; put it
    in the migration after the one that creates them::

        operations = kind_operations(
            ticket_table="problems_problem",
            journal_table="problems_problemworkinfo",
            index_prefix="problem",
        )

    ``index_prefix`` names the trigram indexes (``problem_summary_trgm``), as
    the model's own indexes are named.
    """
    return [
        append_only_trigger(journal_table),
        journal_refuses_delete(journal_table),
        # Advanced search "summary or notes contain …": icontains compares
        # UPPER(column) on PostgreSQL. SQLite has no such index and scans.
        trigram_extension(),
        *(
            trigram_index(
                table=ticket_table,
                column=column,
                name=f"{index_prefix}_{column}_trgm",
                upper=True,
            )
            for column in ("summary", "description")
        ),
    ]
