"""Tickets built through the services, so numbering and the journal are real."""

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import TicketTemplate
from itsm.services.ticket_create import ticket_create
from workorders.models import WorkOrder


def campaign_template(kind: str) -> TicketTemplate:
    return TicketTemplate.objects.for_agents(kind).order_by("name").first()


def make_ticket(model, *, user, customer=None, **kwargs):
    kwargs.setdefault("template", campaign_template(model.KIND))
    return ticket_create(model=model, user=user, customer=customer or CustomerFactory(), **kwargs)


def make_incident(*, user, **kwargs) -> Incident:
    return make_ticket(Incident, user=user, **kwargs)


def make_work_order(*, user, **kwargs) -> WorkOrder:
    return make_ticket(WorkOrder, user=user, **kwargs)
