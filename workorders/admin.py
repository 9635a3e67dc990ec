from django.contrib import admin

from itsm.admin import TicketAdmin, WorkInfoAdmin, WorkInfoInline
from workorders.models import WorkOrder, WorkOrderWorkInfo


class WorkOrderWorkInfoInline(WorkInfoInline):
    model = WorkOrderWorkInfo


@admin.register(WorkOrder)
class WorkOrderAdmin(TicketAdmin):
    inlines = (WorkOrderWorkInfoInline,)


admin.site.register(WorkOrderWorkInfo, WorkInfoAdmin)
