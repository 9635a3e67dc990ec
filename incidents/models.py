from django.utils.translation import gettext_lazy as _

from itsm.models import (
    Status,
    Ticket,
    journal_model,
    ticket_constraints,
    ticket_status_field,
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

    class Meta(Ticket.Meta):
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = ticket_constraints("incident", INCIDENT_STATUSES)


IncidentWorkInfo = journal_model(Incident, _("incident work info"))
