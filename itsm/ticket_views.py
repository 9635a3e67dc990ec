"""The ticket pages: new ticket, ticket page, quick actions, work info, relations."""

from django.urls import URLPattern

from itsm.models import Ticket


def ticket_urlpatterns(model: type[Ticket]) -> list[URLPattern]:
    return []
