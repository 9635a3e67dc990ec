"""The dashboard's figures and the magnifier through the API: the page's
code, the page's rules."""

import pytest
from django.urls import reverse

from api.tests.conftest import token_client
from customers.tests.factories import CustomerFactory
from itsm.tests.factories import make_incident, make_work_order

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("api:dashboard")
SEARCH = reverse("api:search")


def chart(body: dict, chart_id: str) -> dict:
    return next(c for c in body["charts"] if c["id"] == chart_id)


def test_an_agent_gets_the_figures_of_their_own_tickets_as_the_page(api, agent, other_agent):
    make_incident(user=agent, assignee=agent)
    make_incident(user=other_agent, assignee=other_agent)
    make_work_order(user=other_agent, assignee=other_agent)

    response = api.get(DASHBOARD)

    assert response.status_code == 200
    body = response.json()
    assert body["mine"] is True
    statuses = chart(body, "open-by-status")
    assert sum(bar["value"] for bar in statuses["bars"]) == 1
    assert all("mine=on" in bar["url"] for bar in statuses["bars"])
    assert body["figures"]["by_status"]["INC"] == {"assigned": 1}
    days = chart(body, "per-day")["days"]
    assert len(days) == 30 and days[-1]["created"] == 1
    assert {k["kind"] for k in days[-1]["kinds"]} == {"incidents", "workorders"}


def test_a_coordinator_gets_the_whole_desk_in_the_language_asked(agent, other_agent, coordinator):
    make_incident(user=agent, assignee=agent)
    make_incident(user=other_agent, assignee=other_agent)

    response = token_client(coordinator).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en")

    body = response.json()
    assert body["mine"] is False
    statuses = chart(body, "open-by-status")
    assert statuses["title"] == "Open tickets by status"
    assert sum(bar["value"] for bar in statuses["bars"]) == 2


def test_a_token_of_a_user_without_a_role_reaches_neither(outsider, agent):
    client = token_client(agent)
    agent.groups.clear()
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(SEARCH, {"q": "ana"}).status_code == 403


def test_search_finds_a_ticket_by_its_digits_and_customers_by_nif_in_any_format(api, agent):
    customer = CustomerFactory(first_name="Ana María", surnames="Gómez García", tax_id="12345678Z")
    ticket = make_incident(user=agent, customer=customer)
    digits = ticket.number.removeprefix("INC").lstrip("0")

    by_number = api.get(SEARCH, {"q": f"inc {digits}"}).json()
    assert by_number["exact"] == ticket.number
    assert by_number["tickets"][0]["url"].endswith(f"/api/v1/incidents/{ticket.number}/")

    by_nif = api.get(SEARCH, {"q": "12.345.678-z"}).json()
    assert [hit["customer"]["id"] for hit in by_nif["customers"]] == [customer.pk]
    assert [t["number"] for t in by_nif["customers"][0]["open_tickets"]] == [ticket.number]
    by_name = api.get(SEARCH, {"q": "gomez garcia"}).json()
    assert [hit["customer"]["id"] for hit in by_name["customers"]] == [customer.pk]


@pytest.mark.parametrize("query", ["x" * 201, "a\x00b"])
def test_search_refuses_what_designates_nothing(api, query):
    response = api.get(SEARCH, {"q": query})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_search_and_dashboard_take_a_fixed_number_of_queries(
    api, agent, django_assert_max_num_queries
):
    for _ in range(5):
        make_incident(user=agent, assignee=agent, customer=CustomerFactory(surnames="Gómez"))
    api.get(DASHBOARD)
    # The first search also reads the names of groups and people the lists
    # keep with the reference data (itsm.reference_names).
    api.get(SEARCH, {"q": "gomez"})
    # Four of them are the token's: find it, note its use, audit it, the user's roles;
    # one reads the phones of every customer found; two are the text section's
    # (how common the words are, then the hits; one per kind more when found).
    with django_assert_max_num_queries(10):
        assert api.get(SEARCH, {"q": "gomez"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert api.get(DASHBOARD).status_code == 200
