from django.contrib import admin

from incidents.models import Incident, IncidentWorkInfo
from itsm.admin import TicketAdmin, WorkInfoAdmin, WorkInfoInline


class IncidentWorkInfoInline(WorkInfoInline):
    model = IncidentWorkInfo


@admin.register(Incident)
class IncidentAdmin(TicketAdmin):
    inlines = (IncidentWorkInfoInline,)


admin.site.register(IncidentWorkInfo, WorkInfoAdmin)
