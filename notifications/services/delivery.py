"""Delivering queued mail: the worker claims the row with a conditional
UPDATE, so however many copies of the task run (retries, the sweep, a
redelivered message) one sender at a time holds it, and a sent row is never
sent again; temporary failures back off, permanent ones fail at once."""

import logging
import mimetypes
import random
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import PurePath

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm import events as announced
from itsm import journal_events as events
from itsm.common.leases import lease_claim
from itsm.common.text import clean_file_name, display_name, single_line
from itsm.models import Channel, WorkInfoType
from itsm.services.journal import journal_event
from notifications.models import EmailStatus, InboundEmail, OutgoingEmail

log = logging.getLogger(__name__)


# --- addressing: the header and the file names the customer sees; compose checks
# a recipient with the same code before queueing ---------------------------------


def attachment_name(name: str) -> str:
    """The name the customer sees for a file (a stored file's own name, or
    the name an admin gave a standard document)."""
    return clean_file_name(name) or "adjunto"


def format_recipient(*, name: str, address: str) -> str:
    """``"Name" <address>``, the name quoted as needed and on one line
    (Django encodes it for the header)."""
    return str(Address(display_name=display_name(name), addr_spec=address))


def recipient_problem(*, name: str, address: str) -> str | None:
    """Why no mail can be addressed to this customer, in words for the
    agent, or None. Checked with the same code that writes the header."""
    try:
        sanitize_address(format_recipient(name=name, address=address), "utf-8")
    except (ValueError, IndexError, HeaderParseError):
        return _(
            "The customer's name or e-mail address “%(email)s” cannot be written in a mail "
            "header; correct them in the customer's record first."
        ) % {"email": single_line(address)}
    return None


@dataclass(frozen=True)
class Delivery:
    """What one delivery attempt came to; ``retry_in`` (seconds) when a
    temporary failure should be tried again."""

    status: str
    retry_in: float | None = None


SKIPPED = "skipped"


def email_deliver(*, email_id: int) -> Delivery:
    """Claim the row, send it over SMTP and record the outcome."""
    claimed = lease_claim(
        OutgoingEmail,
        email_id,
        waiting=EmailStatus.QUEUED,
        sending=EmailStatus.SENDING,
        lease_seconds=settings.ITSM_EMAIL_LEASE_SECONDS,
    )
    if not claimed:
        return Delivery(SKIPPED)
    email = OutgoingEmail.objects.select_related("template", "queued_by").get(pk=email_id)
    attempt = email.attempts  # the fencing token of this claim
    try:
        message = build_message(email)
        message.message()  # writes every header: a bad one fails here, not in SMTP
    except Exception as error:  # a message that cannot be built never will be
        log.exception("E-mail %s cannot be built", email_id)
        return _record_failure(email, attempt, build_failure_reason(email, error))
    try:
        with get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT) as connection:
            connection.send_messages([message])
    except Exception as error:
        permanent, description = classify_error(error)
        if permanent or attempt >= settings.ITSM_EMAIL_MAX_ATTEMPTS:
            return _record_failure(email, attempt, description)
        delay = retry_delay(attempt)
        _release(
            email,
            attempt,
            status=EmailStatus.QUEUED,
            last_error=description,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        log.info(
            "E-mail %s attempt %s failed (%s); retry in %.1fs", email_id, attempt, error, delay
        )
        return Delivery(EmailStatus.QUEUED, retry_in=delay)
    _record_sent(email, attempt)
    return Delivery(EmailStatus.SENT)


def retry_delay(attempt: int) -> float:
    """Exponential backoff with jitter: between half and all of
    base · 2^(attempt-1), capped."""
    ceiling = min(
        settings.ITSM_EMAIL_RETRY_MAX_MS, settings.ITSM_EMAIL_RETRY_BASE_MS * 2 ** (attempt - 1)
    )
    return random.uniform(ceiling / 2, ceiling) / 1000


def classify_error(error: Exception) -> tuple[bool, str]:
    """(permanent?, description). 5xx answers are permanent; 4xx answers,
    refused connections, timeouts, dropped connections and a send cut short
    by the task's time limit are temporary."""
    code = None
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, reply = next(iter(error.recipients.values()))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, reply = error.smtp_code, error.smtp_error
    if code is not None:
        if isinstance(reply, bytes):
            reply = reply.decode("utf-8", "replace")
        return code >= 500, single_line(f"{code} {reply}")[:500]
    if isinstance(error, OSError | SoftTimeLimitExceeded):
        return False, single_line(f"{type(error).__name__}: {error}")[:500]
    return True, single_line(f"{type(error).__name__}: {error}")[:500]


def _release(email: OutgoingEmail, attempt: int, **changes) -> bool:
    """The claim's last write, only while the row is still this attempt's
    (a worker whose lease ran out must not overwrite its new owner)."""
    return bool(
        OutgoingEmail.objects.filter(
            pk=email.pk, status=EmailStatus.SENDING, attempts=attempt
        ).update(lease_expires_at=None, **changes)
    )


def _journal(email: OutgoingEmail, event: str, data: dict) -> None:
    """What happened to ``email``, in its ticket's journal, by who queued it."""
    journal_event(
        email.ticket,
        author=email.queued_by,
        type=WorkInfoType.EMAIL_SYSTEM,
        event=event,
        data=data,
        channel=Channel.MAIL,
    )


def _record_failure(email: OutgoingEmail, attempt: int, description: str) -> Delivery:
    with transaction.atomic():
        if _release(email, attempt, status=EmailStatus.FAILED, last_error=description):
            data = {"to": email.to_email, "template": email.template.title, "error": description}
            _journal(email, events.EMAIL_FAILED, data)
            email.status, email.last_error = EmailStatus.FAILED, description
            announced.publish(announced.MAIL_FAILED, email=email)
    log.warning("E-mail %s failed after %s attempt(s): %s", email.pk, attempt, description)
    return Delivery(EmailStatus.FAILED)


def _record_sent(email: OutgoingEmail, attempt: int) -> None:
    with transaction.atomic():
        now = timezone.now()
        sent = _release(email, attempt, status=EmailStatus.SENT, sent_at=now, last_error="")
        if not sent:
            # Only possible if the lease ran out while sending, which the task's
            # time limit rules out; the row keeps whatever its new owner wrote.
            log.error("E-mail %s was sent but its claim had been lost", email.pk)
            return
        names = [name for name, _content in _attachment_files(email)]
        _journal(
            email,
            events.EMAIL_SENT,
            {
                "email": email.pk,
                "to": recipient(email),
                "subject": email.subject,
                "template": email.template.title,
                "attachments": names,
            },
        )
        email.status, email.sent_at, email.last_error = EmailStatus.SENT, now, ""
        announced.publish(announced.MAIL_SENT, email=email)


def _attachment_files(email: OutgoingEmail) -> list[tuple[str, object]]:
    """(name, field file) of what goes with the message: the standard
    documents as they were when it was queued, then the agent's files.
    (Messages queued before documents were copied read the template's.)"""
    documents = list(email.documents.order_by("pk")) or list(
        email.template.documents.order_by("pk")
    )
    files = [(attachment_name(document.name), document.file) for document in documents]
    files += [(attachment_name(PurePath(f.name).name), f) for _index, f in email.attachments]
    return files


def recipient(email: OutgoingEmail) -> str:
    return format_recipient(name=email.to_name, address=email.to_email)


def build_failure_reason(email: OutgoingEmail, error: Exception) -> str:
    """What the ticket's history says about a message that cannot be built."""
    if isinstance(error, OSError):
        return _("The message cannot be built: one of its files is missing (%(error)s).") % {
            "error": single_line(str(error))[:200]
        }
    problem = recipient_problem(name=email.to_name, address=email.to_email)
    if problem:
        return _("The message cannot be built: %(reason)s") % {"reason": problem}
    return _("The message cannot be built: %(error)s") % {
        "error": single_line(f"{type(error).__name__}: {error}")[:300]
    }


def thread_headers(email: OutgoingEmail) -> dict[str, str]:
    """In-Reply-To and References, so the customer's reply threads back to
    the ticket even without the number in its subject: the conversation so
    far (the ticket's earlier messages both ways), the newest last; and our
    address in X-Loop, so our own mail coming back is recognised."""
    earlier = [
        (row.queued_at or row.created_at, row.message_id)
        for row in OutgoingEmail.objects.filter(ticket_number=email.ticket_number)
        .exclude(pk=email.pk)
        .exclude(message_id="")
        .filter(created_at__lte=email.created_at)
        .only("message_id", "queued_at", "created_at")
    ]
    earlier += list(
        InboundEmail.objects.for_ticket_number(email.ticket_number)
        .filter(classification="customer", message_id_synthesised=False)
        .values_list("received_at", "message_id")
    )
    earlier.sort()
    references = [message_id for _when, message_id in earlier][-20:]
    headers = {"X-Loop": parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}
    if references:
        headers["In-Reply-To"] = references[-1]
        headers["References"] = " ".join(references)
    return headers


def build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    """The MIME message. Every header value goes through ``single_line``, so
    nothing typed anywhere (summary, customer name, file names) can add a
    header or a recipient."""
    message = EmailMultiAlternatives(
        subject=single_line(email.subject),
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient(email)],
        headers={"Message-ID": email.message_id, **thread_headers(email)},
    )
    message.attach_alternative(email.body_html, "text/html")
    for name, field_file in _attachment_files(email):
        with field_file.open("rb") as handle:
            content = handle.read()
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        message.attach(name, content, mimetype)
    return message


# --- the sweep --------------------------------------------------------------------


def emails_requeue_stuck(
    *, now=None, stuck_after: int | None = None, limit: int = 500
) -> list[int]:
    """Claim again what no worker is going to send: queued rows long past
    their time (the broker was down when they were queued, or the task was
    lost) and sending rows whose lease expired (the worker died). Returns
    their ids, for the caller to publish (``notifications.tasks``)."""
    now = now or timezone.now()
    if stuck_after is None:
        stuck_after = settings.ITSM_EMAIL_STUCK_AFTER_SECONDS
    lost = {
        "status": EmailStatus.QUEUED,
        "next_attempt_at": now,
        "lease_expires_at": None,
        "last_error": _("The worker sending it stopped; it will be sent again."),
    }
    requeued = _reclaim(EmailStatus.SENDING, "lease_expires_at", now, limit, lost)
    # Moving next_attempt_at both claims the republication and restarts the
    # overdue clock.
    overdue = now - timedelta(seconds=stuck_after)
    stuck = {"next_attempt_at": now}
    requeued += _reclaim(EmailStatus.QUEUED, "next_attempt_at", overdue, limit, stuck)
    if requeued:
        log.info("Re-queued %d stuck e-mail(s): %s", len(requeued), requeued)
    return requeued


def _reclaim(status: str, stamp: str, before, limit: int, changes: dict) -> list[int]:
    """The ids of the rows in ``status`` whose ``stamp`` is before ``before``
    (oldest first), each changed by ``changes`` only if it still holds the
    stamp it was read with: a concurrent sweep's update then finds nothing."""
    rows = (
        OutgoingEmail.objects.filter(status=status, **{f"{stamp}__lt": before})
        .order_by(stamp)
        .values_list("pk", stamp)[:limit]
    )
    return [
        pk
        for pk, value in rows
        if OutgoingEmail.objects.filter(pk=pk, status=status, **{stamp: value}).update(**changes)
    ]
