"""Celery tasks: thin, they take ids and call the delivery services."""

from celery import shared_task
from django.conf import settings

from itsm.common.leases import publish, sender_task_options
from webhooks.delivery import deliveries_requeue_stuck, delivery_attempt

# Longer retries than this wait in the database for the sweep rather than
# in the broker: a message held for hours is redelivered by Redis once its
# visibility timeout passes.
LONGEST_COUNTDOWN = 300


@shared_task(**sender_task_options(time_limit=settings.ITSM_WEBHOOKS_SEND_TIME_LIMIT, grace=1))
def deliver_webhook(self, delivery_id: int) -> str:
    outcome = delivery_attempt(delivery_id=delivery_id)
    if (
        outcome.retry_in is not None
        and outcome.retry_in <= LONGEST_COUNTDOWN
        and not self.request.is_eager
    ):
        # Without a broker (eager mode) there is no later: the sweep or
        # `manage.py send_pending_webhooks` picks the row up.
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


def publish_deliveries(delivery_ids: list[int]) -> None:
    """Hand the deliveries to the workers (they stay pending if the broker is down)."""
    for delivery_id in delivery_ids:
        publish(deliver_webhook, delivery_id, what="webhook delivery")


@shared_task
def sweep_webhooks() -> int:
    requeued = deliveries_requeue_stuck()
    publish_deliveries(requeued)
    return len(requeued)
