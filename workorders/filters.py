from itsm.filters import TicketFilterSet
from workorders.models import WorkOrder


class WorkOrderFilterSet(TicketFilterSet):
    class Meta(TicketFilterSet.Meta):
        model = WorkOrder
