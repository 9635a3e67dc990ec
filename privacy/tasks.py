"""Thin Celery tasks over the privacy services (eager without a broker)."""

from celery import shared_task
from django.conf import settings

from privacy.delivery import export_build
from privacy.retention import anonymise_due, retention_apply, retention_plan


@shared_task
def build_export(request_id: int) -> None:
    export_build(request_id)


@shared_task
def anonymise_blocked() -> int:
    """Customers blocked longer than the limitation period, anonymised."""
    return len(anonymise_due())


@shared_task
def apply_retention() -> int:
    """Only when the deployment enabled it: a dry run is the default."""
    if not settings.ITSM_RETENTION_ENABLED:
        return 0
    return retention_apply(retention_plan())
