"""What incidents and work orders share: reference data, the ticket anatomy,
the work-info journal and the relations between tickets."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.kinds import Kind, kind_choices, kind_of
from itsm.storage import private_storage


class Status(models.TextChoices):
    """Every status of both kinds; each kind allows its own subset."""

    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


# A ticket in one of these is finished: no longer open, no longer editable.
FINISHED_STATUSES = (Status.CLOSED, Status.CANCELLED, Status.REJECTED)


class Impact(models.IntegerChoices):
    EXTENSIVE = 1, _("1-Extensive/Widespread")
    SIGNIFICANT = 2, _("2-Significant/Large")
    MODERATE = 3, _("3-Moderate/Limited")
    MINOR = 4, _("4-Minor/Localized")


class Urgency(models.IntegerChoices):
    CRITICAL = 1, _("1-Critical")
    HIGH = 2, _("2-High")
    MEDIUM = 3, _("3-Medium")
    LOW = 4, _("4-Low")


class Priority(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


def priority_rank() -> models.Case:
    """0 for critical … 3 for low: the order of the console's priority sort."""
    return models.Case(
        *(
            models.When(priority=value, then=models.Value(rank))
            for rank, value in enumerate(Priority.values)
        ),
        default=models.Value(len(Priority.values)),
        output_field=models.PositiveSmallIntegerField(),
    )


# Remedy's default weights and ranges (Incident Management configuration).
IMPACT_WEIGHTS = {
    Impact.EXTENSIVE: 9,
    Impact.SIGNIFICANT: 5,
    Impact.MODERATE: 3,
    Impact.MINOR: 0,
}
URGENCY_WEIGHTS = {
    Urgency.CRITICAL: 20,
    Urgency.HIGH: 15,
    Urgency.MEDIUM: 10,
    Urgency.LOW: 0,
}


def priority_for(impact: int, urgency: int) -> Priority:
    weight = IMPACT_WEIGHTS[Impact(impact)] + URGENCY_WEIGHTS[Urgency(urgency)]
    if weight >= 24:
        return Priority.CRITICAL
    if weight >= 16:
        return Priority.HIGH
    if weight >= 10:
        return Priority.MEDIUM
    return Priority.LOW


class ReportedSource(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web")
    WALK_IN = "walk_in", _("Walk-in")
    SELF_SERVICE = "self_service", _("Self service")
    OTHER = "other", _("Other")


class RequiresAttention(models.TextChoices):
    NONE = "", _("(none)")
    RESPONSE = "response", _("Requires response")


class SupportGroup(models.Model):
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
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        constraints = [
            models.UniqueConstraint(
                fields=["is_agent_default"],
                condition=models.Q(is_agent_default=True),
                name="supportgroup_single_agent_default",
            ),
            models.UniqueConstraint(
                fields=["is_coordination"],
                condition=models.Q(is_coordination=True),
                name="supportgroup_single_coordination",
            ),
            models.UniqueConstraint(
                fields=["is_specialists"],
                condition=models.Q(is_specialists=True),
                name="supportgroup_single_specialists",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StatusReason(models.Model):
    kind = models.CharField(_("ticket kind"), max_length=3, choices=kind_choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    name = models.CharField(_("reason"), max_length=100)
    code = models.SlugField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("Set on the reasons the application picks by itself (e.g. when reopening)."),
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("status reason")
        verbose_name_plural = _("status reasons")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "status", "name"], name="statusreason_unique_per_status"
            ),
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=~models.Q(code=""),
                name="statusreason_unique_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# A template or response template for every kind of ticket.
APPLIES_TO_ALL = "BOTH"


def applies_to_choices() -> list[tuple[str, str]]:
    """Each registered kind, and all of them."""
    return [*kind_choices(), (APPLIES_TO_ALL, _("Both"))]


class TicketTemplateQuerySet(models.QuerySet):
    def for_agents(self, kind: str) -> "TicketTemplateQuerySet":
        """The templates an agent may pick: active campaign templates of the kind."""
        return self.filter(
            active=True,
            name__startswith="CAMPAÑA",
            applies_to__in=[kind, APPLIES_TO_ALL],
        )


# --- consoles -----------------------------------------------------------------


def open_tickets_q() -> models.Q:
    """Open tickets, written the way the partial console indexes are declared.
    SQLite uses a partial index only when the query repeats its condition term
    by term, and cannot compare bound parameters inside an IN list, so this is
    ``status <> 'closed' AND status <> …`` rather than ``NOT IN``."""
    condition = models.Q()
    for status in FINISHED_STATUSES:
        condition &= ~models.Q(status=status)
    return condition


def ticket_console_indexes(prefix: str) -> list[models.Index]:
    """The indexes behind the console queries, declared once for both kinds
    (``prefix`` keeps their names unique across tables). Every console query
    orders by its sort key and ``id`` so keyset pagination can seek into them."""
    open_tickets = open_tickets_q()
    return [
        # Default console, "mis gestiones abiertas":
        # assignee = me AND open ORDER BY updated_at DESC, id DESC.
        models.Index(
            fields=["assignee", "updated_at", "id"],
            condition=open_tickets,
            name=f"{prefix}_open_mine_idx",
        ),
        # Console filtered by assignee and a status (e.g. my pending tickets),
        # also with a group: assignee = A AND status = S ORDER BY updated_at.
        models.Index(
            fields=["assignee", "status", "updated_at", "id"], name=f"{prefix}_assignee_status_idx"
        ),
        # "My tickets", open or not: assignee = me ORDER BY updated_at, id.
        models.Index(fields=["assignee", "updated_at", "id"], name=f"{prefix}_assignee_idx"),
        # A group's queue: assigned_group = G ORDER BY updated_at.
        models.Index(fields=["assigned_group", "updated_at", "id"], name=f"{prefix}_group_idx"),
        # Coordination console: assigned_group = coordination AND open
        # ORDER BY created_at, number (oldest first).
        models.Index(
            fields=["assigned_group", "created_at", "number"],
            condition=open_tickets,
            name=f"{prefix}_open_group_age_idx",
        ),
        # Console filtered by status: status IN (…) ORDER BY updated_at; also the
        # status sort (status, updated_at, id).
        models.Index(fields=["status", "updated_at", "id"], name=f"{prefix}_status_idx"),
        # Unfiltered console in the default sort, deep pages, the updated-date range.
        models.Index(fields=["updated_at", "id"], name=f"{prefix}_updated_idx"),
        # "All open": open ORDER BY updated_at, id. Without it SQLite starts
        # from the group table and sorts every open ticket (0.6 s at 1M).
        models.Index(
            fields=["updated_at", "id"], condition=open_tickets, name=f"{prefix}_open_updated_idx"
        ),
        # Sort by creation date and the created-date range.
        models.Index(fields=["created_at", "id"], name=f"{prefix}_created_idx"),
        # Sort by priority, critical first: ORDER BY priority_rank, updated_at, id.
        models.Index(fields=["priority_rank", "updated_at", "id"], name=f"{prefix}_priority_idx"),
        # "All open" sorted by priority: open AND ORDER BY priority_rank, updated_at, id.
        models.Index(
            fields=["priority_rank", "updated_at", "id"],
            condition=open_tickets,
            name=f"{prefix}_open_priority_idx",
        ),
    ]


def ticket_status_field(statuses: tuple[str, ...]) -> models.CharField:
    """A kind's ``status``: the shared statuses it allows."""
    return models.CharField(
        _("status"),
        max_length=20,
        choices=[(status.value, status.label) for status in statuses],
        default=Status.ASSIGNED,
    )


def ticket_constraints(prefix: str, statuses: tuple[str, ...]) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=models.Q(status__in=[status.value for status in statuses]),
            name=f"{prefix}_status_valid",
        ),
    ]


def ticket_indexes(prefix: str) -> list[models.Index]:
    return [
        # Auto-close: resolved/completed tickets whose resolution is older than N days.
        models.Index(fields=["status", "resolved_at"], name=f"{prefix}_status_resolved_idx"),
        # The customer's other open tickets beside the form and in search.
        models.Index(fields=["customer", "status"], name=f"{prefix}_customer_status_idx"),
        *ticket_console_indexes(prefix),
    ]


def journal_ticket(model: type["Ticket"], verbose_name) -> models.ForeignKey:
    """A journal's ``ticket``. PROTECT: a ticket with a journal cannot be
    deleted, so its story is never lost."""
    return models.ForeignKey(
        model, verbose_name=verbose_name, on_delete=models.PROTECT, related_name="work_info"
    )


def work_info_indexes(prefix: str) -> list[models.Index]:
    return [
        # The history panel: a ticket's entries, newest first.
        models.Index(fields=["ticket", "-created_at"], name=f"{prefix}_workinfo_ticket_idx"),
    ]


class Categorisation(models.Model):
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


class TicketTemplate(Categorisation):
    """A *plantilla*: codes the ticket and fills section 3 of the form."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    applies_to = models.CharField(_("applies to"), max_length=4, choices=applies_to_choices)
    summary = models.CharField(_("summary"), max_length=100)
    default_group = models.ForeignKey(
        SupportGroup,
        verbose_name=_("default group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    objects = TicketTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")

    def __str__(self) -> str:
        return self.name

    def applies_to_kind(self, kind: str) -> bool:
        return self.applies_to in (kind, APPLIES_TO_ALL)


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


class TicketQuerySet(models.QuerySet):
    def open(self) -> "TicketQuerySet":
        return self.exclude(status__in=self.model.FINISHED_STATUSES)

    def with_list_relations(self) -> "TicketQuerySet":
        return self.select_related("customer", "assigned_group", "assignee", "status_reason")


class Ticket(Categorisation):
    """The anatomy shared by incidents and work orders.

    Concrete subclasses set KIND, PREFIX, NUMBER_DIGITS, STATUSES and
    RESOLVED_STATUS and redeclare ``status`` with their own choices.
    """

    KIND: str
    PREFIX: str
    NUMBER_DIGITS: int
    STATUSES: tuple[str, ...]
    RESOLVED_STATUS: str
    GROUP_LABEL = _("Assigned group")
    FINISHED_STATUSES = FINISHED_STATUSES

    number = models.CharField(_("number"), max_length=15, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    template = models.ForeignKey(
        TicketTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.CharField(_("summary"), max_length=100)
    description = models.TextField(_("notes"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.LOW
    )
    # Stored so an index serves the console's priority sort: ordering by the
    # CASE sorted every ticket (1.5 s at 1M). The database computes it.
    priority_rank = models.GeneratedField(
        expression=priority_rank(),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    reported_source = models.CharField(
        _("reported source"),
        max_length=20,
        choices=ReportedSource.choices,
        default=ReportedSource.PHONE,
    )
    assigned_group = models.ForeignKey(
        SupportGroup,
        verbose_name=_("assigned group"),
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_%(class)ss",
    )
    status_reason = models.ForeignKey(
        StatusReason,
        verbose_name=_("status reason"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True)
    requires_attention = models.CharField(
        _("requires attention"),
        max_length=10,
        choices=RequiresAttention.choices,
        default=RequiresAttention.NONE,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = TicketQuerySet.as_manager()

    class Meta:
        abstract = True
        # Named after the concrete class: incident_…, workorder_….
        indexes = ticket_indexes("%(class)s")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return self.kind.detail_url(self.number)

    @classmethod
    def format_number(cls, value: int) -> str:
        return f"{cls.PREFIX}{value:0{cls.NUMBER_DIGITS}d}"

    @property
    def kind(self) -> Kind:
        """What the registry knows of this ticket's kind: labels, URLs, journal."""
        return kind_of(self)

    @property
    def is_closed(self) -> bool:
        return self.status in self.FINISHED_STATUSES

    @property
    def is_resolved(self) -> bool:
        return self.status == self.RESOLVED_STATUS

    @property
    def can_reopen(self) -> bool:
        return self.is_resolved


class WorkInfoType(models.TextChoices):
    WORK_NOTES = "notes", _("Work notes")
    CUSTOMER_COMMUNICATION = "customer", _("Customer communication")
    EMAIL_SYSTEM = "email", _("E-mail system")
    STATUS_CHANGE = "status", _("Status change")
    ASSIGNMENT = "assignment", _("Assignment")
    RESOLUTION = "resolution", _("Resolution")
    GENERAL = "general", _("General information")


class ViewAccess(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Public")


class AppendOnlyError(Exception):
    pass


class WorkInfoQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Work info entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Work info entries cannot be deleted.")


def attachment_upload_to(instance: "WorkInfo", filename: str) -> str:
    return f"workinfo/{instance.ticket.KIND.lower()}/{timezone.now():%Y/%m}/{filename}"


MAX_ATTACHMENTS = 3


class WorkInfo(models.Model):
    """An entry of a ticket's journal. Append-only: the ORM refuses updates
    and deletes, and a database trigger refuses updates from anywhere else."""

    # ticket = ForeignKey(<concrete ticket>, related_name="work_info") in subclasses
    # Empty for entries the system writes by itself (auto-close).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    type = models.CharField(
        _("type"),
        max_length=20,
        choices=WorkInfoType.choices,
        default=WorkInfoType.WORK_NOTES,
    )
    notes = models.TextField(_("notes"))
    attachment_1 = models.FileField(
        _("file 1"), storage=private_storage, upload_to=attachment_upload_to, blank=True
    )
    attachment_2 = models.FileField(
        _("file 2"), storage=private_storage, upload_to=attachment_upload_to, blank=True
    )
    attachment_3 = models.FileField(
        _("file 3"), storage=private_storage, upload_to=attachment_upload_to, blank=True
    )
    requires_attention = models.CharField(
        _("requires attention"),
        max_length=10,
        choices=RequiresAttention.choices,
        default=RequiresAttention.NONE,
        blank=True,
    )
    view_access = models.CharField(
        _("view access"),
        max_length=10,
        choices=ViewAccess.choices,
        default=ViewAccess.INTERNAL,
    )

    objects = WorkInfoQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.get_type_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Work info entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Work info entries cannot be deleted.")

    @property
    def attachments(self) -> list[tuple[int, models.fields.files.FieldFile]]:
        files = (self.attachment_1, self.attachment_2, self.attachment_3)
        return [(index, f) for index, f in enumerate(files, start=1) if f]


class RelationType(models.TextChoices):
    RELATED = "related", _("Related to")
    DUPLICATE = "duplicate", _("Duplicate of")


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source_number=models.F("target_number")),
                name="relation_not_to_itself",
            ),
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

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
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
