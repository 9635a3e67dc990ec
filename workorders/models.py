from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.models import (
    Status,
    Ticket,
    WorkInfo,
    ticket_constraints,
    ticket_indexes,
    ticket_status_field,
    work_info_indexes,
)

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
    KIND = "WO"
    PREFIX = "WO"
    NUMBER_DIGITS = 13
    STATUSES = WORK_ORDER_STATUSES
    RESOLVED_STATUS = Status.COMPLETED
    GROUP_LABEL = _("Support group name")

    status = ticket_status_field(WORK_ORDER_STATUSES)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = ticket_constraints("workorder", WORK_ORDER_STATUSES)
        indexes = ticket_indexes("workorder")


class WorkOrderWorkInfo(WorkInfo):
    # PROTECT: a ticket with a journal cannot be deleted, so its story is never lost.
    ticket = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="work_info",
    )

    class Meta:
        verbose_name = _("work order work info")
        verbose_name_plural = _("work order work info")
        indexes = work_info_indexes("workorder")
