"""Links between tickets, and what each user keeps of the consoles."""

from django.db import models
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.common.constraints import fields_differ
from itsm.common.fields import user_key
from itsm.kinds import kind_choices
from itsm.models.choices import RelationType


class Relation(models.Model):
    """A link between two tickets of any kind, by number (numbers are unique
    across kinds thanks to their prefixes). Shown from both sides."""

    source_number = models.CharField(_("ticket"), max_length=15)
    target_number = models.CharField(_("related ticket"), max_length=15)
    type = models.CharField(
        _("relation type"),
        max_length=10,
        choices=RelationType.choices,
        default=RelationType.RELATED,
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    created_by = user_key(_("created by"))

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            fields_differ("source_number", "target_number", name="relation_not_to_itself"),
            # A→B and B→A are the same relation.
            models.UniqueConstraint(
                Least("source_number", "target_number"),
                Greatest("source_number", "target_number"),
                name="relation_unique_pair",
            ),
        ]
        indexes = [
            # The ticket page lists the relations on both sides of a ticket.
            models.Index(fields=["source_number"], name="relation_source_idx"),
            models.Index(fields=["target_number"], name="relation_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_number} {self.get_type_display()} {self.target_number}"

    def other_number(self, number: str) -> str:
        return self.target_number if self.source_number == number else self.source_number


class SavedConsoleView(models.Model):
    """A user's default console: the filters (a query string) the console
    opens with when no filter is given, one per kind of ticket."""

    user = user_key(
        _("user"),
        on_delete=models.CASCADE,
        # The unique (user, kind) constraint below serves every lookup.
        db_index=False,
    )
    kind = models.CharField(_("ticket kind"), max_length=3, choices=kind_choices)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved console view")
        verbose_name_plural = _("saved console views")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="savedconsoleview_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}: {self.query}"
