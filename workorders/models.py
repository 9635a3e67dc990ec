from django.utils.translation import gettext_lazy as _

from itsm.models import (
    Status,
    Ticket,
    journal_model,
    ticket_constraints,
    ticket_status_field,
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

    class Meta(Ticket.Meta):
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        constraints = ticket_constraints("workorder", WORK_ORDER_STATUSES)


WorkOrderWorkInfo = journal_model(WorkOrder, _("work order work info"))
