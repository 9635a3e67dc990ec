"""Celery tasks: thin, they take ids and call the services; and
``publish_send``, which hands a queued message to them."""

from celery import shared_task
from django.conf import settings

from itsm.common.leases import publish, sender_task_options
from itsm.ops.leader import exclusive
from notifications.imap import imap_poll
from notifications.services.delivery import email_deliver, emails_requeue_stuck


@shared_task(**sender_task_options(time_limit=settings.ITSM_EMAIL_SEND_TIME_LIMIT, grace=5))
def send_email(self, email_id: int) -> str:
    delivery = email_deliver(email_id=email_id)
    if delivery.retry_in is not None and not self.request.is_eager:
        # Without a broker (eager mode) there is no later: the row stays queued
        # and `manage.py send_queued_emails` or the sweep picks it up.
        raise self.retry(countdown=delivery.retry_in)
    return delivery.status


def publish_send(email_id: int) -> None:
    """Hand the queued message to the workers (it stays queued if the broker is down)."""
    publish(send_email, email_id, what="e-mail")


@shared_task
def requeue_stuck_emails() -> int:
    return publish_stuck_emails()


def publish_stuck_emails(*, stuck_after: int | None = None) -> int:
    """Publish again what the sweep claims; how many."""
    requeued = emails_requeue_stuck(stuck_after=stuck_after)
    for email_id in requeued:
        publish_send(email_id)
    return len(requeued)


@shared_task(
    # A poll that overruns the next beat tick is simply skipped: the lease
    # on the folder admits one poller at a time.
    time_limit=max(300, settings.ITSM_IMAP_TIMEOUT * 10),
    soft_time_limit=max(240, settings.ITSM_IMAP_TIMEOUT * 8),
)
def fetch_email() -> int:
    # Every worker machine may be handed the poll; one at a time acts.
    with exclusive("imap-poll") as alone:
        return imap_poll().fetched if alone else 0
