"""*X está viendo esta gestión* / *X está editando esta gestión desde hace N
min*: who else has a ticket open and whether they typed in it, kept in
Django's cache (shared by every web worker), refreshed by a light poll and
dropped by a beacon when the page closes."""

import time

import pytest
from django.urls import reverse

from itsm.presence import (
    POLL_SECONDS,
    PRESENCE_SECONDS,
    presence_leave,
    presence_others,
    presence_touch,
)
from itsm.tests.factories import make_incident


@pytest.fixture
def ticket(agent):
    return make_incident(user=agent)


@pytest.fixture
def clock(monkeypatch):
    """time.time() stands still at the test's start; ``clock(seconds)`` moves it
    that long after the start."""
    start = time.time()

    def at(seconds: float) -> None:
        monkeypatch.setattr(time, "time", lambda: start + seconds)

    at(0)
    return at


def presence_url(ticket) -> str:
    return reverse("incidents:presence", args=[ticket.number])


def test_a_colleague_who_only_looks_is_shown_looking(client, agent, other_agent, ticket, clock):
    client.force_login(other_agent)
    client.get(ticket.get_absolute_url())
    for later in range(POLL_SECONDS, 130, POLL_SECONDS):  # the page polls for two minutes
        clock(later)
        client.post(presence_url(ticket))
    client.force_login(agent)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "Agente2 está viendo esta gestión" in html
    assert "está editando" not in html
    assert f'hx-post="{presence_url(ticket)}"' in html
    assert f'hx-trigger="every {POLL_SECONDS}s, presencenow from:body"' in html


def test_a_colleague_who_typed_is_shown_editing_since_they_started(
    client, agent, other_agent, ticket, clock
):
    client.force_login(other_agent)
    client.get(ticket.get_absolute_url())
    clock(60)
    client.post(presence_url(ticket), {"editing": "1"})
    # Later polls say nothing new: they are still editing since then.
    for later in range(60 + POLL_SECONDS, 190, POLL_SECONDS):
        clock(later)
        client.post(presence_url(ticket), {"editing": "0"})
    client.force_login(agent)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "Agente2 está editando esta gestión desde hace 2 min" in html


def test_a_closed_page_drops_out_at_once(client, agent, other_agent, ticket):
    presence_touch(ticket=ticket, user=other_agent, page="first")
    client.force_login(other_agent)
    leave = reverse("incidents:presence_leave", args=[ticket.number])
    # A beacon from an older copy of the page (sent after a save reloaded
    # it) does not remove the reader.
    assert client.post(leave, {"page": "older"}).status_code == 204
    assert [o["name"] for o in presence_others(ticket=ticket, user=agent)] == ["Agente2"]
    assert client.post(leave, {"page": "first"}).status_code == 204
    assert presence_others(ticket=ticket, user=agent) == []


def test_presence_is_gone_within_30_seconds_without_a_beacon():
    assert PRESENCE_SECONDS <= 30 and POLL_SECONDS * 2 <= PRESENCE_SECONDS


def test_leaving_needs_an_agent_and_a_post(client, outsider, agent, ticket):
    leave = reverse("incidents:presence_leave", args=[ticket.number])
    client.force_login(outsider)
    assert client.post(leave, {"page": "x"}).status_code == 403
    client.force_login(agent)
    assert client.get(leave).status_code == 405
    presence_leave(ticket=ticket, user=agent, page="nothing-there")


def test_nobody_is_shown_to_themselves(client, agent, ticket):
    client.force_login(agent)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "esta gestión" not in html.split('id="ticket-presence"')[1].split("</div>")[0]


def test_a_reader_who_stops_polling_drops_out(agent, other_agent, ticket, clock):
    presence_touch(ticket=ticket, user=other_agent)
    assert [o["name"] for o in presence_others(ticket=ticket, user=agent)] == ["Agente2"]
    clock(PRESENCE_SECONDS + 1)
    assert presence_others(ticket=ticket, user=agent) == []


def test_the_poll_answers_who_else_is_there(client, agent, other_agent, ticket):
    presence_touch(ticket=ticket, user=other_agent)
    client.force_login(agent)
    response = client.post(presence_url(ticket))
    assert response.status_code == 200
    assert "Agente2 está viendo esta gestión" in response.content.decode()


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
