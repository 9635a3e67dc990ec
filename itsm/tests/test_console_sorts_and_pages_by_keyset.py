"""The consoles sort by every column, walk keyset pages both ways and cap
their count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Incident
from itsm.common import pagination
from itsm.models import Impact, Urgency
from itsm.tests.console import INCIDENTS, numbers
from itsm.tests.factories import make_incident

# --- sorting and keyset pages ------------------------------------------------


@pytest.fixture
def many(agent):
    """Twelve incidents, three of them sharing one updated_at to the
    microsecond (the id breaks the tie)."""
    tickets = [make_incident(user=agent, assignee=agent) for _ in range(12)]
    same = timezone.now() - timedelta(hours=1)
    Incident.objects.filter(pk__in=[t.pk for t in tickets[3:6]]).update(updated_at=same)
    return tickets


def walk(client, params: dict) -> tuple[list[list[str]], object]:
    """Follow the "next" links from the first page to the last."""
    pages = []
    response = client.get(INCIDENTS, params)
    while True:
        pages.append(numbers(response))
        next_url = response.context["next_url"]
        if not next_url:
            return pages, response
        response = client.get(INCIDENTS + next_url)


@pytest.mark.parametrize(
    "order", ["-updated", "updated", "number", "-number", "status", "priority"]
)
def test_keyset_pages_cover_every_ticket_once_in_order(client, agent, many, monkeypatch, order):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 5)
    client.force_login(agent)
    pages, last = walk(client, {"f": "1", "o": order})
    assert [len(p) for p in pages] == [5, 5, 2]
    flat = [n for page in pages for n in page]
    assert len(flat) == len(set(flat)) == 12
    everything = numbers(client.get(INCIDENTS, {"f": "1", "o": order}))
    monkeypatch.setattr(pagination, "PAGE_SIZE", 50)
    assert flat == numbers(client.get(INCIDENTS, {"f": "1", "o": order}))
    assert flat[:5] == everything[:5]

    # Back from the last page with "previous": the same pages in reverse.
    monkeypatch.setattr(pagination, "PAGE_SIZE", 5)
    back = []
    response = last
    while response.context["previous_url"]:
        response = client.get(INCIDENTS + response.context["previous_url"])
        back.append(numbers(response))
    assert back == pages[-2::-1]


def test_sort_by_number_both_ways(client, agent, many):
    client.force_login(agent)
    expected = sorted(t.number for t in many)
    assert numbers(client.get(INCIDENTS, {"f": "1", "o": "number"})) == expected
    assert numbers(client.get(INCIDENTS, {"f": "1", "o": "-number"})) == expected[::-1]


def test_sort_by_priority_puts_critical_first(client, agent):
    low = make_incident(user=agent, impact=Impact.MINOR, urgency=Urgency.LOW)
    critical = make_incident(user=agent, impact=Impact.EXTENSIVE, urgency=Urgency.CRITICAL)
    medium = make_incident(user=agent, impact=Impact.MINOR, urgency=Urgency.MEDIUM)
    client.force_login(agent)
    result = numbers(client.get(INCIDENTS, {"f": "1", "o": "priority"}))
    assert result == [critical.number, medium.number, low.number]


def test_count_is_capped(client, agent, many, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 5)
    monkeypatch.setattr(pagination, "COUNT_CAP", 8)
    client.force_login(agent)
    response = client.get(INCIDENTS, {"f": "1"})
    assert response.context["count"] == 8 and response.context["count_capped"]
    assert "Más de 8 incidencias" in response.content.decode()


def test_a_list_past_the_cap_is_not_counted_again_for_a_while(
    client, agent, other_agent, many, monkeypatch
):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 5)
    monkeypatch.setattr(pagination, "COUNT_CAP", 8)
    client.force_login(agent)

    def counts(**params) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INCIDENTS, {"f": "1", **params})
        assert response.context["count"] == 8 and response.context["count_capped"]
        return sum("COUNT(" in query["sql"] for query in queries)

    assert counts() == 1
    assert counts() == 0
    assert counts(o="priority") == 0  # the sort changes nothing counted
    assert counts(open="on") == 1  # other filters are another list
    client.force_login(other_agent)
    assert counts() == 1  # and so is someone else's
    monkeypatch.setattr(pagination, "PAST_CAP_SECONDS", 0)
    pagination.forget_past_cap()
    assert counts() == 1
    assert counts() == 1


def test_count_is_exact_below_the_cap(client, agent, many, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 5)
    client.force_login(agent)
    response = client.get(INCIDENTS, {"f": "1"})
    assert response.context["count"] == 12 and not response.context["count_capped"]
    assert "12 gestiones" in response.content.decode()
