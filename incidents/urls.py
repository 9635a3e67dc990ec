from incidents.models import Incident
from itsm.consoles import console_urlpatterns
from itsm.ticket_views import ticket_urlpatterns
from notifications.urls import email_urlpatterns

app_name = "incidents"

urlpatterns = [
    *console_urlpatterns(Incident),
    *ticket_urlpatterns(Incident),
    *email_urlpatterns(Incident),
]
