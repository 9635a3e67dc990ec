"""Incident services: the shared ticket services, named for incidents."""

from customers.models import Customer
from incidents.models import Incident
from itsm.services import ticket_create


def incident_create(*, user, customer: Customer, **fields) -> Incident:
    return ticket_create(model=Incident, user=user, customer=customer, **fields)
