"""Events reach a real receiver on loopback, signed so the Standard Webhooks
library verifies them; the outbox follows the change's transaction; retries,
refusals, redirects and disabling as the receiver behaves."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks import Webhook

from incidents.models import Incident
from itsm import events
from itsm.models import StatusReason
from itsm.services.autoclose import tickets_autoclose
from itsm.services.journal import work_info_add
from itsm.services.ticket_update import ticket_resolve, ticket_set_pending
from itsm.tests.factories import make_incident
from webhooks.delivery import deliveries_requeue_stuck, delivery_attempt, delivery_resend
from webhooks.models import Attempt, Delivery, DeliveryStatus, Event, Subscription
from webhooks.services import subscribers, subscription_create

pytestmark = pytest.mark.django_db


def verified(subscription: Subscription, received) -> dict:
    """What the library accepts, or it raises."""
    return Webhook(subscription.secret).verify(received.body, received.headers)


def test_a_new_ticket_reaches_the_receiver_signed_and_as_the_api_shows_it(
    agent, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_incident(user=agent)

    (received,) = receiver.requests
    payload = verified(subscription, received)
    assert payload["type"] == "ticket.created"
    assert payload["data"]["ticket"]["number"] == ticket.number
    assert payload["data"]["ticket"]["kind"] == "INC"
    assert payload["data"]["ticket"]["status"] == ticket.status
    event = Event.objects.get()
    assert received.headers["webhook-id"] == event.webhook_id
    assert event.webhook_id.startswith("msg_")
    assert received.headers["content-type"] == "application/json"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    attempt = delivery.log.get()
    assert attempt.status_code == 200 and attempt.response_body == "ok"
    assert attempt.response_ms is not None
    assert attempt.request_headers["webhook-signature"] == received.headers["webhook-signature"]


def test_a_tampered_body_fails_verification(
    agent, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(user=agent)
    (received,) = receiver.requests
    with pytest.raises(Exception, match="signature"):
        Webhook(subscription.secret).verify(received.body + b" ", received.headers)


def test_each_service_announces_its_events(
    agent, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription = subscribe(
        receiver.url(),
        [events.TICKET_UPDATED, events.TICKET_STATUS_CHANGED, events.JOURNAL_APPENDED],
    )
    ticket = make_incident(user=agent)
    reason = StatusReason.objects.filter(kind="INC", status="pending").first()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_set_pending(
            ticket=ticket, user=agent, expected_version=ticket.version, status_reason=reason
        )
        work_info_add(ticket=ticket, user=agent, notes="Llamé al cliente")

    payloads = [verified(subscription, r) for r in receiver.requests]
    types = [p["type"] for p in payloads]
    assert types.count("ticket.updated") == 1
    assert types.count("ticket.status_changed") == 1
    updated = next(p for p in payloads if p["type"] == "ticket.updated")
    assert "status" in updated["data"]["changed"]
    changed = next(p for p in payloads if p["type"] == "ticket.status_changed")
    assert changed["data"]["old_status"] == "assigned"
    assert changed["data"]["ticket"]["status"] == "pending"
    notes = [p["data"]["entry"]["notes"] for p in payloads if p["type"] == "journal.appended"]
    assert "Llamé al cliente" in notes
    # One webhook-id per event, never shared.
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == len(payloads)


def test_a_rolled_back_change_sends_nothing(
    agent, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscribe(receiver.url(), [events.TICKET_CREATED, events.JOURNAL_APPENDED])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        make_incident(user=agent)
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not Event.objects.exists() and not Delivery.objects.exists()
    assert not Incident.objects.exists()
    assert receiver.requests == []


def test_nobody_listening_costs_no_query(agent, receiver, subscribe, django_assert_num_queries):
    subscribe(receiver.url(), [events.MAIL_SENT])
    subscribers()  # into the cache
    # An event the full-text index ignores too (it indexes a created ticket).
    with django_assert_num_queries(0):
        events.publish(events.TICKET_STATUS_CHANGED, ticket=None)
    assert not Event.objects.exists()


def test_a_new_subscription_is_heard_at_once(agent, receiver, subscribe):
    assert subscribers() == {}
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    assert subscribers() == {events.TICKET_CREATED: [subscription.pk]}


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.7/hooks",
        "http://127.0.0.1:8080/hooks",
        "http://[::1]/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost/hooks",
        "http://[::ffff:10.1.1.1]/hooks",
        "http://192.168.1.20/hooks",
    ],
)
def test_internal_destinations_are_refused_in_spanish(admin_user, url):
    with pytest.raises(ValidationError) as refused:
        subscription_create(owner=admin_user, name="Interno", url=url, events=["ticket.created"])
    (message,) = refused.value.message_dict["url"]
    assert message.startswith("No se pueden enviar webhooks a ")
    assert "es una dirección" in message
    assert not Subscription.objects.exists()


def test_a_destination_is_checked_again_at_delivery(
    agent, receiver, subscribe, settings, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    settings.ITSM_WEBHOOKS_ALLOW_PRIVATE = False  # the intranet setting taken away
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(user=agent)
    assert receiver.requests == []
    attempt = Attempt.objects.get(delivery__subscription=subscription)
    assert "127.0.0.1 es una dirección de bucle local" in attempt.error
    assert attempt.status_code is None


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    agent, receiver, subscribe, django_capture_on_commit_callbacks
):
    receiver.behaviour.status = 302
    receiver.behaviour.location = receiver.url("/elsewhere")
    subscribe(receiver.url(), [events.TICKET_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(user=agent)
    assert [r.path for r in receiver.requests] == ["/hooks"]
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING  # to be tried again later
    attempt = delivery.log.get()
    assert attempt.status_code == 302
    assert "redirección" in attempt.error
    assert attempt.next_retry_at == delivery.next_attempt_at


def test_a_failing_receiver_is_retried_then_the_subscription_is_disabled_and_admins_told(
    agent, admin_user, receiver, subscribe, settings, django_capture_on_commit_callbacks
):
    settings.ITSM_WEBHOOKS_RETRY_SECONDS = [0, 0]
    receiver.behaviour.status = 503
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(user=agent)
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_attempt(delivery_id=delivery.pk).status == DeliveryStatus.PENDING
        assert delivery_attempt(delivery_id=delivery.pk).status == DeliveryStatus.FAILED

    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert list(delivery.log.order_by("number").values_list("number", "status_code")) == [
        (1, 503),
        (2, 503),
        (3, 503),
    ]
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.disabled_at is not None
    assert subscription.consecutive_failures == 1
    (message,) = mail.outbox
    assert message.to == [admin_user.email]
    assert message.subject == "Webhook desactivado: Portal"
    assert receiver.url() in message.body
    # Disabled: the next change announces nothing to it.
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(user=agent)
    assert Event.objects.count() == 1


def test_a_success_in_between_keeps_the_subscription_on(
    agent, receiver, subscribe, settings, django_capture_on_commit_callbacks
):
    settings.ITSM_WEBHOOKS_RETRY_SECONDS = [3600]
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    receiver.behaviour.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(user=agent)
    first = Delivery.objects.get()
    receiver.behaviour.status = 204
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(user=agent)
    receiver.behaviour.status = 500
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())  # an hour later
    delivery_attempt(delivery_id=first.pk)
    first.refresh_from_db()
    subscription.refresh_from_db()
    assert first.status == DeliveryStatus.FAILED
    assert subscription.active and subscription.consecutive_failures == 1
    assert mail.outbox == []


def test_resending_uses_the_same_webhook_id(
    agent, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url(), [events.TICKET_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_incident(user=agent)
    delivery = Delivery.objects.get()
    assert delivery_resend(delivery=delivery)
    assert delivery_attempt(delivery_id=delivery.pk).status == DeliveryStatus.DELIVERED
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    verified(subscription, second)


def test_the_sweep_takes_back_a_delivery_whose_worker_died(
    agent, receiver, subscribe, settings, django_capture_on_commit_callbacks
):
    subscribe(receiver.url(), [events.TICKET_CREATED])
    make_incident(user=agent)  # committed, but no worker ever heard of it
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, lease_expires_at=delivery.created_at
    )
    assert deliveries_requeue_stuck() == [delivery.pk]
    assert delivery_attempt(delivery_id=delivery.pk).status == DeliveryStatus.DELIVERED
    assert [a.number for a in delivery.log.order_by("number")] == [1, 2]
    assert "se detuvo" in delivery.log.get(number=1).error
    assert json.loads(receiver.requests[0].body)["type"] == "ticket.created"


def test_tickets_closed_by_themselves_are_announced(
    agent, receiver, subscribe, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url(), [events.TICKET_STATUS_CHANGED])
    ticket = make_incident(user=agent)
    reason = StatusReason.objects.filter(kind="INC", status=Incident.RESOLVED_STATUS).first()
    ticket_resolve(ticket=ticket, user=agent, expected_version=ticket.version, status_reason=reason)
    Incident.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=30))
    Event.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert tickets_autoclose(days=15) == 1

    (received,) = receiver.requests
    payload = verified(subscription, received)
    assert payload["type"] == "ticket.status_changed"
    assert payload["data"]["old_status"] == Incident.RESOLVED_STATUS
    assert payload["data"]["ticket"]["status"] == "closed"
    assert payload["data"]["ticket"]["number"] == ticket.number


def test_closing_by_itself_reads_no_ticket_when_nobody_listens(agent):
    ticket = make_incident(user=agent)
    reason = StatusReason.objects.filter(kind="INC", status=Incident.RESOLVED_STATUS).first()
    ticket_resolve(ticket=ticket, user=agent, expected_version=ticket.version, status_reason=reason)
    Incident.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=30))
    subscribers()  # nobody, into the cache
    with CaptureQueriesContext(connection) as queries:
        assert tickets_autoclose(days=15) == 1
    # Only the ids are read, as before there were webhooks.
    assert not [q["sql"] for q in queries if '"incidents_incident"."summary"' in q["sql"]]


def test_the_command_sends_what_no_worker_heard_of(agent, receiver, subscribe):
    subscribe(receiver.url(), [events.TICKET_CREATED])
    make_incident(user=agent)  # the broker was down: nothing published
    out = StringIO()
    call_command("send_pending_webhooks", stdout=out)
    assert out.getvalue().strip() == "delivered 1"
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1
