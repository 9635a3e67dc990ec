"""What the dashboard reads for the whole desk: figures a beat task computes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardSnapshot(models.Model):
    """The dashboard's figures of a scope ("all": the whole desk), as JSON."""

    scope = models.CharField(_("scope"), max_length=20, unique=True)
    data = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self) -> str:
        return f"{self.scope} · {self.computed_at:%Y-%m-%d %H:%M}"
