"""Writing, queueing and delivering mail to customers.

Every message is an ``OutgoingEmail`` row. Queueing it happens in the same
transaction as the ticket change and publishes the Celery task only after
commit; delivering claims the row with a conditional UPDATE, so however many
copies of the task run (retries, the sweep, a redelivered message) one
sender at a time holds it, and a sent row is never sent again.
"""

import logging
import mimetypes
import random
import re
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import PurePath

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives, get_connection, make_msgid
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from customers.models import Customer
from itsm.models import MAX_ATTACHMENTS, Ticket, WorkInfoType
from itsm.permissions import is_coordinator, require_agent
from itsm.services.journal import journal_append
from notifications.models import EmailStatus, OutgoingEmail, ResponseTemplate
from notifications.rendering import render_body, template_values

log = logging.getLogger(__name__)

# The language of every message to customers, whatever the agent's UI language.
CUSTOMER_LANGUAGE = "es"

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


def single_line(text: str) -> str:
    """Text safe for a header: control characters (CR, LF…) become spaces."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def safe_file_name(name: str) -> str:
    return single_line(PurePath(name.replace("\\", "/")).name) or "adjunto"


# --- composing ---------------------------------------------------------------------


def customer_values(customer: Customer) -> dict[str, str]:
    return {
        "nombre": customer.first_name,
        "apellidos": customer.surnames,
        "nombre_completo": customer.full_name,
        "organizacion": customer.organisation,
        "nif": customer.tax_id,
        "email": customer.email,
        "telefono": customer.phone,
        "codigo_flei": customer.flei_code,
    }


def email_subject(*, ticket: Ticket, template: ResponseTemplate) -> str:
    return single_line(f"{ticket.number} {template.subject_suffix}")[:200]


def email_render(
    *,
    ticket: Ticket,
    template: ResponseTemplate,
    user,
    amount: Decimal | None = None,
    note: str = "",
) -> tuple[str, str]:
    """The plain-text and HTML bodies, signature included, in Spanish.
    Raises ``TemplateRenderError`` for a body that does not render."""
    values = template_values(
        number=ticket.number,
        summary=ticket.summary,
        agent=user.get_full_name() or user.get_username(),
        customer=customer_values(ticket.customer),
        amount=amount,
        note=note,
        today=timezone.localdate(),
    )
    text, html = render_body(template.body, values)
    context = {"number": ticket.number, "body": text, "body_html": mark_safe(html)}
    with translation.override(CUSTOMER_LANGUAGE):
        return (
            render_to_string("emails/customer_message.txt", context).strip() + "\n",
            render_to_string("emails/customer_message.html", context),
        )


def _check_can_write(*, ticket: Ticket, user, template: ResponseTemplate) -> None:
    require_agent(user)
    if template.coordinators_only and not is_coordinator(user):
        raise PermissionDenied(_("Only coordinators can send this response template."))
    if not template.active or not template.applies_to_kind(ticket.KIND):
        raise ValidationError(
            {"template": _("This response template cannot be used for this ticket.")},
            code="template_not_usable",
        )
    if ticket.is_closed:
        raise ValidationError(
            _("%(number)s is %(status)s: no more mail can be sent from it.")
            % {"number": ticket.number, "status": ticket.get_status_display().lower()},
            code="ticket_closed",
        )
    if not ticket.customer.email:
        raise ValidationError(no_email_message(), code="customer_without_email")


def no_email_message() -> str:
    return _(
        "The customer has no registered e-mail address, so no mail can be sent. "
        "Add the address to the customer's record first."
    )


@transaction.atomic
def email_save_draft(
    *,
    ticket: Ticket,
    user,
    template: ResponseTemplate,
    amount: Decimal | None = None,
    note: str = "",
    attachment: UploadedFile | None = None,
    email: OutgoingEmail | None = None,
) -> OutgoingEmail:
    """*Guardar*: create or update a draft. The recipient and the subject are
    always the customer's registered e-mail and the fixed subject, whatever
    the caller had in mind; ``attachment`` is added as the next *Archivo*."""
    _check_can_write(ticket=ticket, user=user, template=template)
    if template.asks_amount and amount is None:
        raise ValidationError(
            {"amount": _("This template needs the amount owed.")}, code="amount_required"
        )
    if email is None:
        email = OutgoingEmail(ticket=ticket, created_by=user)
    else:
        email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
        if not email.is_draft:
            raise ValidationError(_("This message has already been sent."), code="not_draft")
        if email.ticket_number != ticket.number:
            raise ValidationError(_("This message belongs to another ticket."))
    customer = ticket.customer
    email.template = template
    email.to_email = customer.email
    email.to_name = single_line(customer.full_name)[:300]
    email.subject = email_subject(ticket=ticket, template=template)
    email.amount = amount if template.asks_amount else None
    email.note = note.strip()
    email.body_text, email.body_html = email_render(
        ticket=ticket, template=template, user=user, amount=email.amount, note=email.note
    )
    if attachment is not None:
        slot = email.free_slot
        if slot is None:
            raise ValidationError(
                {
                    "attachment": _("A message takes at most %(max)d files.")
                    % {"max": MAX_ATTACHMENTS}
                },
                code="too_many_attachments",
            )
        setattr(email, f"attachment_{slot}", attachment)
    email.save()
    return email


@transaction.atomic
def email_send(
    *,
    ticket: Ticket,
    user,
    template: ResponseTemplate,
    amount: Decimal | None = None,
    note: str = "",
    attachment: UploadedFile | None = None,
    email: OutgoingEmail | None = None,
) -> OutgoingEmail:
    """*Enviar*: save the message and queue it. The task is published once
    the transaction commits; if it rolls back, nothing is sent."""
    email = email_save_draft(
        ticket=ticket,
        user=user,
        template=template,
        amount=amount,
        note=note,
        attachment=attachment,
        email=email,
    )
    now = timezone.now()
    # Given once: every retry of this message carries the same Message-ID.
    message_id = email.message_id or make_msgid(domain=_message_id_domain())
    queued = OutgoingEmail.objects.filter(pk=email.pk, status=EmailStatus.DRAFT).update(
        status=EmailStatus.QUEUED,
        message_id=message_id,
        queued_at=now,
        queued_by=user,
        next_attempt_at=now,
        attempts=0,
        last_error="",
    )
    if not queued:
        raise ValidationError(_("This message has already been sent."), code="not_draft")
    type(ticket).objects.filter(pk=ticket.pk).update(updated_at=now)
    email.refresh_from_db()
    transaction.on_commit(lambda: publish_send(email.pk))
    return email


@transaction.atomic
def email_resend(*, email: OutgoingEmail, user) -> OutgoingEmail:
    """*Reenviar* a failed message: queued again, same Message-ID."""
    require_agent(user)
    if email.template.coordinators_only and not is_coordinator(user):
        raise PermissionDenied(_("Only coordinators can send this response template."))
    now = timezone.now()
    queued = OutgoingEmail.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
        status=EmailStatus.QUEUED,
        queued_by=user,
        queued_at=now,
        next_attempt_at=now,
        attempts=0,
    )
    if not queued:
        raise ValidationError(_("Only a failed message can be sent again."), code="not_failed")
    email.refresh_from_db()
    transaction.on_commit(lambda: publish_send(email.pk))
    return email


@transaction.atomic
def email_remove_attachment(*, email: OutgoingEmail, user, position: int) -> OutgoingEmail:
    """Take *Archivo n* off a draft; the following files move up one place."""
    require_agent(user)
    email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
    if not email.is_draft:
        raise ValidationError(_("This message has already been sent."), code="not_draft")
    files = [f.name for _index, f in email.attachments]
    if not 1 <= position <= len(files):
        raise ValidationError(_("There is no file %(n)d.") % {"n": position})
    removed = files.pop(position - 1)
    for index in range(1, MAX_ATTACHMENTS + 1):
        setattr(email, f"attachment_{index}", files[index - 1] if index <= len(files) else "")
    email.save()
    transaction.on_commit(lambda: email.attachment_1.storage.delete(removed))
    return email


def _message_id_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def publish_send(email_id: int) -> None:
    """Hand the message to the workers. A broker that is down must not fail
    the request that queued it: the row stays queued and the sweep publishes
    it again later."""
    from notifications.tasks import send_email

    try:
        send_email.delay(email_id)
    except (OperationalError, OSError) as error:
        log.warning("Could not publish e-mail %s (%s); the sweep will retry it.", email_id, error)


# --- delivering -------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What one delivery attempt came to; ``retry_in`` (seconds) when a
    temporary failure should be tried again."""

    status: str
    retry_in: float | None = None


SKIPPED = "skipped"

# How late a retry may fire compared with the row's next_attempt_at and still
# claim it (the task's countdown and the row are computed from the same delay).
CLAIM_TOLERANCE = timedelta(seconds=1)


def email_deliver(*, email_id: int) -> Delivery:
    """Claim the row, send it over SMTP and record the outcome."""
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(
        pk=email_id, status=EmailStatus.QUEUED, next_attempt_at__lte=now + CLAIM_TOLERANCE
    ).update(
        status=EmailStatus.SENDING,
        attempts=F("attempts") + 1,
        lease_expires_at=now + timedelta(seconds=settings.ITSM_EMAIL_LEASE_SECONDS),
    )
    if not claimed:
        return Delivery(SKIPPED)
    email = OutgoingEmail.objects.select_related("template", "queued_by").get(pk=email_id)
    attempt = email.attempts  # the fencing token of this claim
    try:
        message = build_message(email)
    except Exception as error:  # a message that cannot be built never will be
        log.exception("E-mail %s cannot be built", email_id)
        return _record_failure(email, attempt, _("Cannot build the message: %s") % error)
    try:
        with get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT) as connection:
            connection.send_messages([message])
    except Exception as error:
        permanent, description = classify_error(error)
        if permanent or attempt >= settings.ITSM_EMAIL_MAX_ATTEMPTS:
            return _record_failure(email, attempt, description)
        delay = retry_delay(attempt)
        OutgoingEmail.objects.filter(
            pk=email.pk, status=EmailStatus.SENDING, attempts=attempt
        ).update(
            status=EmailStatus.QUEUED,
            last_error=description,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            lease_expires_at=None,
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


def _record_failure(email: OutgoingEmail, attempt: int, description: str) -> Delivery:
    with transaction.atomic():
        failed = OutgoingEmail.objects.filter(
            pk=email.pk, status=EmailStatus.SENDING, attempts=attempt
        ).update(status=EmailStatus.FAILED, last_error=description, lease_expires_at=None)
        if failed:
            journal_append(
                email.ticket,
                author=email.queued_by,
                type=WorkInfoType.EMAIL_SYSTEM,
                notes=_("E-mail to %(to)s NOT sent (%(template)s): %(error)s")
                % {"to": email.to_email, "template": email.template.title, "error": description},
            )
    log.warning("E-mail %s failed after %s attempt(s): %s", email.pk, attempt, description)
    return Delivery(EmailStatus.FAILED)


def _record_sent(email: OutgoingEmail, attempt: int) -> None:
    with transaction.atomic():
        sent = OutgoingEmail.objects.filter(
            pk=email.pk, status=EmailStatus.SENDING, attempts=attempt
        ).update(
            status=EmailStatus.SENT,
            sent_at=timezone.now(),
            last_error="",
            lease_expires_at=None,
        )
        if not sent:
            # Only possible if the lease ran out while sending, which the task's
            # time limit rules out; the row keeps whatever its new owner wrote.
            log.error("E-mail %s was sent but its claim had been lost", email.pk)
            return
        names = [name for name, _content in _attachment_files(email)]
        notes = _("E-mail sent to %(to)s\nSubject: %(subject)s\nTemplate: %(template)s") % {
            "to": recipient(email),
            "subject": email.subject,
            "template": email.template.title,
        }
        if names:
            notes += "\n" + _("Attachments: %(names)s") % {"names": ", ".join(names)}
        journal_append(
            email.ticket, author=email.queued_by, type=WorkInfoType.EMAIL_SYSTEM, notes=notes
        )


def _attachment_files(email: OutgoingEmail) -> list[tuple[str, object]]:
    """(name, field file) of what goes with the message: the template's
    standard documents, then the agent's files."""
    files = [
        (safe_file_name(document.name), document.file)
        for document in email.template.documents.order_by("pk")
    ]
    files += [(safe_file_name(f.name), f) for _index, f in email.attachments]
    return files


def recipient(email: OutgoingEmail) -> str:
    """``"Name" <address>``, the name quoted as needed and on one line
    (Django encodes it for the header)."""
    return str(Address(display_name=single_line(email.to_name), addr_spec=email.to_email))


def build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    """The MIME message. Every header value goes through ``single_line``, so
    nothing typed anywhere (summary, customer name, file names) can add a
    header or a recipient."""
    message = EmailMultiAlternatives(
        subject=single_line(email.subject),
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient(email)],
        headers={"Message-ID": email.message_id},
    )
    message.attach_alternative(email.body_html, "text/html")
    for name, field_file in _attachment_files(email):
        with field_file.open("rb") as handle:
            content = handle.read()
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        message.attach(name, content, mimetype)
    return message


# --- the sweep --------------------------------------------------------------------


def emails_requeue_stuck(*, now=None, stuck_after: int | None = None, limit: int = 500) -> int:
    """Publish again what no worker is going to send: queued rows long past
    their time (the broker was down when they were queued, or the task was
    lost) and sending rows whose lease expired (the worker died). Returns how
    many were published."""
    now = now or timezone.now()
    requeued: list[int] = []
    lost = (
        OutgoingEmail.objects.filter(status=EmailStatus.SENDING, lease_expires_at__lt=now)
        .order_by("lease_expires_at")
        .values_list("pk", "lease_expires_at")[:limit]
    )
    for pk, lease in lost:
        if OutgoingEmail.objects.filter(
            pk=pk, status=EmailStatus.SENDING, lease_expires_at=lease
        ).update(
            status=EmailStatus.QUEUED,
            next_attempt_at=now,
            lease_expires_at=None,
            last_error=_("The worker sending it stopped; it will be sent again."),
        ):
            requeued.append(pk)
    if stuck_after is None:
        stuck_after = settings.ITSM_EMAIL_STUCK_AFTER_SECONDS
    overdue = now - timedelta(seconds=stuck_after)
    stuck = (
        OutgoingEmail.objects.filter(status=EmailStatus.QUEUED, next_attempt_at__lt=overdue)
        .order_by("next_attempt_at")
        .values_list("pk", "next_attempt_at")[:limit]
    )
    for pk, due in stuck:
        # Moving next_attempt_at both claims the republication (a concurrent
        # sweep's update finds nothing) and restarts the overdue clock.
        if OutgoingEmail.objects.filter(
            pk=pk, status=EmailStatus.QUEUED, next_attempt_at=due
        ).update(next_attempt_at=now):
            requeued.append(pk)
    for pk in requeued:
        publish_send(pk)
    if requeued:
        log.info("Re-queued %d stuck e-mail(s): %s", len(requeued), requeued)
    return len(requeued)
