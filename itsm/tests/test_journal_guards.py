"""What ``itsm.migration_ops.kind_operations`` gives a kind holds for every
registered kind, whichever migrations gave it: the journal refuses UPDATE and
DELETE from raw SQL, and PostgreSQL has the trigram indexes of its search."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from itsm import kinds, reference_data
from itsm.common.permissions import AGENTS_GROUP
from itsm.db import APPEND_ONLY_MESSAGE
from itsm.models import SupportGroup
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


def test_every_kinds_journal_refuses_update_and_delete(agent):
    registered = list(kinds.all_kinds())
    assert len(registered) >= 2

    for kind in registered:
        assert_journal_is_append_only(kind, user=agent)


def test_every_kinds_search_has_its_trigram_indexes(db):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")

    for kind in kinds.all_kinds():
        assert_search_is_indexed(kind)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_journals_and_leaves_them_append_only(reference, agent):
    for kind in kinds.all_kinds():
        make_ticket(kind.model, user=agent)

    call_command("flush", interactive=False, verbosity=0)

    for kind in kinds.all_kinds():
        assert not kind.journal_model.objects.exists()
    reference_data.load()
    user = User.objects.create_user("agente")
    user.groups.add(Group.objects.get(name=AGENTS_GROUP))
    SupportGroup.objects.get(is_agent_default=True).members.add(user)
    for kind in kinds.all_kinds():
        assert_journal_is_append_only(kind, user=user)
