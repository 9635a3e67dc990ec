from itsm.consoles import console_urlpatterns
from itsm.ticket_views import ticket_urlpatterns
from notifications.urls import email_urlpatterns
from workorders.models import WorkOrder

app_name = "workorders"

urlpatterns = [
    *console_urlpatterns(WorkOrder),
    *ticket_urlpatterns(WorkOrder),
    *email_urlpatterns(WorkOrder),
]
