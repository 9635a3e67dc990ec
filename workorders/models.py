from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.models import Status, Ticket, TicketKind, WorkInfo, ticket_console_indexes

WORK_ORDER_STATUSES = (
    Status.ASSIGNED,
    Status.PENDING,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.CLOSED,
    Status.CANCELLED,
    Status.REJECTED,
)


class WorkOrder(Ticket):
    KIND = TicketKind.WORK_ORDER
    PREFIX = "WO"
    NUMBER_DIGITS = 13
    STATUSES = WORK_ORDER_STATUSES
    RESOLVED_STATUS = Status.COMPLETED
    GROUP_LABEL = _("Support group name")

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=[(s.value, s.label) for s in WORK_ORDER_STATUSES],
        default=Status.ASSIGNED,
    )

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in WORK_ORDER_STATUSES]),
                name="workorder_status_valid",
            ),
        ]
        indexes = [
            # Auto-close: completed work orders whose completion is older than N days.
            models.Index(fields=["status", "resolved_at"], name="workorder_status_resolved_idx"),
            # The customer's other open tickets beside the form.
            models.Index(fields=["customer", "status"], name="workorder_customer_status_idx"),
            *ticket_console_indexes("workorder"),
        ]


class WorkOrderWorkInfo(WorkInfo):
    ticket = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.CASCADE,
        related_name="work_info",
    )

    class Meta:
        verbose_name = _("work order work info")
        verbose_name_plural = _("work order work info")
        indexes = [
            # The history panel: a ticket's entries, newest first.
            models.Index(fields=["ticket", "-created_at"], name="workorder_workinfo_ticket_idx"),
        ]
