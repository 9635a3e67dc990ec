"""The escalation packet (*paquete de escalado*): what an agent sends to
coordination, by case, as structured fields; versioned like the ticket,
with one revision row per version so its story is kept."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.common.fields import active_flag, foreign_key, user_key
from itsm.common.rows import NamedRow
from itsm.escalation_cases import CASE_CHOICES, CASES
from itsm.kinds import kind_choices


class RegistroMercantil(NamedRow):
    """Reference list for ERROR 23 packets; admins keep it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    province = models.CharField(_("province"), max_length=60)
    active = active_flag()

    class Meta:
        verbose_name = _("Registro Mercantil")
        verbose_name_plural = _("Registros Mercantiles")


class PacketState(models.TextChoices):
    ESCALATED = "escalated", _("Escalated")
    RETURNED = "returned", _("Returned to the agent")
    TAKEN = "taken", _("Taken by a coordinator")
    SPECIALISTS = "specialists", _("Passed to L2 ESPECIALISTAS")


class PacketEvent(models.TextChoices):
    ESCALATED = "escalated", _("Escalated to coordination")
    RE_ESCALATED = "re_escalated", _("Completed and escalated again")
    RETURNED = "returned", _("Returned to the agent")
    TAKEN = "taken", _("Taken by a coordinator")
    SPECIALISTS = "specialists", _("Passed to L2 ESPECIALISTAS")


class EscalationPacket(models.Model):
    """One per ticket (numbers are unique across kinds): the latest data;
    ``EscalationPacketRevision`` keeps every version."""

    ticket_number = models.CharField(_("ticket"), max_length=15, unique=True)
    kind = models.CharField(_("ticket kind"), max_length=3, choices=kind_choices)
    case = models.CharField(_("case"), max_length=20, choices=CASE_CHOICES)
    # Field name → value as typed and normalised (ids for references,
    # "<entry id>:<file index>" for a journal attachment).
    data = models.JSONField(_("data"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=PacketState.choices, default=PacketState.ESCALATED
    )
    complete = models.BooleanField(_("complete"), default=True)
    # What the coordinator ticked as missing when returning it, and why.
    missing = models.JSONField(_("missing"), default=list, blank=True)
    return_note = models.TextField(_("coordinator's note"), blank=True)
    times_returned = models.PositiveSmallIntegerField(_("times returned"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), default=timezone.now)
    escalated_by = user_key(_("escalated by"))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("escalation packet")
        verbose_name_plural = _("escalation packets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__in=list(CASES)), name="escalationpacket_case_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=PacketState.values),
                name="escalationpacket_state_valid",
            ),
        ]
        indexes = [
            # Coordination console filtered by case (and the dashboard's
            # escalations by case and state): case = C, state = S.
            models.Index(fields=["case", "state", "escalated_at"], name="escpacket_case_state_idx"),
            # Coordination console filtered by completeness or age.
            models.Index(fields=["complete", "escalated_at"], name="escpacket_complete_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_number} · {self.case} · v{self.version}"

    @property
    def case_definition(self):
        return CASES[self.case]


class EscalationPacketRevision(models.Model):
    """A version of a packet as it was after one event. Append-only."""

    packet = foreign_key(EscalationPacket, _("escalation packet"), related_name="revisions")
    version = models.PositiveIntegerField(_("version"))
    event = models.CharField(_("event"), max_length=20, choices=PacketEvent.choices)
    case = models.CharField(_("case"), max_length=20, choices=CASE_CHOICES)
    data = models.JSONField(_("data"), default=dict, blank=True)
    missing = models.JSONField(_("missing"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The journal entry (of the packet's kind) that tells this event.
    journal_entry_id = models.PositiveBigIntegerField(_("journal entry"), null=True, blank=True)
    author = user_key(_("author"))
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("escalation packet revision")
        verbose_name_plural = _("escalation packet revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["packet", "version"], name="escalationpacketrevision_one_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.packet_id} v{self.version} · {self.event}"
