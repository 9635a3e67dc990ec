"""The e-mail app's figures for ``/metrics``, read at scrape time: the
outbox waiting to be sent and how far the mailbox lags behind."""

from django.db.models import Max, Min
from django.utils import timezone

from itsm.common.figures import register_figure
from notifications.models import (
    Classification,
    EmailStatus,
    ImapFolderState,
    InboundEmail,
    OutgoingEmail,
)


def outbox_backlog() -> float:
    return OutgoingEmail.objects.filter(
        status__in=[EmailStatus.QUEUED, EmailStatus.SENDING]
    ).count()


def oldest_unprocessed_seconds() -> float:
    """Age of the oldest received message not yet classified (0: none)."""
    oldest = InboundEmail.objects.filter(classification=Classification.UNPROCESSED).aggregate(
        oldest=Min("received_at")
    )["oldest"]
    return (timezone.now() - oldest).total_seconds() if oldest else 0


def since_last_poll_seconds() -> float:
    """Seconds since the mailbox was last read successfully (-1: never)."""
    last = ImapFolderState.objects.aggregate(last=Max("last_success_at"))["last"]
    return (timezone.now() - last).total_seconds() if last else -1


def register() -> None:
    register_figure(
        "itsm_mail_outbox_backlog", "Outgoing e-mails queued or being sent.", outbox_backlog
    )
    register_figure(
        "itsm_mailbox_oldest_unprocessed_seconds",
        "Age of the oldest received e-mail not yet processed (0: none).",
        oldest_unprocessed_seconds,
    )
    register_figure(
        "itsm_mailbox_last_poll_age_seconds",
        "Seconds since the last successful mailbox poll (-1: never).",
        since_last_poll_seconds,
    )
