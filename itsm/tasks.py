from celery import shared_task

from itsm.services.autoclose import tickets_autoclose


@shared_task
def autoclose_tickets() -> int:
    return tickets_autoclose()
