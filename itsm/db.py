"""Database-level guards written once for both vendors."""

from django.db import migrations

# What the journal's triggers raise; tests and callers match on it.
APPEND_ONLY_MESSAGE = "work info is append-only"


def append_only_trigger(table: str) -> migrations.RunPython:
    """A migration operation that makes ``table`` refuse UPDATEs, whoever
    issues them; ``itsm.migration_ops.journal_refuses_delete`` adds DELETEs
    (new kinds get both from ``itsm.migration_ops.kind_operations``)."""
    name = f"{table}_append_only"

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END; $$;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}();"
            )

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")

    return migrations.RunPython(forwards, backwards)
