"""The transactional outbox: ``event_record`` receives what the core
publishes (``itsm.events``) in the transaction of the change and, when a
subscription wants the event, writes the event and its deliveries there too;
the workers are told after the commit. A change that rolls back takes its
event with it; a worker that never hears of a committed one (the broker was
down, the worker died) is caught up by the sweep.

Nobody listening is the common case and must cost nothing: who listens to
what is one cached lookup, cleared when a subscription changes."""

import json
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from webhooks.models import TEST_EVENT, Delivery, Event, Subscription
from webhooks.payloads import event_data
from webhooks.services import subscribers
from webhooks.signing import new_webhook_id
from webhooks.tasks import publish_deliveries


def event_body(event_type: str, created_at, data: dict) -> str:
    return json.dumps(
        {"type": event_type, "timestamp": created_at.isoformat(), "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def event_record(event_type: str, facts: dict) -> Event | None:
    """The receiver ``itsm.events.publish`` calls, in the change's transaction."""
    wanted_by = subscribers().get(event_type)
    if not wanted_by:
        return None
    now = timezone.now()
    event = Event.objects.create(
        webhook_id=new_webhook_id(),
        type=event_type,
        body=event_body(event_type, now, event_data(event_type, facts)),
        created_at=now,
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(event=event, subscription_id=pk, next_attempt_at=now, created_at=now)
        for pk in wanted_by
    )
    transaction.on_commit(partial(publish_deliveries, [d.pk for d in deliveries]))
    return event


@transaction.atomic
def subscription_send_test(*, subscription: Subscription) -> Delivery:
    """*Enviar prueba*: a ``webhook.test`` event to this subscription only,
    signed and logged like any other."""
    now = timezone.now()
    data = {"subscription": {"id": subscription.pk, "name": subscription.name}}
    event = Event.objects.create(
        webhook_id=new_webhook_id(),
        type=TEST_EVENT,
        body=event_body(TEST_EVENT, now, data),
        created_at=now,
    )
    delivery = Delivery.objects.create(
        event=event, subscription=subscription, next_attempt_at=now, created_at=now
    )
    transaction.on_commit(partial(publish_deliveries, [delivery.pk]))
    return delivery
