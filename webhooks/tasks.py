"""Celery tasks: thin, they take ids and call the delivery services."""

import logging

from celery import shared_task
from django.conf import settings
from kombu.exceptions import OperationalError

from itsm.common.leases import sender_task_options
from webhooks.delivery import deliveries_requeue_stuck, delivery_attempt

log = logging.getLogger(__name__)

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
    """Hand the deliveries to the workers. A broker that is down must not
    fail the request that made them: they stay pending for the sweep."""
    for delivery_id in delivery_ids:
        try:
            deliver_webhook.delay(delivery_id)
        except (OperationalError, OSError) as error:
            log.warning("Could not publish webhook delivery %s (%s)", delivery_id, error)


@shared_task
def sweep_webhooks() -> int:
    requeued = deliveries_requeue_stuck()
    publish_deliveries(requeued)
    return len(requeued)
