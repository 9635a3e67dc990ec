"""Delivery with the real parts: a redis-server and a ``celery -A itsm worker``
(with beat, so the sweep runs) started by the test, the receiver on loopback.
At least once, never lost: a worker killed mid-request is replaced and the
event arrives again with the same webhook-id; a receiver that is down gets
the event once it is back."""

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from conftest import start_service
from itsm import events
from itsm.tests.factories import make_incident
from notifications.tests.live import (
    CeleryWorker,
    free_port,
    publishing_to,
    wait_for,
)
from webhooks.models import Delivery, DeliveryStatus
from webhooks.services import subscription_create
from webhooks.tests.receiver import Receiver

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# A worker with short timeouts, lease, retries and sweep, so each scenario takes seconds.
WEBHOOK_WORKER_SETTINGS = {
    "ITSM_WEBHOOKS_ALLOW_PRIVATE": "true",
    "ITSM_WEBHOOKS_TIMEOUT_SECONDS": "1",
    "ITSM_WEBHOOKS_LEASE_SECONDS": "6",
    "ITSM_WEBHOOKS_RETRY_SECONDS": "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1",
    "ITSM_WEBHOOKS_SWEEP_EVERY_SECONDS": "1",
    "ITSM_WEBHOOKS_STUCK_AFTER_SECONDS": "2",
}


@pytest.fixture
def worker(transactional_db, tmp_path, redis, private_media):
    """Not started: each test starts it when its scenario needs it."""
    process = CeleryWorker(tmp_path / "worker", broker_url=redis.url, smtp_port=free_port())
    process.environment.update(WEBHOOK_WORKER_SETTINGS)
    yield process
    process.kill()
    print(process.log_tail(200))


@pytest.fixture
def web(redis, allow_private):
    """This process (the web side) publishes to the same broker."""
    with publishing_to(redis.url):
        yield


def delivered(delivery_count: int = 1) -> bool:
    return (
        Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == delivery_count
        and not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()
    )


def test_a_worker_killed_mid_delivery_is_replaced_and_the_event_arrives_with_its_id(
    agent, admin_user, receiver, worker, web
):
    subscription = subscription_create(
        owner=admin_user, name="Portal", url=receiver.url(), events=[events.TICKET_CREATED]
    )
    receiver.behaviour.first_pause = 30  # holds the first request: the worker waits on it
    start_service(worker)
    with transaction.atomic():
        ticket = make_incident(user=agent)
    assert wait_for(lambda: receiver.requests, timeout=20), worker.log_tail()
    worker.kill()  # SIGKILL to the whole process group, mid-request
    assert Delivery.objects.get().status == DeliveryStatus.SENDING

    start_service(worker)
    assert wait_for(lambda: len(receiver.requests) >= 2, timeout=30), worker.log_tail()
    assert wait_for(delivered, timeout=15), worker.log_tail()

    first, second = receiver.requests[:2]
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    payload = Webhook(subscription.secret).verify(second.body, second.headers)
    assert payload["data"]["ticket"]["number"] == ticket.number
    delivery = Delivery.objects.get()
    assert delivery.attempts == 2
    assert [a.number for a in delivery.log.order_by("number")] == [1, 2]


def test_a_receiver_down_for_a_while_gets_the_event_once_it_is_back(agent, admin_user, worker, web):
    port = free_port()
    down = Receiver(port=port)
    subscription = subscription_create(
        owner=admin_user,
        name="Portal",
        url=down.url(),
        events=[events.TICKET_CREATED],
    )
    start_service(worker)
    with transaction.atomic():
        make_incident(user=agent)
    delivery = Delivery.objects.get()
    # Refused while nothing listens...
    assert wait_for(
        lambda: Delivery.objects.get().log.filter(error__contains="Connection").count() >= 2,
        timeout=20,
    ), worker.log_tail()
    assert Delivery.objects.get().status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    # ...then the receiver comes back.
    back = Receiver(port=port).start()
    try:
        assert wait_for(delivered, timeout=20), worker.log_tail()
        (received,) = back.requests
        Webhook(subscription.secret).verify(received.body, received.headers)
        delivery.refresh_from_db()
        assert delivery.attempts >= 3
        assert delivery.log.order_by("-number").first().status_code == 200
    finally:
        back.stop()


def test_a_rolled_back_change_is_never_delivered(agent, admin_user, receiver, worker, web):
    subscription_create(
        owner=admin_user, name="Portal", url=receiver.url(), events=[events.TICKET_CREATED]
    )
    start_service(worker)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_incident(user=agent)
        raise RuntimeError("the change failed")
    with transaction.atomic():
        ticket = make_incident(user=agent)
    assert wait_for(delivered, timeout=20), worker.log_tail()
    wait_for(lambda: len(receiver.requests) > 1, timeout=2)
    (received,) = receiver.requests
    assert ticket.number in received.body.decode()
