"""The audit trail (see ``itsm.audit``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.common.fields import user_key


class AuditEventKind(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Lockout")
    ADMIN_CHANGE = "admin_change", _("Admin change")
    EXPORT = "export", _("Export")
    API = "api", _("API request")
    # A data-protection request's export downloaded, or a blocked customer's
    # data seen by the data-protection role (privacy/).
    PERSONAL_DATA = "personal_data", _("Personal data access")


class AuditEvent(models.Model):
    """One entry of the audit trail. Append-only, like the journal."""

    kind = models.CharField(_("event"), max_length=20, choices=AuditEventKind.choices)
    user = user_key(_("user"), optional=True, on_delete=models.SET_NULL)
    # As typed at the login, for failures of users that may not exist.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=255, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [
            # The admin's list: newest first, filtered by kind.
            models.Index(fields=["kind", "-created_at"], name="auditevent_kind_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.created_at:%Y-%m-%d %H:%M}"
