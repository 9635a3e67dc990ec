"""The mail in the full-text index: what was received (threaded onto a ticket
or left in the mailbox) and what was sent, kept from the announcements the
mail services already make in their own transactions."""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from itsm import events as announced
from itsm.fulltext import REBUILD_BATCH, Row, Source, index_text, register_source
from notifications.models import EmailStatus, InboundEmail, OutgoingEmail

MAIL_RECEIVED = "mail_received"
MAIL_SENT = "mail_sent"


def mail_text(email) -> str:
    return f"{email.subject}\n{email.body_text}"


def _received_rows() -> Iterator[Row]:
    emails = (
        InboundEmail.objects.only("subject", "body_text", "ticket_number", "received_at")
        .exclude(processed_at=None)
        .filter(quarantine_reason="")
    )
    for email in emails.order_by("pk").iterator(chunk_size=REBUILD_BATCH):
        yield Row(str(email.pk), mail_text(email), email.received_at, email.ticket_number)


def _sent_rows() -> Iterator[Row]:
    emails = OutgoingEmail.objects.filter(status=EmailStatus.SENT).only(
        "subject", "body_text", "ticket_number", "sent_at"
    )
    for email in emails.order_by("pk").iterator(chunk_size=REBUILD_BATCH):
        yield Row(str(email.pk), mail_text(email), email.sent_at, email.ticket_number)


def index_mail_event(event_type: str, facts: dict) -> None:
    if event_type == announced.MAIL_RECEIVED:
        email = facts["email"]
        index_text(
            MAIL_RECEIVED, str(email.pk), mail_text(email), email.ticket_number, email.received_at
        )
    elif event_type == announced.MAIL_SENT:
        email = facts["email"]
        index_text(MAIL_SENT, str(email.pk), mail_text(email), email.ticket_number, email.sent_at)


def register() -> None:
    register_source(Source(MAIL_RECEIVED, _("Mail received"), _received_rows))
    register_source(Source(MAIL_SENT, _("Mail sent"), _sent_rows))
    announced.register_receiver(
        index_mail_event,
        wants=lambda event_type: event_type in (announced.MAIL_RECEIVED, announced.MAIL_SENT),
    )
