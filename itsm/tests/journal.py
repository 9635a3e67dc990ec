"""Checks that a kind's tables got what ``itsm.migration_ops.kind_operations``
gives: shared by the guards of the registered kinds and the throwaway-kind test."""

import re

import pytest
from django.db import DatabaseError, connection, transaction

from itsm import kinds
from itsm.db import APPEND_ONLY_MESSAGE
from itsm.tests.factories import make_ticket


def _refused(sql: str, params: list) -> None:
    with (
        pytest.raises(DatabaseError, match=APPEND_ONLY_MESSAGE),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def assert_journal_is_append_only(kind: kinds.Kind, *, user) -> None:
    """A ticket of ``kind`` whose journal entry survives raw SQL writes."""
    entry = make_ticket(kind.model, user=user).work_info.get()
    table = connection.ops.quote_name(kind.journal_model._meta.db_table)

    _refused(f"UPDATE {table} SET notes = %s WHERE id = %s", ["Otra", entry.pk])
    _refused(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    # Without WHERE SQLite may empty a table at once; with a trigger it may not.
    _refused(f"DELETE FROM {table} WHERE %s", [True])

    kept = kind.journal_model.objects.get(pk=entry.pk)
    assert (kept.notes, kept.created_at) == (entry.notes, entry.created_at)


def assert_search_is_indexed(kind: kinds.Kind) -> None:
    """PostgreSQL: GIN trigram indexes on UPPER(summary) and UPPER(description)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [kind.model._meta.db_table, "%gin_trgm_ops%"],
        )
        definitions = " ".join(row[0] for row in cursor.fetchall())
    for column in ("summary", "description"):
        # varchar columns are cast to text, text columns are not.
        expression = rf"upper\(\(?{column}\)?(::text)?\) gin_trgm_ops"
        assert re.search(expression, definitions.lower()), (kind.code, column)
