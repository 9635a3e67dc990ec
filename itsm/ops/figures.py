"""The core's figures for ``/metrics``, read at scrape time: the broker's
queue and the SLA breaches of open tickets, by kind."""

from django.conf import settings
from kombu import Connection

from itsm.common.figures import register_figure
from itsm.kinds import all_kinds

QUEUE = "celery"  # Celery's default queue: the desk routes every task there


def celery_queue_length() -> float:
    """Tasks waiting in the broker (no broker: tasks run in-process, none wait)."""
    if not settings.CELERY_BROKER_URL:
        return 0
    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=2,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    ) as broker:
        # Not passive: a queue no worker has declared yet holds nothing (0),
        # instead of failing the figure.
        declared = broker.default_channel.queue_declare(
            queue=QUEUE, durable=True, auto_delete=False
        )
        return declared.message_count


def sla_breaches() -> dict[str, float]:
    """Open tickets past their SLA due time, by kind."""
    return {
        kind.code: kind.model.objects.open().filter(sla_breached_at__isnull=False).count()
        for kind in all_kinds()
    }


def register() -> None:
    register_figure(
        "itsm_celery_queue_length", "Tasks waiting in the broker's queue.", celery_queue_length
    )
    register_figure(
        "itsm_sla_breached_open_tickets",
        "Open tickets whose SLA is breached, by kind.",
        sla_breaches,
        label="kind",
    )
