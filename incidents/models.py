from django.utils.translation import gettext_lazy as _

from itsm.models import Status, Ticket, journal_model, kind_meta, ticket_status_field


class Incident(Ticket):
    KIND = PREFIX = "INC"
    STATUSES = Status.subset(
        "new", "assigned", "in_progress", "pending", "resolved", "closed", "cancelled"
    )
    RESOLVED_STATUS = Status.RESOLVED

    status = ticket_status_field(STATUSES)
    Meta = kind_meta(STATUSES, _("incident"), _("incidents"))


IncidentWorkInfo = journal_model(Incident, _("incident work info"))
