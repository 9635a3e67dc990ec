"""The webhooks' figure for ``/metrics``, read at scrape time."""

from itsm.common.figures import register_figure
from webhooks.models import Delivery, DeliveryStatus


def backlog() -> float:
    """Deliveries not yet done: waiting, being sent or to be retried."""
    return Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).count()


def register() -> None:
    register_figure(
        "itsm_webhook_outbox_backlog", "Webhook deliveries pending or being sent.", backlog
    )
