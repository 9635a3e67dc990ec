from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.models import (
    Status,
    Ticket,
    WorkInfo,
    ticket_constraints,
    ticket_indexes,
    ticket_status_field,
    work_info_indexes,
)

INCIDENT_STATUSES = (
    Status.NEW,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.PENDING,
    Status.RESOLVED,
    Status.CLOSED,
    Status.CANCELLED,
)


class Incident(Ticket):
    KIND = "INC"
    PREFIX = "INC"
    NUMBER_DIGITS = 12
    STATUSES = INCIDENT_STATUSES
    RESOLVED_STATUS = Status.RESOLVED

    status = ticket_status_field(INCIDENT_STATUSES)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = ticket_constraints("incident", INCIDENT_STATUSES)
        indexes = ticket_indexes("incident")


class IncidentWorkInfo(WorkInfo):
    # PROTECT: a ticket with a journal cannot be deleted, so its story is never lost.
    ticket = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        related_name="work_info",
    )

    class Meta:
        verbose_name = _("incident work info")
        verbose_name_plural = _("incident work info")
        indexes = work_info_indexes("incident")
