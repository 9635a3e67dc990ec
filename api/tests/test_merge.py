"""Merging through the API: the page's service and rules, the merged
ticket's address answering 307 to its target, and the coordinator's undo."""

import pytest
from django.urls import reverse

from api.tests.conftest import token_client
from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import Channel
from itsm.tests.factories import make_incident, make_work_order
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def url(ticket, name: str = "detail") -> str:
    return reverse(f"api:{ticket.kind.namespace}-{name}", args=[ticket.number])


@pytest.fixture
def pair(agent):
    customer = CustomerFactory()
    return make_incident(user=agent, customer=customer), make_work_order(
        user=agent, customer=customer
    )


def test_an_agent_merges_an_incident_into_a_work_order(api, agent, pair):
    source, target = pair
    response = api.post(url(source, "merge"), {"target": target.number.lower()}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["merged"] == source.number and body["merged_into"] == target.number
    assert body["merged_by"] == agent.username
    assert response["Location"].endswith(url(target))
    assert body["merged_into_url"] == response["Location"]
    entry = source.work_info.latest("created_at")
    assert entry.channel == Channel.API


def test_a_merged_ticket_answers_307_to_its_target(api, agent, pair):
    source, target = pair
    api.post(url(source, "merge"), {"target": target.number}, format="json")

    response = api.get(url(source))
    assert response.status_code == 307
    assert response["Location"] == f"http://testserver{url(target)}"
    assert response["Link"] == f'<http://testserver{url(target)}>; rel="canonical"'
    assert response.json()["merged_into"] == target.number
    followed = api.get(response["Location"])
    assert followed.status_code == 200 and followed.json()["number"] == target.number
    assert api.get(url(source, "merge")).json()["merged"] == source.number


def test_writes_on_a_merged_ticket_are_refused_in_spanish(api, agent, pair):
    source, target = pair
    api.post(url(source, "merge"), {"target": target.number}, format="json")
    source = Incident.objects.get(pk=source.pk)
    response = api.patch(
        url(source), {"summary": "otro"}, format="json", HTTP_IF_MATCH=f'"{source.version}"'
    )
    assert response.status_code == 400
    assert f"se ha fusionado en {target.number}" in response.content.decode()


def test_different_customers_need_the_confirmation(api, agent):
    source, target = make_incident(user=agent), make_incident(user=agent)
    refused = api.post(url(source, "merge"), {"target": target.number}, format="json")
    assert refused.status_code == 400
    assert str(source.customer) in refused.content.decode()
    done = api.post(
        url(source, "merge"),
        {"target": target.number, "confirm_other_customer": True},
        format="json",
    )
    assert done.status_code == 200


def test_only_a_coordinator_undoes(api, agent, coordinator, pair):
    source, target = pair
    api.post(url(source, "merge"), {"target": target.number}, format="json")
    assert api.post(url(source, "merge-undo")).status_code == 403
    response = token_client(coordinator).post(url(source, "merge-undo"))
    assert response.status_code == 200
    assert response.json()["number"] == source.number
    assert api.get(url(source)).status_code == 200
    assert api.get(url(source, "merge")).status_code == 404
    assert WorkOrder.objects.get(pk=target.pk).work_info.filter(event="merge_undone").exists()
