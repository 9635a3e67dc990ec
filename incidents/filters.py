from incidents.models import Incident
from itsm.filters import TicketFilterSet


class IncidentFilterSet(TicketFilterSet):
    class Meta(TicketFilterSet.Meta):
        model = Incident
