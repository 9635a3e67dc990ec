from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.models import Status, Ticket, TicketKind, WorkInfo, ticket_console_indexes

INCIDENT_STATUSES = (
    Status.NEW,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.PENDING,
    Status.RESOLVED,
    Status.CLOSED,
    Status.CANCELLED,
)


class Incident(Ticket):
    KIND = TicketKind.INCIDENT
    PREFIX = "INC"
    NUMBER_DIGITS = 12
    STATUSES = INCIDENT_STATUSES
    RESOLVED_STATUS = Status.RESOLVED

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=[(s.value, s.label) for s in INCIDENT_STATUSES],
        default=Status.ASSIGNED,
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in INCIDENT_STATUSES]),
                name="incident_status_valid",
            ),
        ]
        indexes = [
            # Auto-close: resolved incidents whose resolution is older than N days.
            models.Index(fields=["status", "resolved_at"], name="incident_status_resolved_idx"),
            # The customer's other open tickets beside the form.
            models.Index(fields=["customer", "status"], name="incident_customer_status_idx"),
            *ticket_console_indexes("incident"),
        ]


class IncidentWorkInfo(WorkInfo):
    ticket = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="work_info",
    )

    class Meta:
        verbose_name = _("incident work info")
        verbose_name_plural = _("incident work info")
        indexes = [
            # The history panel: a ticket's entries, newest first.
            models.Index(fields=["ticket", "-created_at"], name="incident_workinfo_ticket_idx"),
        ]
