"""API tokens: named, per user, stored as a hash (the token is shown once),
with an expiry, scopes and the last use."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.common.fields import created_field, user_key


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    MAIL = "mail", _("Mail")
    MAILBOX = "mailbox", _("Mailbox")


class ApiToken(models.Model):
    user = user_key(_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The token's first characters, shown in lists so its owner recognises it.
    prefix = models.CharField(_("prefix"), max_length=16)
    # SHA-256 of the whole token: a random 256-bit secret needs no slow hash.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.CharField(_("scopes"), max_length=100)
    created_at = created_field()
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_from = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="apitoken_unique_live_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired
