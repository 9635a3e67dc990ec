from django.core.management.base import BaseCommand

from webhooks.delivery import deliveries_requeue_stuck, delivery_attempt
from webhooks.models import Delivery, DeliveryStatus


class Command(BaseCommand):
    help = (
        "Send now, in this process, the webhook deliveries that are due or were "
        "left behind (a worker lost, the broker down): what the sweep does, "
        "without waiting for a worker."
    )

    def handle(self, *args, **options) -> None:
        deliveries_requeue_stuck(now=None)
        due = Delivery.objects.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True)
        counts: dict[str, int] = {}
        for delivery_id in list(due):
            outcome = delivery_attempt(delivery_id=delivery_id)
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
        self.stdout.write(summary or "nothing to send")
