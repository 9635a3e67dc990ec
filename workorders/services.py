"""Work-order services: the shared ticket services, named for work orders."""

from customers.models import Customer
from itsm.services import ticket_create
from workorders.models import WorkOrder


def work_order_create(*, user, customer: Customer, **fields) -> WorkOrder:
    return ticket_create(model=WorkOrder, user=user, customer=customer, **fields)
