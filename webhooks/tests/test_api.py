"""/api/v1/webhooks/: admins manage subscriptions and read their delivery
log through the same services as the admin; everyone else is refused."""

import pytest
from django.core.cache import cache

from api.tests.conftest import token_client
from itsm import events
from itsm.tests.factories import make_incident
from webhooks.models import Subscription
from webhooks.services import SUBSCRIBERS_KEY

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"


def test_an_admin_creates_a_subscription_and_sees_its_secret_once(
    admin_user, receiver, allow_private
):
    api = token_client(admin_user)
    response = api.post(
        URL,
        {"name": "Portal", "url": receiver.url(), "events": ["ticket.created", "mail.sent"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["ticket.created", "mail.sent"]
    assert created["owner"] == admin_user.username
    detail = api.get(f"{URL}{created['id']}/").json()
    assert "secret" not in detail
    assert [row["id"] for row in api.get(URL).json()] == [created["id"]]


def test_an_internal_destination_is_refused_with_the_spanish_message(admin_user):
    api = token_client(admin_user)
    response = api.post(
        URL, {"name": "Interno", "url": "http://10.0.0.1/", "events": ["ticket.created"]}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]["url"] == [
        "No se pueden enviar webhooks a 10.0.0.1: 10.0.0.1 es una dirección privada."
    ]


def test_unknown_events_and_bad_input_are_refused(admin_user, allow_private, receiver):
    api = token_client(admin_user)
    for body in (
        {"name": "X", "url": receiver.url(), "events": ["ticket.deleted"]},
        {"name": "X", "url": receiver.url(), "events": []},
        {"name": "X", "url": "ftp://example.org/", "events": ["ticket.created"]},
        {"name": "X", "url": receiver.url(), "events": "ticket.created"},
    ):
        assert api.post(URL, body, format="json").status_code == 400, body
    assert not Subscription.objects.exists()


def test_an_admin_disables_and_deletes_a_subscription(admin_user, subscribe, receiver):
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    api = token_client(admin_user)
    response = api.patch(f"{URL}{subscription.pk}/", {"active": False}, format="json")
    assert response.status_code == 200 and response.json()["active"] is False
    assert cache.get(SUBSCRIBERS_KEY) is None  # who listens is read again
    assert api.delete(f"{URL}{subscription.pk}/").status_code == 204
    assert not Subscription.objects.exists()
    assert api.get(f"{URL}{subscription.pk}/").status_code == 404
    assert api.get(f"{URL}99999999999999999999/").status_code == 404


def test_the_delivery_log_shows_each_attempt(
    agent, admin_user, subscribe, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_incident(user=agent)
    page = token_client(admin_user).get(f"{URL}{subscription.pk}/deliveries/").json()
    (delivery,) = page["results"]
    assert delivery["event"] == "ticket.created"
    assert delivery["status"] == "delivered"
    assert ticket.number in delivery["body"]
    (attempt,) = delivery["log"]
    assert attempt["status_code"] == 200
    assert attempt["request_headers"]["webhook-id"] == delivery["webhook_id"]


def test_agents_and_coordinators_are_refused(agent, coordinator, subscribe, receiver):
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    for user in (agent, coordinator):
        api = token_client(user)
        assert api.get(URL).status_code == 403
        assert api.get(f"{URL}{subscription.pk}/deliveries/").status_code == 403
        assert api.patch(f"{URL}{subscription.pk}/", {"active": False}).status_code == 403
    assert Subscription.objects.get().active
