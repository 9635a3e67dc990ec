from django.utils.translation import gettext_lazy as _

from itsm.models import Status, Ticket, journal_model, kind_meta, ticket_status_field


class WorkOrder(Ticket):
    KIND = PREFIX = "WO"
    STATUSES = Status.subset(
        "assigned", "pending", "in_progress", "completed", "closed", "cancelled", "rejected"
    )
    RESOLVED_STATUS = Status.COMPLETED
    GROUP_LABEL = _("Support group name")

    status = ticket_status_field(STATUSES)
    Meta = kind_meta(STATUSES, _("work order"), _("work orders"))


WorkOrderWorkInfo = journal_model(WorkOrder, _("work order work info"))
