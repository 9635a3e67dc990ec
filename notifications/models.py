"""E-mail to the customer: response templates with their standard documents,
and the outbox (one row per message, with its delivery state)."""

from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.kinds import kind_for_number
from itsm.models import APPLIES_TO_ALL, MAX_ATTACHMENTS, Ticket, applies_to_choices
from itsm.storage import private_storage

DEFAULT_SUBJECT_SUFFIX = "Colegio de Registradores"


class ResponseTemplateQuerySet(models.QuerySet):
    def for_kind(self, kind: str) -> "ResponseTemplateQuerySet":
        return self.filter(active=True, applies_to__in=[kind, APPLIES_TO_ALL])

    def usable_by(self, *, kind: str, coordinator: bool) -> "ResponseTemplateQuerySet":
        """What the "+" of the compose page offers: agents never see the
        coordinators' templates."""
        queryset = self.for_kind(kind)
        return queryset if coordinator else queryset.filter(coordinators_only=False)


class ResponseTemplate(models.Model):
    """A standard answer: the body is rendered in a sandbox from plain values
    (see ``notifications.rendering``), never from the ticket objects."""

    title = models.CharField(_("title"), max_length=150, unique=True)
    subject_suffix = models.CharField(
        _("subject suffix"),
        max_length=100,
        default=DEFAULT_SUBJECT_SUFFIX,
        help_text=_("The subject is the ticket number followed by this text."),
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text. Placeholders: {{ numero }}, {{ resumen }}, {{ agente }}, "
            "{{ fecha }}, {{ importe }}, {{ nota }}, {{ cliente.nombre }}, "
            "{{ cliente.apellidos }}, {{ cliente.nombre_completo }}, {{ cliente.organizacion }}, "
            "{{ cliente.nif }}, {{ cliente.email }}, {{ cliente.telefono }}, "
            "{{ cliente.codigo_flei }}. Tags: if, for; filters such as upper, lower, default."
        ),
    )
    applies_to = models.CharField(
        _("applies to"),
        max_length=4,
        choices=applies_to_choices,
        default=APPLIES_TO_ALL,
    )
    coordinators_only = models.BooleanField(_("coordinators only"), default=False)
    asks_amount = models.BooleanField(
        _("asks for an amount"),
        default=False,
        help_text=_("The agent must type the amount owed; the body shows it as {{ importe }}."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResponseTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.title

    def applies_to_kind(self, kind: str) -> bool:
        return self.applies_to in (kind, APPLIES_TO_ALL)


def document_upload_to(instance: "ResponseTemplateDocument", filename: str) -> str:
    return f"response_templates/{filename}"


class ResponseTemplateDocument(models.Model):
    """A standard document sent with every message of its template."""

    template = models.ForeignKey(
        ResponseTemplate,
        verbose_name=_("response template"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=document_upload_to)
    name = models.CharField(
        _("file name"),
        max_length=150,
        help_text=_("The name the customer sees, e.g. formulario_lopd.pdf."),
    )

    class Meta:
        verbose_name = _("standard document")
        verbose_name_plural = _("standard documents")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "name"], name="templatedocument_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class EmailStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


def email_attachment_upload_to(instance: "OutgoingEmail", filename: str) -> str:
    # A folder per file keeps the name the agent chose (the customer sees it).
    return f"outbox/{timezone.now():%Y/%m}/{uuid4().hex[:12]}/{filename}"


class OutgoingEmailQuerySet(models.QuerySet):
    def for_ticket(self, ticket: Ticket) -> "OutgoingEmailQuerySet":
        return self.filter(ticket_number=ticket.number)


class OutgoingEmail(models.Model):
    """One message to a customer and its delivery: draft → queued → sending →
    sent / failed. The Message-ID is given once, when first queued, and kept
    on every retry so a message sent twice is recognisable as one."""

    # The ticket by number, as relations link tickets: numbers are unique
    # across kinds, and notifications never depends on a kind's app.
    ticket_number = models.CharField(_("ticket"), max_length=15)
    template = models.ForeignKey(
        ResponseTemplate,
        verbose_name=_("response template"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_email = models.EmailField(_("recipient"))
    to_name = models.CharField(_("recipient name"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"))
    amount = models.DecimalField(
        _("amount owed"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("text for the customer"), blank=True)
    attachment_1 = models.FileField(
        _("file 1"), storage=private_storage, upload_to=email_attachment_upload_to, blank=True
    )
    attachment_2 = models.FileField(
        _("file 2"), storage=private_storage, upload_to=email_attachment_upload_to, blank=True
    )
    attachment_3 = models.FileField(
        _("file 3"), storage=private_storage, upload_to=email_attachment_upload_to, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.DRAFT
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When a queued row may next be tried (backoff), and until when a sending
    # row belongs to the worker that claimed it.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
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
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~models.Q(message_id=""),
                name="outgoingemail_unique_message_id",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | ~models.Q(message_id=""),
                name="outgoingemail_queued_has_message_id",
            ),
        ]
        indexes = [
            # The e-mail section of the ticket page: a ticket's messages, newest first.
            models.Index(fields=["ticket_number", "-created_at"], name="outgoingemail_ticket_idx"),
            # The sweep: queued rows overdue and sending rows whose lease expired.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status="queued"),
                name="outgoingemail_queued_idx",
            ),
            models.Index(
                fields=["status", "lease_expires_at"],
                condition=models.Q(status="sending"),
                name="outgoingemail_sending_idx",
            ),
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

    @property
    def is_draft(self) -> bool:
        return self.status == EmailStatus.DRAFT

    @property
    def can_resend(self) -> bool:
        return self.status == EmailStatus.FAILED

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
    return f"outbox/documents/{timezone.now():%Y/%m}/{filename}"


class OutgoingEmailDocument(models.Model):
    """A copy of a template's standard document, taken when the message is
    queued: a document changed in the admin afterwards changes neither what
    a queued or re-sent message carries nor what its record shows."""

    email = models.ForeignKey(
        OutgoingEmail,
        verbose_name=_("outgoing e-mail"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    name = models.CharField(_("file name"), max_length=150)
    file = models.FileField(_("file"), storage=private_storage, upload_to=frozen_document_upload_to)

    class Meta:
        verbose_name = _("document sent")
        verbose_name_plural = _("documents sent")

    def __str__(self) -> str:
        return self.name


# --- inbound mail -------------------------------------------------------------------


class InboundStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NO_ACTION = "no_action", _("No action")


class Classification(models.TextChoices):
    """What a message is, decided before anything else is done with it."""

    UNPROCESSED = "unprocessed", _("Not processed")
    OWN = "own", _("Our own mail")
    AUTO_REPLY = "auto_reply", _("Auto-reply")
    BOUNCE = "bounce", _("Bounce")
    CUSTOMER = "customer", _("Customer message")


class ClassificationReason(models.TextChoices):
    """Which rule classified the message (the first one that matched)."""

    NONE = "", _("(none)")
    OWN_MESSAGE_ID = "own_message_id", _("Message-ID of our domain")
    X_LOOP = "x_loop", _("X-Loop with our address")
    AUTO_SUBMITTED = "auto_submitted", _("Auto-Submitted header")
    PRECEDENCE = "precedence", _("Precedence header")
    AUTORESPONDER_HEADER = "autoresponder_header", _("Auto-responder header")
    MAILING_LIST = "mailing_list", _("Mailing-list header")
    EMPTY_RETURN_PATH = "empty_return_path", _("Empty Return-Path")
    SYSTEM_SENDER = "system_sender", _("MAILER-DAEMON or postmaster sender")
    AUTO_REPLY_SUBJECT = "auto_reply_subject", _("Auto-reply subject")
    DELIVERY_STATUS = "delivery_status", _("Delivery status notification")
    BOUNCE_SUBJECT = "bounce_subject", _("Bounce subject")


class QuarantineReason(models.TextChoices):
    NONE = "", _("(none)")
    TOO_LARGE = "too_large", _("Too large")
    LIMITS = "limits", _("Too many headers, parts or levels")
    PARSE_ERROR = "parse_error", _("Could not be read")


class InboundSource(models.TextChoices):
    IMAP = "imap", "IMAP"
    PIPE = "pipe", _("Mail server (pipe)")


class InboundAction(models.TextChoices):
    """What became of a message, recorded on it with who and when."""

    NONE = "", _("(none)")
    THREADED = "threaded", _("Added to its ticket")
    NEW_TICKET_FOR_CLOSED = "new_for_closed", _("New ticket for a closed one")
    CREATED = "created", _("Ticket created")
    ADDED = "added", _("Added to a ticket")
    NO_ACTION = "no_action", _("No action")
    BOUNCE_RECORDED = "bounce_recorded", _("Bounce recorded")


def inbound_raw_upload_to(instance: "InboundEmail", filename: str) -> str:
    return f"inbound/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}.eml"


def inbound_attachment_upload_to(instance: "InboundAttachment", filename: str) -> str:
    return f"inbound/{timezone.now():%Y/%m}/files/{uuid4().hex[:12]}/{filename}"


class InboundEmailQuerySet(models.QuerySet):
    def in_mailbox(self) -> "InboundEmailQuerySet":
        """What the mailbox console lists: every message not threaded onto a
        ticket by itself (written as the partial indexes are declared)."""
        return self.filter(threaded=False)

    def for_ticket_number(self, number: str) -> "InboundEmailQuerySet":
        return self.filter(ticket_number=number)


class InboundEmail(models.Model):
    """One message received, kept byte for byte (``raw``) with its hash and
    Message-ID before anything else is done with it; then classified, parsed
    and threaded onto a ticket or left in the mailbox."""

    raw = models.FileField(
        _("raw message"), storage=private_storage, upload_to=inbound_raw_upload_to
    )
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    message_id = models.CharField(_("Message-ID"), max_length=500)
    message_id_synthesised = models.BooleanField(_("Message-ID synthesised"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=InboundSource.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    classification = models.CharField(
        _("classification"),
        max_length=20,
        choices=Classification.choices,
        default=Classification.UNPROCESSED,
    )
    classification_reason = models.CharField(
        _("classification rule"),
        max_length=30,
        choices=ClassificationReason.choices,
        blank=True,
    )
    quarantine_reason = models.CharField(
        _("quarantine"), max_length=20, choices=QuarantineReason.choices, blank=True
    )
    quarantine_detail = models.TextField(_("quarantine detail"), blank=True)

    # Parsed from the message (what the sender wrote, kept as text).
    from_address = models.CharField(_("sender address"), max_length=320, blank=True)
    from_name = models.CharField(_("sender name"), max_length=300, blank=True)
    to = models.TextField(_("to"), blank=True)
    cc = models.TextField(_("copy"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("date"), null=True, blank=True)
    in_reply_to = models.CharField("In-Reply-To", max_length=500, blank=True)
    references = models.TextField("References", blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML as received"), blank=True)
    has_remote_images = models.BooleanField(_("has remote images"), default=False)

    # Workflow in the mailbox.
    status = models.CharField(
        _("status"), max_length=20, choices=InboundStatus.choices, default=InboundStatus.NEW
    )
    threaded = models.BooleanField(_("threaded by itself"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # inboundemail_assignee_idx serves it.
        db_index=False,
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=InboundAction.choices, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        # Never queried by it.
        db_index=False,
    )
    acted_at = models.DateTimeField(_("acted"), null=True, blank=True)
    no_action_reason = models.CharField(_("reason for no action"), max_length=300, blank=True)
    # The ticket the message went to, by number (unique across kinds, as
    # relations are): threaded, created from it or added to it.
    ticket_number = models.CharField(_("ticket"), max_length=15, blank=True)
    sender_is_customer = models.BooleanField(_("sender is the ticket's customer"), default=True)
    bounced_email = models.ForeignKey(
        OutgoingEmail,
        verbose_name=_("bounced message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bounces",
    )
    bounce_status = models.CharField(_("delivery status code"), max_length=20, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = InboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")
        constraints = [
            # The same message delivered twice (IMAP and pipe, a retry) is one row;
            # its index also serves threading by In-Reply-To/References.
            models.UniqueConstraint(fields=["message_id", "sha256"], name="inboundemail_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="no_action") | ~models.Q(no_action_reason=""),
                name="inboundemail_no_action_has_reason",
            ),
        ]
        indexes = [
            # Mailbox console, no filter: threaded = false ORDER BY received_at DESC, id DESC.
            models.Index(
                fields=["received_at", "id"],
                condition=models.Q(threaded=False),
                name="inboundemail_mailbox_idx",
            ),
            # Mailbox console by status (the default view: Nuevo + En curso).
            models.Index(
                fields=["status", "received_at", "id"],
                condition=models.Q(threaded=False),
                name="inboundemail_status_idx",
            ),
            # Mailbox console by assigned agent ("mine").
            models.Index(
                fields=["assigned_to", "received_at", "id"], name="inboundemail_assignee_idx"
            ),
            # "Mine in progress": assigned_to = me AND status = … ORDER BY received_at.
            models.Index(
                fields=["assigned_to", "status", "received_at", "id"],
                name="inboundemail_assignee_st_idx",
            ),
            # Mailbox console by classification (auto-replies, bounces…).
            models.Index(
                fields=["classification", "received_at", "id"],
                condition=models.Q(threaded=False),
                name="inboundemail_class_idx",
            ),
            # Search by a sender's address: from_address = … ORDER BY received_at.
            models.Index(
                fields=["from_address", "received_at", "id"], name="inboundemail_sender_idx"
            ),
            # A ticket's conversation (E-mail tab) and threading by our earlier replies.
            models.Index(fields=["ticket_number", "received_at"], name="inboundemail_ticket_idx"),
            # reprocess_email --quarantined and the admin's quarantine filter.
            models.Index(
                fields=["quarantine_reason"],
                condition=~models.Q(quarantine_reason=""),
                name="inboundemail_quarantine_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_address or '?'}: {self.subject or '(…)'}"

    def get_absolute_url(self) -> str:
        return reverse("notifications:mailbox_detail", args=[self.pk])

    @property
    def is_quarantined(self) -> bool:
        return bool(self.quarantine_reason)

    @property
    def is_open(self) -> bool:
        return self.status in (InboundStatus.NEW, InboundStatus.IN_PROGRESS)

    @property
    def sender(self) -> str:
        if self.from_name and self.from_address:
            return f"{self.from_name} <{self.from_address}>"
        return self.from_address or self.from_name


class InboundAttachment(models.Model):
    """A file that came with a message: its parts with a file name or a
    non-text type, inline images (``content_id``), nested messages (.eml),
    what a winmail.dat or a uuencoded body held."""

    email = models.ForeignKey(
        InboundEmail,
        verbose_name=_("incoming e-mail"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=inbound_attachment_upload_to
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    content_id = models.CharField("Content-ID", max_length=255, blank=True)
    inline = models.BooleanField(_("inline"), default=False)

    class Meta:
        verbose_name = _("incoming attachment")
        verbose_name_plural = _("incoming attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "position"], name="inboundattachment_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImapFolderState(models.Model):
    """Where polling of one IMAP folder stands: the folder's UIDVALIDITY and
    the highest UID stored, the poller's lease (one poller at a time) and the
    backoff while the server is unreachable."""

    host = models.CharField(_("host"), max_length=255)
    username = models.CharField(_("user"), max_length=255)
    folder = models.CharField(_("folder"), max_length=255)
    uidvalidity = models.BigIntegerField("UIDVALIDITY", null=True, blank=True)
    last_uid = models.BigIntegerField(_("last UID"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    lock_token = models.CharField(_("lock token"), max_length=32, blank=True)
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)

    class Meta:
        verbose_name = _("IMAP folder state")
        verbose_name_plural = _("IMAP folder states")
        constraints = [
            models.UniqueConstraint(
                fields=["host", "username", "folder"], name="imapfolderstate_unique_folder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"
