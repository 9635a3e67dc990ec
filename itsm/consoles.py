"""The consoles: ticket lists, filters, global search, coordination."""

from django.urls import URLPattern

from itsm.models import Ticket


def console_urlpatterns(model: type[Ticket]) -> list[URLPattern]:
    return []


def site_urlpatterns() -> list[URLPattern]:
    return []
