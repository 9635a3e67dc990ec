"""Writing and queueing mail to customers: the body from a response
template, the draft, *Enviar* (the row and its task published after commit).
Every message is an ``OutgoingEmail`` row; ``delivery`` sends it."""

import logging
from collections.abc import Sequence
from decimal import Decimal
from email.utils import parseaddr
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import make_msgid
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Customer
from itsm.common.permissions import is_coordinator, require_agent
from itsm.common.text import display_name, single_line
from itsm.models import MAX_ATTACHMENTS, Ticket
from itsm.services.journal import ticket_touch
from notifications.models import (
    EmailStatus,
    OutgoingEmail,
    OutgoingEmailDocument,
    ResponseTemplate,
)
from notifications.rendering import render_body, template_values
from notifications.selectors import response_templates_for
from notifications.services.delivery import recipient_problem
from notifications.tasks import publish_send

log = logging.getLogger(__name__)

# What the compose form says of a template it does not offer, and the service of the same.
TEMPLATE_NOT_USABLE = gettext_lazy("This response template cannot be used for this ticket.")

# The language of every message to customers, whatever the agent's UI language.
CUSTOMER_LANGUAGE = "es"


# --- composing ---------------------------------------------------------------------


def customer_values(customer: Customer) -> dict[str, str]:
    phone = customer.main_phone
    return {
        "nombre": customer.first_name,
        "apellidos": customer.surnames,
        "nombre_completo": customer.full_name,
        "organizacion": customer.organisation,
        "nif": customer.tax_id,
        "email": customer.email,
        "telefono": phone.display if phone else "",
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
    if not response_templates_for(kind=ticket.KIND, user=user).filter(pk=template.pk).exists():
        raise ValidationError({"template": str(TEMPLATE_NOT_USABLE)}, code="template_not_usable")
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
    documents: Sequence[tuple[str, File]] = (),
    email: OutgoingEmail | None = None,
) -> OutgoingEmail:
    """*Guardar*: create or update a draft. The recipient and the subject are
    always the customer's registered e-mail and the fixed subject, whatever
    the caller had in mind; ``attachment`` is added as the next *Archivo*,
    then ``documents`` (name, stored file: a sent article's) as copies."""
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
        _attach(email, attachment)
    for name, stored_file in documents:
        with stored_file.open("rb") as handle:
            _attach(email, ContentFile(handle.read(), name=PurePath(name).name))
    email.save()
    return email


def _attach(email: OutgoingEmail, upload: File) -> None:
    """``upload`` as the next *Archivo* of ``email`` (saved with it)."""
    slot = email.free_slot
    if slot is None:
        raise ValidationError(
            {"attachment": _("A message takes at most %(max)d files.") % {"max": MAX_ATTACHMENTS}},
            code="too_many_attachments",
        )
    setattr(email, f"attachment_{slot}", upload)


@transaction.atomic
def email_send(*, ticket: Ticket, user, **draft) -> OutgoingEmail:
    """*Enviar*: save the message (``draft``: the rest of what
    ``email_save_draft`` takes) and queue it. The task is published once the
    transaction commits; if it rolls back, nothing is sent."""
    email = email_save_draft(ticket=ticket, user=user, **draft)
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
    ticket_touch(ticket, at=now)
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
