"""What ``itsm.migration_ops.kind_operations`` gives a kind holds for every
registered kind, whichever migrations gave it: the journal refuses UPDATE and
DELETE from raw SQL, and PostgreSQL has the trigram indexes of its search."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection

from itsm import kinds, reference_data
from itsm.common.permissions import AGENTS_GROUP
from itsm.models import SupportGroup
from itsm.tests.factories import make_ticket
from itsm.tests.journal import assert_journal_is_append_only, assert_search_is_indexed


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
