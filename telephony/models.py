"""Calls the phone system reports (Zammad's *Generic CTI*), the integrations
that may report them and the agents' extensions."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.common.fields import active_flag, created_field, foreign_key, user_key
from itsm.common.rows import DetailPageRow, NamedRow
from itsm.kinds import kind_for_number

TOKEN_BYTES = 24


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CtiIntegration(NamedRow):
    """A phone system (PBX) allowed to post events. Its URL carries a random
    token, kept only as its hash: ``cti_token create`` shows it once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("token starts with"), max_length=8, editable=False)
    # With a secret, every event must carry X-Hub-Signature-256: sha256=<hex>
    # (HMAC-SHA256 of the body); the bridges that sign webhooks do it this way.
    hmac_secret = models.CharField(_("HMAC secret"), max_length=200, blank=True)
    active = active_flag()
    blocked_numbers = models.TextField(
        _("blocked numbers"),
        blank=True,
        help_text=_("One number per line, in any spelling; their calls are rejected."),
    )
    created_at = created_field(auto=True)

    class Meta:
        verbose_name = _("phone system integration")
        verbose_name_plural = _("phone system integrations")

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(TOKEN_BYTES)

    def set_token(self, token: str) -> None:
        self.token_hash = hash_token(token)
        self.token_prefix = token[:8]


class AgentPhone(models.Model):
    """An agent's extension on the phone system (what ``user[]``, ``to`` and
    ``answeringNumber`` name), their direct line and the queues they answer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent_phone",
        verbose_name=_("agent"),
    )
    extension = models.CharField(_("extension"), max_length=20, unique=True)
    direct_line = models.CharField(_("direct line (E.164)"), max_length=16, blank=True)
    queues = models.CharField(
        _("queues"),
        max_length=200,
        blank=True,
        help_text=_("The phone system's queue names this agent answers, separated by commas."),
    )

    class Meta:
        verbose_name = _("agent extension")
        verbose_name_plural = _("agent extensions")
        indexes = [
            # Which agent a number names when it is their direct line.
            models.Index(fields=["direct_line"], name="agentphone_direct_line_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.extension} · {self.user}"

    @property
    def queue_names(self) -> list[str]:
        return [name.strip() for name in self.queues.split(",") if name.strip()]


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class HangupCause(models.TextChoices):
    NORMAL_CLEARING = "normalClearing", _("Normal clearing")
    BUSY = "busy", _("Busy")
    CANCEL = "cancel", _("Caller hung up")
    NO_ANSWER = "noAnswer", _("No answer")
    CONGESTION = "congestion", _("Congestion")
    NOT_FOUND = "notFound", _("Number not found")
    FORWARDED = "forwarded", _("Forwarded")


class CallbackStatus(models.TextChoices):
    NONE = "", _("(none)")
    OPEN = "open", _("To call back")
    DONE = "done", _("Closed")


class CallbackResult(models.TextChoices):
    CALLED_BACK = "called_back", _("Called back")
    SOLVED_OTHERWISE = "solved_otherwise", _("Solved another way")
    UNREACHABLE = "unreachable", _("Could not be reached")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    NOT_NEEDED = "not_needed", _("No call back needed")


class CallQuerySet(models.QuerySet):
    def missed_open(self) -> "CallQuerySet":
        return self.filter(callback_status=CallbackStatus.OPEN)


class Call(DetailPageRow):
    """One call, built from its events in whatever order they arrive."""

    detail_url_name = "telephony:detail"

    integration = foreign_key(CtiIntegration, _("integration"), related_name="calls")
    call_id = models.CharField(_("call id"), max_length=250)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    from_number = models.CharField(_("from"), max_length=60, blank=True)
    to_number = models.CharField(_("to"), max_length=60, blank=True)
    # The customer's side in E.164 (from on inbound, to on outbound); empty
    # for an anonymous caller or a number that is not one.
    remote_e164 = models.CharField(_("customer number"), max_length=16, blank=True)
    queue = models.CharField(_("queue"), max_length=100, blank=True)
    agent = user_key(_("agent"), optional=True, on_delete=models.SET_NULL, related_name="calls")
    extension = models.CharField(_("extension"), max_length=60, blank=True)
    rung_at = models.DateTimeField(_("rang"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk time (s)"), default=0)
    cause = models.CharField(_("cause"), max_length=20, blank=True)
    blocked = models.BooleanField(_("blocked"), default=False)
    # The agents whose pages were told the call rang: told again when it is
    # answered (elsewhere, perhaps) and when it ends.
    notified_user_ids = models.JSONField(default=list, blank=True, editable=False)
    missed = models.BooleanField(_("missed"), default=False)
    customer = foreign_key(
        "customers.Customer",
        _("customer"),
        optional=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    # Every customer the number matched (several share a switchboard).
    matched_customers = models.ManyToManyField(
        "customers.Customer", blank=True, related_name="+", verbose_name=_("matched customers")
    )

    callback_status = models.CharField(
        _("call back"), max_length=10, choices=CallbackStatus.choices, blank=True, default=""
    )
    callback_due_at = models.DateTimeField(_("call back due"), null=True, blank=True)
    callback_assignee = user_key(_("call back by"), optional=True, on_delete=models.SET_NULL)
    callback_result = models.CharField(
        _("call back result"), max_length=20, choices=CallbackResult.choices, blank=True
    )
    callback_closed_at = models.DateTimeField(_("call back closed"), null=True, blank=True)
    callback_closed_by = user_key(
        _("call back closed by"), optional=True, on_delete=models.SET_NULL
    )
    # The outbound call that returned this one, when the phone system reported it.
    callback_call = foreign_key(
        "self", _("returned by the call"), optional=True, on_delete=models.SET_NULL
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "call_id"], name="call_unique_per_integration"
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=["in", "out"]), name="call_direction_valid"
            ),
        ]
        indexes = [
            # The calls page: a day's calls newest first (rung_at range, keyset).
            models.Index(fields=["rung_at", "id"], name="call_rung_idx"),
            # The missed-calls queue and its dashboard count: open ones by due time.
            models.Index(
                fields=["callback_due_at", "id"],
                condition=models.Q(callback_status="open"),
                name="call_callback_open_idx",
            ),
            # "Mine": an agent's calls newest first.
            models.Index(fields=["agent", "rung_at", "id"], name="call_agent_rung_idx"),
            # A number's calls: the callback an outbound call closes, the
            # customer's history when matched later.
            models.Index(fields=["remote_e164", "rung_at"], name="call_remote_idx"),
            # A customer's calls on their page, newest first.
            models.Index(fields=["customer", "rung_at", "id"], name="call_customer_rung_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.remote_number} {self.rung_at:%d/%m %H:%M}"

    @property
    def remote_number(self) -> str:
        """The customer's number as best known: E.164, else what the PBX sent."""
        raw = self.from_number if self.direction == Direction.INBOUND else self.to_number
        return self.remote_e164 or raw

    @property
    def is_inbound(self) -> bool:
        return self.direction == Direction.INBOUND


class CallTicket(models.Model):
    """A ticket a call was recorded on (created from it or added to it later)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="ticket_links")
    kind = models.CharField(_("kind"), max_length=3)
    number = models.CharField(_("number"), max_length=15)
    linked_by = user_key(_("linked by"), optional=True, on_delete=models.SET_NULL)
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)
    # When the call went into the ticket's journal: at once if it had ended,
    # else when the phone system reports the hang-up (its talk time known).
    journaled_at = models.DateTimeField(_("journaled"), null=True, blank=True)

    class Meta:
        verbose_name = _("call on a ticket")
        verbose_name_plural = _("calls on tickets")
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="callticket_unique"),
        ]
        indexes = [
            # The calls recorded on a ticket.
            models.Index(fields=["number"], name="callticket_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} → {self.number}"

    def get_absolute_url(self) -> str:
        kind = kind_for_number(self.number)
        return kind.detail_url(self.number) if kind else ""


class CallEvent(models.Model):
    """Every event as the phone system posted it, for the record and to
    explain a call that looks odd."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(_("event"), max_length=20)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")

    def __str__(self) -> str:
        return f"{self.event} · {self.call_id}"
