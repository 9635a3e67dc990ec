"""The admin: a subscription created with its secret shown, internal
destinations refused in the form, and *Reenviar* in the delivery log."""

import pytest
from django.urls import reverse
from standardwebhooks import Webhook

from itsm import events
from itsm.tests.factories import make_incident
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def admin_action(client, user, row, action: str):
    """Runs an action of the admin's list on one row, as the admin page does."""
    client.force_login(user)
    changelist = reverse(f"admin:webhooks_{row._meta.model_name}_changelist")
    return client.post(changelist, {"action": action, "_selected_action": [row.pk]}, follow=True)


def test_the_admin_creates_a_subscription_and_shows_its_secret(
    client, admin_user, receiver, allow_private
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:webhooks_subscription_add"),
        {"name": "Portal", "url": receiver.url(), "events": ["ticket.created"], "active": "on"},
        follow=True,
    )
    subscription = Subscription.objects.get()
    assert subscription.owner == admin_user
    assert subscription.secret in response.content.decode()


def test_the_admin_form_refuses_a_private_address_in_spanish(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:webhooks_subscription_add"),
        {"name": "Interno", "url": "http://192.168.0.5/", "events": ["ticket.created"]},
    )
    assert response.status_code == 200
    assert "192.168.0.5 es una dirección privada." in response.content.decode()
    assert not Subscription.objects.exists()


def test_resend_sends_the_delivery_again_with_its_webhook_id(
    client, agent, admin_user, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(receiver.url(), [events.TICKET_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(user=agent)
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_action(client, admin_user, delivery, "resend")
    assert "con el mismo webhook-id" in response.content.decode()
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.event.webhook_id
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    # The log page shows both attempts.
    page = client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert page.content.decode().count(">200<") >= 1


def test_send_a_test_event_reaches_the_receiver_signed(
    client, admin_user, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url(), [events.MAIL_SENT])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_action(client, admin_user, subscription, "send_test")
    assert "Se envía un evento webhook.test a 1 suscripción" in response.content.decode()
    (received,) = receiver.requests
    payload = Webhook(subscription.secret).verify(received.body, received.headers)
    assert payload["type"] == "webhook.test"
    assert payload["data"]["subscription"]["id"] == subscription.pk
    assert Delivery.objects.get().status == "delivered"


def test_turning_a_subscription_off_needs_no_reachable_destination(
    client, admin_user, receiver, subscribe, settings
):
    subscription = subscribe(receiver.url(), [events.MAIL_SENT])
    settings.ITSM_WEBHOOKS_ALLOW_PRIVATE = False  # its address is refused now
    admin_action(client, admin_user, subscription, "disable")
    subscription.refresh_from_db()
    assert not subscription.active
