"""The ticket anatomy every kind shares, and the constraints and indexes each
kind declares with it (the journal is in ``journal``)."""

from datetime import UTC, datetime

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.common.constraints import sparse_index
from itsm.common.fields import created_field, foreign_key, user_key
from itsm.kinds import Kind, kind_for_number, kind_of
from itsm.models.choices import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Priority,
    ReportedSource,
    RequiresAttention,
    Status,
    priority_rank,
)
from itsm.models.reference import Categorisation, StatusReason, SupportGroup, TicketTemplate

# What *Vence* sorts a ticket without a running clock by: after every due time.
NO_DUE_DATE = datetime(9999, 12, 31, tzinfo=UTC)

# --- consoles -----------------------------------------------------------------


def open_tickets_q() -> models.Q:
    """Open tickets (``OPEN_STATUSES``), written the way the partial console
    indexes are declared. SQLite uses a partial index only when the query
    repeats its condition term by term, and cannot compare bound parameters
    inside an IN list, so this is ``status <> 'resolved' AND status <> …``
    over every status that is not open rather than ``IN``/``NOT IN``. The
    statuses' check constraint makes the two forms equivalent."""
    condition = models.Q()
    for status in Status:
        if status not in OPEN_STATUSES:
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
        # The resolved-date range: what was resolved in a day or a month.
        models.Index(fields=["resolved_at", "id"], name=f"{prefix}_resolved_idx"),
        # Sort by priority, critical first: ORDER BY priority_rank, updated_at, id.
        models.Index(fields=["priority_rank", "updated_at", "id"], name=f"{prefix}_priority_idx"),
        # "All open" sorted by priority: open AND ORDER BY priority_rank, updated_at, id.
        models.Index(
            fields=["priority_rank", "updated_at", "id"],
            condition=open_tickets,
            name=f"{prefix}_open_priority_idx",
        ),
        # Sort by *Vence* (the resolution due time, paused and finished last)
        # and the *Incumplido* filter: ORDER BY due_sort, id; due_sort <= now.
        models.Index(fields=["due_sort", "id"], name=f"{prefix}_due_idx"),
        # The same on "all open", the console's usual view.
        models.Index(
            fields=["due_sort", "id"], condition=open_tickets, name=f"{prefix}_open_due_idx"
        ),
        # *A punto de vencer*: open AND sla_warn_at <= now AND due_sort > now. The
        # due time is in the index so breached tickets (warned long ago) are
        # skipped without reading their rows.
        models.Index(
            fields=["sla_warn_at", "due_sort"],
            condition=open_tickets,
            name=f"{prefix}_open_warn_idx",
        ),
        # The beat task: open, past due and not yet marked as breached.
        models.Index(
            fields=["resolution_due_at"],
            condition=open_tickets & models.Q(sla_breached_at__isnull=True),
            name=f"{prefix}_breach_todo_idx",
        ),
        # Open tickets nobody has answered yet, by when the first response is
        # due: the *Primera respuesta incumplida* filter, its dashboard count
        # and the beat task (which also skips those it has marked).
        models.Index(
            fields=["response_due_at"],
            condition=open_tickets & models.Q(responded_at__isnull=True),
            name=f"{prefix}_unanswered_idx",
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
        # The target's history reads the entries of the tickets merged into
        # it: merged_into = number. Few tickets are ever merged.
        sparse_index("merged_into", name=f"{prefix}_merged_into_idx"),
    ]


# Remedy's numbers are 15 characters: the kind's prefix, then the sequence
# zero-padded (INC000000001234, WO0000000001234).
NUMBER_LENGTH = 15


class TicketQuerySet(models.QuerySet):
    def open(self) -> "TicketQuerySet":
        return self.filter(open_tickets_q())

    def open_by_status(self) -> "TicketQuerySet":
        """The same tickets as ``open()``, as one ``status IN``: for queries
        another index serves (a customer's tickets), where ``open()``'s terms,
        written for the consoles' partial indexes, only take longer to build
        (0.15 ms a query)."""
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_closure(self) -> "TicketQuerySet":
        """Resolved/completed, not yet closed (by hand or by auto-close)."""
        return self.filter(status=self.model.RESOLVED_STATUS)

    def for_console(self) -> "TicketQuerySet":
        """What a console line shows and sorts by, and nothing else, as named
        tuples: 50 tickets and their customers built as models (40 fields
        each, most of them deferred) took longer than the query. The
        group's, reason's and assignee's names come from the reference lists
        (``itsm.reference_names``), not joins: PostgreSQL planned the
        five-table join in 0.7 ms, the ticket and its customer in 0.2."""
        return self.values_list(*CONSOLE_FIELDS, named=True)


CONSOLE_FIELDS = (
    "id",
    "number",
    "summary",
    "status",
    "priority",
    "priority_rank",
    "requires_attention",
    "created_at",
    "updated_at",
    "resolution_due_at",
    "sla_warn_at",
    "due_sort",
    "customer__first_name",
    "customer__surnames",
    "customer__organisation",
    "assigned_group_id",
    "assignee_id",
    "status_reason_id",
)


class Ticket(Categorisation):
    """The anatomy shared by incidents and work orders.

    Concrete subclasses set KIND, PREFIX, STATUSES and RESOLVED_STATUS and
    redeclare ``status`` with their own choices (``ticket_status_field``) and
    ``Meta`` (``kind_meta``).
    """

    KIND: str
    PREFIX: str
    NUMBER_DIGITS: int  # what NUMBER_LENGTH leaves after the prefix
    STATUSES: tuple[str, ...]
    RESOLVED_STATUS: str
    GROUP_LABEL = _("Assigned group")
    FINISHED_STATUSES = FINISHED_STATUSES

    number = models.CharField(_("number"), max_length=NUMBER_LENGTH, unique=True, editable=False)
    customer = foreign_key("customers.Customer", _("customer"), related_name="%(class)ss")
    template = foreign_key(TicketTemplate, _("template"), optional=True)
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
    assigned_group = foreign_key(SupportGroup, _("assigned group"), related_name="%(class)ss")
    assignee = user_key(_("assignee"), optional=True, related_name="assigned_%(class)ss")
    status_reason = foreign_key(StatusReason, _("status reason"), optional=True)
    resolution = models.TextField(_("resolution"), blank=True)
    requires_attention = RequiresAttention.field()
    created_at = created_field()
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = user_key(_("created by"))
    updated_by = user_key(_("updated by"))
    version = models.PositiveIntegerField(_("version"), default=1)
    # Talk time of the calls recorded on the ticket (itsm.services.calls).
    time_spent_seconds = models.PositiveIntegerField(_("time spent (s)"), default=0)
    # The number of the ticket this one was merged into (itsm.services.merge),
    # of any kind; empty while it lives on its own. Who and when are on the
    # ``TicketMerge`` row. Nullable without a default: adding it is an ALTER
    # TABLE ADD COLUMN, not a rebuild of the table.
    merged_into = models.CharField(
        _("merged into"), max_length=NUMBER_LENGTH, null=True, blank=True
    )

    # The SLA clock (itsm.services.sla): due times stored when they change,
    # so consoles sort and filter on them without computing row by row.
    response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # When 80 % of the resolution target is used: *A punto de vencer* from then.
    sla_warn_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    sla_target_minutes = models.PositiveIntegerField(
        _("resolution target (working minutes)"), null=True, blank=True
    )
    sla_elapsed_minutes = models.FloatField(_("working minutes used"), default=0)
    # Empty while the clock is paused (Pendiente) or stopped (resolved).
    sla_running_since = models.DateTimeField(_("clock running since"), null=True, blank=True)
    sla_breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    response_breached_at = models.DateTimeField(_("first response breached"), null=True, blank=True)
    # The *Vence* sort: due time, with paused and finished tickets last.
    due_sort = models.GeneratedField(
        expression=Coalesce("resolution_due_at", models.Value(NO_DUE_DATE)),
        output_field=models.DateTimeField(),
        db_persist=True,
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        abstract = True
        # Named after the concrete class: incident_…, workorder_….
        indexes = ticket_indexes("%(class)s")

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "PREFIX" in vars(cls):
            cls.NUMBER_DIGITS = NUMBER_LENGTH - len(cls.PREFIX)

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
    def is_merged(self) -> bool:
        return bool(self.merged_into)

    @property
    def merged_into_url(self) -> str:
        """The target's page, where a merged ticket's number leads; empty if not merged."""
        if not self.merged_into:
            return ""
        return kind_for_number(self.merged_into).detail_url(self.merged_into)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_resolved(self) -> bool:
        return self.status == self.RESOLVED_STATUS

    @property
    def can_reopen(self) -> bool:
        return self.is_resolved


def kind_meta(statuses: tuple[str, ...], verbose_name, verbose_name_plural) -> type:
    """A kind's ``Meta``: the ticket's indexes, its names, and a check that the
    stored status is one the kind allows (``incident_status_valid``)."""
    attrs = {
        "verbose_name": verbose_name,
        "verbose_name_plural": verbose_name_plural,
        "constraints": ticket_constraints("%(class)s", statuses),
    }
    return type("Meta", (Ticket.Meta,), attrs)
