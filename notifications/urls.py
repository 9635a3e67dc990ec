from django.urls import URLPattern

from itsm.models import Ticket

app_name = "notifications"

urlpatterns: list[URLPattern] = []


def email_urlpatterns(model: type[Ticket]) -> list[URLPattern]:
    """The compose pages under a ticket (/incidents/<number>/email/ …)."""
    return []
