"""KeysIn filters as ``pk__in`` does, in the same words."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import Incident
from itsm.common.lookups import KeysIn
from itsm.tests.factories import make_incident

pytestmark = pytest.mark.django_db


def test_keys_in_writes_and_finds_what_pk_in_does(agent):
    tickets = [make_incident(user=agent) for _ in range(4)]
    keys = [tickets[2].pk, tickets[0].pk, tickets[3].pk]
    ours = Incident.objects.filter(KeysIn(keys)).order_by("pk")
    django = Incident.objects.filter(pk__in=keys).order_by("pk")
    assert str(ours.query) == str(django.query)
    assert list(ours) == list(django) == [tickets[0], tickets[2], tickets[3]]
    assert ours.order_by()[:1001].count() == 3
    assert list(Incident.objects.exclude(KeysIn(keys))) == [tickets[1]]
    assert Incident.objects.filter(KeysIn([tickets[1].pk]), summary=tickets[1].summary).get()


def test_no_keys_find_nothing_without_asking_the_database(agent):
    make_incident(user=agent)
    with CaptureQueriesContext(connection) as queries:
        assert list(Incident.objects.filter(KeysIn([]))) == []
    assert len(queries) == 0
    assert Incident.objects.exclude(KeysIn([])).count() == 1
