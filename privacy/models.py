"""Data-protection requests (RGPD arts. 15-21, LOPD-GDD): one record per
request of a person, with its own append-only log of steps."""

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from itsm.common.fields import created_field, foreign_key, status_field, user_key
from itsm.common.rows import AppendOnlyRow, DetailPageRow, status_in


class Right(models.TextChoices):
    ACCESS = "access", _("Access")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    LIMITATION = "limitation", _("Limitation of processing")
    PORTABILITY = "portability", _("Portability")
    OBJECTION = "objection", _("Objection")


# Rights answered with an archive of the person's data.
EXPORT_RIGHTS = (Right.ACCESS, Right.PORTABILITY)


class IdentityCheck(models.TextChoices):
    DNI_COPY = "dni_copy", _("Copy of the DNI/NIE")
    ELECTRONIC_SIGNATURE = "e_signature", _("Electronic signature or certificate")
    IN_PERSON = "in_person", _("In person")
    REPRESENTATIVE = "representative", _("Representative with power of attorney")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    EXTENDED = "extended", _("Extended")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused")


class StepAction(models.TextChoices):
    RECEIVED = "received", _("Request received")
    EXTENDED = "extended", _("Due date extended")
    EXPORT_REQUESTED = "export_requested", _("Export requested")
    EXPORT_READY = "export_ready", _("Export ready")
    EXPORT_DOWNLOADED = "export_downloaded", _("Export downloaded")
    BLOCKED = "blocked", _("Customer blocked")
    ANONYMISED = "anonymised", _("Customer anonymised")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused")
    NOTE = "note", _("Note")


# What still awaits an answer.
PENDING_STATUSES = (RequestStatus.OPEN, RequestStatus.EXTENDED)


class DataRequestQuerySet(models.QuerySet):
    def pending(self) -> "DataRequestQuerySet":
        return self.filter(status__in=PENDING_STATUSES)


class DataRequest(DetailPageRow):
    detail_url_name = "privacy:detail"

    customer = foreign_key(Customer, _("customer"), related_name="data_requests")
    right = models.CharField(_("right"), max_length=20, choices=Right.choices)
    identity_check = models.CharField(
        _("identity checked by"), max_length=20, choices=IdentityCheck.choices
    )
    received_on = models.DateField(_("received"))
    due_on = models.DateField(_("due"))
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    status = status_field(RequestStatus, max_length=20, default=RequestStatus.OPEN)
    handler = user_key(_("handled by"))
    # The archive of an access or portability request, in the private storage
    # (privacy/exports/…); removed once downloaded.
    export_name = models.CharField(max_length=200, blank=True, editable=False)
    export_ready_at = models.DateTimeField(_("export ready"), null=True, blank=True)
    export_downloaded_at = models.DateTimeField(_("export downloaded"), null=True, blank=True)
    created_at = created_field()

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("data-protection request")
        verbose_name_plural = _("data-protection requests")
        indexes = [models.Index(fields=["status", "due_on"], name="datarequest_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_right_display()} · {self.customer_id}"

    is_pending = status_in(*PENDING_STATUSES)

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_pending and self.due_on < (today or timezone.localdate())

    @property
    def wants_export(self) -> bool:
        return self.right in EXPORT_RIGHTS


class DataRequestStep(AppendOnlyRow):
    """One step of a request: who did what, when. Written once, never changed."""

    request = foreign_key(DataRequest, _("request"), on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("date"), default=timezone.now)
    user = user_key(_("user"), optional=True)
    action = models.CharField(_("step"), max_length=20, choices=StepAction.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"
