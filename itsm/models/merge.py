"""A merge of one ticket into another (``itsm.services.merge``): who did it
and when, and what the merge changed, so it can be undone exactly."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.common.constraints import fields_differ
from itsm.common.fields import user_key
from itsm.models.tickets import NUMBER_LENGTH


class TicketMerge(models.Model):
    """``source_number`` was merged into ``target_number``. ``snapshot`` keeps
    the fields the merge changed on both tickets and the rows it moved (as
    stored before the merge); undoing restores them and sets ``undone_at``."""

    source_number = models.CharField(_("merged ticket"), max_length=NUMBER_LENGTH)
    target_number = models.CharField(_("target ticket"), max_length=NUMBER_LENGTH)
    merged_at = models.DateTimeField(_("merged"), default=timezone.now)
    merged_by = user_key(_("merged by"))
    snapshot = models.JSONField(_("before the merge"))
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = user_key(_("undone by"), optional=True)

    class Meta:
        verbose_name = _("ticket merge")
        verbose_name_plural = _("ticket merges")
        constraints = [
            # A ticket is merged into one ticket at a time.
            models.UniqueConstraint(
                fields=["source_number"],
                condition=models.Q(undone_at__isnull=True),
                name="ticketmerge_one_live_per_source",
            ),
            fields_differ("source_number", "target_number", name="ticketmerge_not_into_itself"),
        ]
        indexes = [
            # The target's page lists what was merged into it.
            models.Index(fields=["target_number"], name="ticketmerge_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_number} → {self.target_number}"
