from celery import shared_task

from itsm.services.autoclose import tickets_autoclose
from itsm.services.uploads import held_uploads_purge


@shared_task
def autoclose_tickets() -> int:
    return tickets_autoclose()


@shared_task
def purge_held_uploads() -> int:
    return held_uploads_purge()
