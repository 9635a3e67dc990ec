"""The claim of an outbox row (an e-mail, a webhook delivery) by the worker
that will send it: one conditional UPDATE, so two workers never both send it.
The row's ``attempts`` after the claim is the fencing token of the sender."""

import logging
from datetime import timedelta

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

# How late a retry may fire compared with the row's next_attempt_at and still
# claim it (the task's countdown and the row are computed from the same delay).
CLAIM_TOLERANCE = timedelta(seconds=1)


class LeasedRow(models.Model):
    """An outbox row as ``lease_claim`` and the sweep read it: how often it
    was claimed, when a waiting row may next be tried (backoff), and until
    when a sending row belongs to the worker that claimed it."""

    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)

    class Meta:
        abstract = True


def sweep_indexes(table: str, *, waiting: str) -> list[models.Index]:
    """The sweep's two partial indexes: rows ``waiting`` by due time, and rows
    being sent by lease expiry (``<table>_<waiting>_idx``, ``<table>_sending_idx``)."""
    return [
        models.Index(
            fields=["status", "next_attempt_at"],
            condition=models.Q(status=waiting),
            name=f"{table}_{waiting}_idx",
        ),
        models.Index(
            fields=["status", "lease_expires_at"],
            condition=models.Q(status="sending"),
            name=f"{table}_sending_idx",
        ),
    ]


def lease_claim(
    model: type[LeasedRow], pk: int, *, waiting: str, sending: str, lease_seconds: int
) -> bool:
    """Move the row from ``waiting`` (when due) to ``sending`` for ``lease_seconds``;
    False when it was not due, not waiting, or another worker claimed it first."""
    now = timezone.now()
    claimed = model.objects.filter(
        pk=pk, status=waiting, next_attempt_at__lte=now + CLAIM_TOLERANCE
    ).update(
        status=sending,
        attempts=F("attempts") + 1,
        lease_expires_at=now + timedelta(seconds=lease_seconds),
    )
    return bool(claimed)


def sender_task_options(*, time_limit: int, grace: int) -> dict:
    """Celery's options for the task that sends a claimed row: acknowledged
    once done (a lost worker's message comes back), retried as long as the
    row asks, and killed before its lease on the row expires, so the sweep
    never hands the row to another worker while this one may still be
    sending. ``grace``: the seconds the soft limit leaves to record the outcome."""
    return {
        "bind": True,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "max_retries": None,
        "time_limit": time_limit,
        "soft_time_limit": max(1, time_limit - grace),
    }


def publish(task, row_id: int, *, what: str) -> None:
    """Hand a waiting row to the workers. A broker that is down must not fail
    the request that wrote the row: it stays waiting and the sweep publishes
    it again later."""
    try:
        task.delay(row_id)
    except (OperationalError, OSError) as error:
        log.warning("Could not publish %s %s (%s); the sweep will retry it.", what, row_id, error)
