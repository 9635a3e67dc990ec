"""Writing and queueing mail to customers: the body from a response
template, the draft, *Enviar* (the row and its task published after commit).
Every message is an ``OutgoingEmail`` row; ``delivery`` sends it."""

import logging
from decimal import Decimal
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import make_msgid
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from customers.models import Customer
from itsm.models import MAX_ATTACHMENTS, Ticket
from itsm.permissions import is_coordinator, require_agent
from itsm.text import clean_file_name, display_name, single_line
from notifications.models import (
    EmailStatus,
    OutgoingEmail,
    OutgoingEmailDocument,
    ResponseTemplate,
)
from notifications.rendering import render_body, template_values

log = logging.getLogger(__name__)

# The language of every message to customers, whatever the agent's UI language.
CUSTOMER_LANGUAGE = "es"


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
    problem = recipient_problem(name=ticket.customer.full_name, address=ticket.customer.email)
    if problem:
        raise ValidationError(problem, code="customer_address_unusable")


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
    email.to_name = display_name(customer.full_name)[:300]
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
    _freeze_documents(email)
    type(ticket).objects.filter(pk=ticket.pk).update(updated_at=now)
    email.refresh_from_db()
    transaction.on_commit(lambda: publish_send(email.pk))
    return email


def _freeze_documents(email: OutgoingEmail) -> None:
    """Copy the template's standard documents onto the message as it is
    queued (once: a re-sent message keeps the copies it was queued with)."""
    if email.documents.exists():
        return
    for document in email.template.documents.order_by("pk"):
        frozen = OutgoingEmailDocument(email=email, name=document.name)
        with document.file.open("rb") as handle:
            frozen.file.save(PurePath(document.file.name).name, File(handle), save=False)
        frozen.save()


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
    from notifications.tasks import send_email  # the tasks import the services

    try:
        send_email.delay(email_id)
    except (OperationalError, OSError) as error:
        log.warning("Could not publish e-mail %s (%s); the sweep will retry it.", email_id, error)
