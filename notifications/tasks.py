"""Celery tasks: thin, they take ids and call the services."""

from celery import shared_task
from django.conf import settings

from notifications.imap import imap_poll
from notifications.services.delivery import email_deliver, emails_requeue_stuck


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    # Killed before its lease on the row expires, so the sweep never hands
    # the row to another worker while this one may still be sending.
    time_limit=settings.ITSM_EMAIL_SEND_TIME_LIMIT,
    soft_time_limit=max(1, settings.ITSM_EMAIL_SEND_TIME_LIMIT - 5),
)
def send_email(self, email_id: int) -> str:
    delivery = email_deliver(email_id=email_id)
    if delivery.retry_in is not None and not self.request.is_eager:
        # Without a broker (eager mode) there is no later: the row stays queued
        # and `manage.py send_queued_emails` or the sweep picks it up.
        raise self.retry(countdown=delivery.retry_in)
    return delivery.status


@shared_task
def requeue_stuck_emails() -> int:
    return emails_requeue_stuck()


@shared_task(
    # A poll that overruns the next beat tick is simply skipped: the lease
    # on the folder admits one poller at a time.
    time_limit=max(300, settings.ITSM_IMAP_TIMEOUT * 10),
    soft_time_limit=max(240, settings.ITSM_IMAP_TIMEOUT * 8),
)
def fetch_email() -> int:
    return imap_poll().fetched
