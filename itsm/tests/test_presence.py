"""*X está editando esta gestión desde hace N min*: who else has a ticket
open, kept in Django's cache (shared by every web worker) and refreshed by a
light poll."""

import time

import pytest
from django.urls import reverse

from itsm.presence import PRESENCE_SECONDS, presence_others, presence_touch
from itsm.tests.factories import make_incident


@pytest.fixture
def ticket(agent):
    return make_incident(user=agent)


def presence_url(ticket) -> str:
    return reverse("incidents:presence", args=[ticket.number])


def test_a_colleague_with_the_ticket_open_is_shown_before_anyone_types(
    client, agent, other_agent, ticket, monkeypatch
):
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start)
    client.force_login(other_agent)
    client.get(ticket.get_absolute_url())
    for later in (40, 80, 125):  # the page polls; still there two minutes later
        monkeypatch.setattr(time, "time", lambda later=later: start + later)
        client.post(presence_url(ticket))
    client.force_login(agent)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "Agente2 está editando esta gestión desde hace 2 min" in html
    assert f'hx-post="{presence_url(ticket)}"' in html
    assert 'hx-trigger="every 20s"' in html


def test_nobody_is_shown_to_themselves(client, agent, ticket):
    client.force_login(agent)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "está editando esta gestión" not in html


def test_a_reader_who_stops_polling_drops_out(agent, other_agent, ticket, monkeypatch):
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start)
    presence_touch(ticket=ticket, user=other_agent)
    assert [o["name"] for o in presence_others(ticket=ticket, user=agent)] == ["Agente2"]
    monkeypatch.setattr(time, "time", lambda: start + PRESENCE_SECONDS + 1)
    assert presence_others(ticket=ticket, user=agent) == []


def test_the_poll_answers_who_else_is_there(client, agent, other_agent, ticket):
    presence_touch(ticket=ticket, user=other_agent)
    client.force_login(agent)
    response = client.post(presence_url(ticket))
    assert response.status_code == 200
    assert "Agente2 está editando esta gestión desde hace 0 min" in response.content.decode()


def test_the_poll_needs_an_agent_and_a_post(client, outsider, agent, ticket):
    client.force_login(outsider)
    assert client.post(presence_url(ticket)).status_code == 403
    client.force_login(agent)
    assert client.get(presence_url(ticket)).status_code == 405


def test_the_poll_runs_a_fixed_number_of_queries(
    client, agent, ticket, django_assert_max_num_queries
):
    client.force_login(agent)
    client.post(presence_url(ticket))
    with django_assert_max_num_queries(4):
        client.post(presence_url(ticket))
