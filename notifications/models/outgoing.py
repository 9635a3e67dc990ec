"""The outbox: one row per message to a customer, with its delivery state and
the copies of the standard documents it carries."""

from pathlib import PurePath

from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.common.constraints import unique_unless_blank
from itsm.common.fields import created_field, foreign_key, status_field, user_key
from itsm.common.leases import LeasedRow, sweep_indexes
from itsm.common.rows import NamedRow, status_in
from itsm.common.uploads import monthly_path, own_folder
from itsm.kinds import kind_for_number
from itsm.models import MAX_ATTACHMENTS, Ticket, attachment_fields
from itsm.storage import private_storage
from notifications.models.templates import ResponseTemplate


class EmailStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


def email_attachment_upload_to(instance: "OutgoingEmail", filename: str) -> str:
    # A folder per file keeps the name the agent chose (the customer sees it).
    return monthly_path("outbox", own_folder(filename))


class OutgoingEmailQuerySet(models.QuerySet):
    def for_ticket(self, ticket: Ticket) -> "OutgoingEmailQuerySet":
        return self.filter(ticket_number=ticket.number)


class OutgoingEmail(LeasedRow):
    """One message to a customer and its delivery: draft → queued → sending →
    sent / failed. The Message-ID is given once, when first queued, and kept
    on every retry so a message sent twice is recognisable as one."""

    # The ticket by number, as relations link tickets: numbers are unique
    # across kinds, and notifications never depends on a kind's app.
    ticket_number = models.CharField(_("ticket"), max_length=15)
    template = foreign_key(ResponseTemplate, _("response template"))
    to_email = models.EmailField(_("recipient"))
    to_name = models.CharField(_("recipient name"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"))
    amount = models.DecimalField(
        _("amount owed"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("text for the customer"), blank=True)
    attachment_1, attachment_2, attachment_3 = attachment_fields(email_attachment_upload_to)
    status = status_field(EmailStatus, max_length=10, default=EmailStatus.DRAFT)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_by = user_key(_("created by"))
    queued_by = user_key(_("sent by"), optional=True)
    created_at = created_field()
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # A delivery status notification that came back for this message: the
    # receiving server's diagnostic, as it wrote it.
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    bounce_diagnostic = models.TextField(_("bounce diagnostic"), blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        constraints = [
            unique_unless_blank("message_id", name="outgoingemail_unique_message_id"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | ~models.Q(message_id=""),
                name="outgoingemail_queued_has_message_id",
            ),
        ]
        indexes = [
            # The e-mail section of the ticket page: a ticket's messages, newest first.
            models.Index(fields=["ticket_number", "-created_at"], name="outgoingemail_ticket_idx"),
            # The sweep: queued rows overdue and sending rows whose lease expired.
            *sweep_indexes("outgoingemail", waiting="queued"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.get_status_display()})"

    @property
    def ticket(self) -> Ticket:
        """The message's ticket with its customer, loaded once."""
        cached = self.__dict__.get("_ticket")
        if cached is None or cached.number != self.ticket_number:
            # Through the kinds registry, not a selector: a model reads no read module.
            kind = kind_for_number(self.ticket_number)
            cached = None
            if kind is not None:
                tickets = kind.model.objects.select_related("customer")
                cached = tickets.filter(number=self.ticket_number).first()
            self.__dict__["_ticket"] = cached
        return cached

    @ticket.setter
    def ticket(self, ticket: Ticket) -> None:
        self.ticket_number = ticket.number
        self.__dict__["_ticket"] = ticket

    is_draft = status_in(EmailStatus.DRAFT)
    can_resend = status_in(EmailStatus.FAILED)

    @property
    def attachments(self) -> list[tuple[int, models.fields.files.FieldFile]]:
        files = (self.attachment_1, self.attachment_2, self.attachment_3)
        return [(index, f) for index, f in enumerate(files, start=1) if f]

    @property
    def attachment_names(self) -> list[tuple[int, str]]:
        return [(index, PurePath(f.name).name) for index, f in self.attachments]

    @property
    def free_slot(self) -> int | None:
        """The number of the next *Archivo* the agent may add, if any."""
        used = len(self.attachments)
        return used + 1 if used < MAX_ATTACHMENTS else None


def frozen_document_upload_to(instance: "OutgoingEmailDocument", filename: str) -> str:
    return monthly_path("outbox/documents", filename)


class OutgoingEmailDocument(NamedRow):
    """A copy of a template's standard document, taken when the message is
    queued: a document changed in the admin afterwards changes neither what
    a queued or re-sent message carries nor what its record shows."""

    email = foreign_key(
        OutgoingEmail, _("outgoing e-mail"), on_delete=models.CASCADE, related_name="documents"
    )
    name = models.CharField(_("file name"), max_length=150)
    file = models.FileField(_("file"), storage=private_storage, upload_to=frozen_document_upload_to)

    class Meta:
        verbose_name = _("document sent")
        verbose_name_plural = _("documents sent")
