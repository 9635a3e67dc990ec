"""Incoming mail: each message kept byte for byte with how it was classified
and what became of it, its attachments, and where IMAP polling stands."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.common.constraints import sparse_index
from itsm.common.fields import foreign_key, status_field, user_key
from itsm.common.rows import DetailPageRow, NamedRow, status_in
from itsm.common.uploads import monthly_path, own_folder
from itsm.storage import private_storage
from notifications.models.outgoing import OutgoingEmail


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
    return monthly_path("inbound", instance.sha256[:2], f"{instance.sha256}.eml")


def inbound_attachment_upload_to(instance: "InboundAttachment", filename: str) -> str:
    return monthly_path("inbound", "files", own_folder(filename))


class InboundEmailQuerySet(models.QuerySet):
    def in_mailbox(self) -> "InboundEmailQuerySet":
        """What the mailbox console lists: every message not threaded onto a
        ticket by itself (written as the partial indexes are declared)."""
        return self.filter(threaded=False)

    def for_ticket_number(self, number: str) -> "InboundEmailQuerySet":
        return self.filter(ticket_number=number)


def _mailbox_index(*fields: str, name: str) -> models.Index:
    """An index of the mailbox console: the messages that start a thread
    (``threaded = false``), by ``fields`` and then newest first."""
    return models.Index(
        fields=[*fields, "received_at", "id"], condition=models.Q(threaded=False), name=name
    )


class InboundEmail(DetailPageRow):
    """One message received, kept byte for byte (``raw``) with its hash and
    Message-ID before anything else is done with it; then classified, parsed
    and threaded onto a ticket or left in the mailbox."""

    detail_url_name = "notifications:mailbox_detail"

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
    status = status_field(InboundStatus, max_length=20, default=InboundStatus.NEW)
    threaded = models.BooleanField(_("threaded by itself"), default=False)
    assigned_to = user_key(
        _("assigned to"),
        optional=True,
        # inboundemail_assignee_idx serves it.
        db_index=False,
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=InboundAction.choices, blank=True)
    acted_by = user_key(
        _("acted by"),
        optional=True,
        # Never queried by it.
        db_index=False,
    )
    acted_at = models.DateTimeField(_("acted"), null=True, blank=True)
    no_action_reason = models.CharField(_("reason for no action"), max_length=300, blank=True)
    # The ticket the message went to, by number (unique across kinds, as
    # relations are): threaded, created from it or added to it.
    ticket_number = models.CharField(_("ticket"), max_length=15, blank=True)
    sender_is_customer = models.BooleanField(_("sender is the ticket's customer"), default=True)
    bounced_email = foreign_key(
        OutgoingEmail,
        _("bounced message"),
        optional=True,
        on_delete=models.SET_NULL,
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
            _mailbox_index(name="inboundemail_mailbox_idx"),
            # Mailbox console by status (the default view: Nuevo + En curso).
            _mailbox_index("status", name="inboundemail_status_idx"),
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
            _mailbox_index("classification", name="inboundemail_class_idx"),
            # Search by a sender's address: from_address = … ORDER BY received_at.
            models.Index(
                fields=["from_address", "received_at", "id"], name="inboundemail_sender_idx"
            ),
            # A ticket's conversation (E-mail tab) and threading by our earlier replies.
            models.Index(fields=["ticket_number", "received_at"], name="inboundemail_ticket_idx"),
            # reprocess_email --quarantined and the admin's quarantine filter.
            sparse_index("quarantine_reason", blank=True, name="inboundemail_quarantine_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address or '?'}: {self.subject or '(…)'}"

    @property
    def is_quarantined(self) -> bool:
        return bool(self.quarantine_reason)

    is_open = status_in(InboundStatus.NEW, InboundStatus.IN_PROGRESS)

    @property
    def sender(self) -> str:
        if self.from_name and self.from_address:
            return f"{self.from_name} <{self.from_address}>"
        return self.from_address or self.from_name


class InboundAttachment(NamedRow):
    """A file that came with a message: its parts with a file name or a
    non-text type, inline images (``content_id``), nested messages (.eml),
    what a winmail.dat or a uuencoded body held."""

    email = foreign_key(
        InboundEmail, _("incoming e-mail"), on_delete=models.CASCADE, related_name="attachments"
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
