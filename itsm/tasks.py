from celery import shared_task

from itsm.dashboard import dashboard_refresh
from itsm.services.autoclose import tickets_autoclose
from itsm.services.sla import sla_mark_breaches
from itsm.services.uploads import held_uploads_purge


@shared_task
def autoclose_tickets() -> int:
    return tickets_autoclose()


@shared_task
def purge_held_uploads() -> int:
    return held_uploads_purge()


@shared_task
def refresh_dashboard() -> None:
    dashboard_refresh()


@shared_task
def mark_sla_breaches() -> int:
    return sla_mark_breaches()
