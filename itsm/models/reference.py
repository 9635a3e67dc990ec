"""Reference data admins keep: support groups, status reasons, templates
(what a template fills is the ticket's categorisation), and the numbering
sequences."""

from django.conf import settings
from django.db import models
from django.utils.functional import lazy
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext_lazy as _

from itsm.common.constraints import unique_unless_blank
from itsm.common.fields import active_flag, foreign_key, status_field
from itsm.common.rows import LabelledChoicesRow, NamedRow
from itsm.kinds import all_kinds, kind_choices
from itsm.models.choices import Impact, Status, Urgency


class SupportGroup(NamedRow):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_agent_default = models.BooleanField(
        _("agents' default group"),
        default=False,
        help_text=_("Group proposed when a ticket is created."),
    )
    is_coordination = models.BooleanField(
        _("coordination group"),
        default=False,
        help_text=_("Group tickets are escalated to for coordination."),
    )
    is_specialists = models.BooleanField(_("specialists group (L2)"), default=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="support_groups",
        blank=True,
    )
    active = active_flag()

    class Meta:
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        # At most one group plays each part.
        constraints = [
            models.UniqueConstraint(
                fields=[flag],
                condition=models.Q(**{flag: True}),
                name=f"supportgroup_single_{flag.removeprefix('is_')}",
            )
            for flag in ("is_agent_default", "is_coordination", "is_specialists")
        ]


class StatusReason(NamedRow):
    kind = models.CharField(_("ticket kind"), max_length=3, choices=kind_choices)
    status = status_field(Status, max_length=20)
    name = models.CharField(_("reason"), max_length=100)
    code = models.SlugField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("Set on the reasons the application picks by itself (e.g. when reopening)."),
    )
    description = models.TextField(_("description"), blank=True)
    active = active_flag()

    class Meta:
        verbose_name = _("status reason")
        verbose_name_plural = _("status reasons")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "status", "name"], name="statusreason_unique_per_status"
            ),
            unique_unless_blank("kind", "code", name="statusreason_unique_code"),
        ]


# A template or response template for every kind of ticket.
APPLIES_TO_ALL = "BOTH"


def _every_kind() -> str:
    """ "Incidencias y órdenes de trabajo": every registered kind by name."""
    return capfirst(get_text_list([str(kind.plural) for kind in all_kinds()], _("and")))


# Put into words when shown, in the language active then.
every_kind_label = lazy(_every_kind, str)


def applies_to_choices() -> list[tuple[str, str]]:
    """Each registered kind, and all of them."""
    return [*kind_choices(), (APPLIES_TO_ALL, every_kind_label())]


def applies_to_field(**options) -> models.CharField:
    """The kind a template is for (``applies_to_choices``)."""
    return models.CharField(_("applies to"), max_length=4, choices=applies_to_choices, **options)


class KindTemplateQuerySet(models.QuerySet):
    def for_kind(self, kind: str) -> "KindTemplateQuerySet":
        """The active templates for ``kind`` (those for every kind included)."""
        return self.filter(active=True, applies_to__in=[kind, APPLIES_TO_ALL])


class KindTemplate(models.Model):
    """A template of tickets or of answers, for one kind or for all of them:
    ``applies_to`` (``applies_to_field``) and ``active``."""

    class Meta:
        abstract = True

    def applies_to_kind(self, kind: str) -> bool:
        return self.applies_to in (kind, APPLIES_TO_ALL)


# What an agent may pick is a campaign template: its name starts with this.
CAMPAIGN_PREFIX = "CAMPAÑA"


class TicketTemplateQuerySet(KindTemplateQuerySet):
    def for_agents(self, kind: str) -> "TicketTemplateQuerySet":
        """The templates an agent may pick: active campaign templates of the
        kind (``TicketTemplate.is_for_agents`` on a loaded row)."""
        return self.for_kind(kind).filter(name__startswith=CAMPAIGN_PREFIX)


class Categorisation(LabelledChoicesRow):
    """What a template fills and a ticket carries: the operational and product
    tiers, the service, impact and urgency (section 3 of the form)."""

    operational_tier_1 = models.CharField(_("operational tier 1"), max_length=60, blank=True)
    operational_tier_2 = models.CharField(_("operational tier 2"), max_length=60, blank=True)
    operational_tier_3 = models.CharField(_("operational tier 3"), max_length=60, blank=True)
    product_tier_1 = models.CharField(_("product tier 1"), max_length=60, blank=True)
    product_tier_2 = models.CharField(_("product tier 2"), max_length=60, blank=True)
    product_tier_3 = models.CharField(_("product tier 3"), max_length=60, blank=True)
    service = models.CharField(_("service"), max_length=100, blank=True)
    impact = models.PositiveSmallIntegerField(
        _("impact"), choices=Impact.choices, default=Impact.MINOR
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.LOW
    )

    class Meta:
        abstract = True


class TicketTemplate(KindTemplate, Categorisation):
    """A *plantilla*: codes the ticket and fills section 3 of the form."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    applies_to = applies_to_field()
    summary = models.CharField(_("summary"), max_length=100)
    default_group = foreign_key(SupportGroup, _("default group"), optional=True)
    active = active_flag()

    objects = TicketTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")

    def __str__(self) -> str:
        return self.name

    def is_for_agents(self, kind: str) -> bool:
        """``TicketTemplateQuerySet.for_agents`` on this row, with no query."""
        return self.active and self.name.startswith(CAMPAIGN_PREFIX) and self.applies_to_kind(kind)


class TicketSequence(models.Model):
    """The last number handed out per kind; incremented inside the creating
    transaction so the row lock serialises concurrent creations."""

    kind = models.CharField(max_length=3, choices=kind_choices, primary_key=True)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.kind}: {self.last_value}"
