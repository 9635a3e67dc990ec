""" "Open" is defined once (Nuevo, Asignado, En curso, Pendiente) and every
place that lists or counts open tickets uses that definition: the console
filters and default view, the customer's other open tickets, the magnifier
and the coordination queue. Resolved tickets awaiting closure have their
own filter."""

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import OPEN_STATUSES, Status
from itsm.selectors import coordination_group, tickets_open_for_customer
from itsm.tests.factories import make_incident, make_work_order
from workorders.models import WorkOrder


def set_status(ticket, status: str) -> None:
    type(ticket).objects.filter(pk=ticket.pk).update(status=status)


@pytest.fixture
def desk(agent):
    """One ticket of the agent's in each status, of both kinds."""
    customer = CustomerFactory(first_name="Ana", surnames="Gómez Pérez")
    tickets = {}
    for model, maker in ((Incident, make_incident), (WorkOrder, make_work_order)):
        for status in model.STATUSES:
            ticket = maker(user=agent, assignee=agent, customer=customer)
            set_status(ticket, status)
            tickets[(model.KIND, status)] = ticket
    return customer, tickets


def numbers_of(tickets, *, statuses) -> set[str]:
    return {t.number for (kind, status), t in tickets.items() if status in statuses}


def test_open_is_new_assigned_in_progress_and_pending():
    assert OPEN_STATUSES == (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PENDING)


def test_queryset_and_ticket_agree_on_open(desk):
    _customer, tickets = desk
    for model in (Incident, WorkOrder):
        in_query = set(model.objects.open().values_list("number", flat=True))
        by_row = {t.number for t in tickets.values() if isinstance(t, model) and t.is_open}
        assert in_query == {
            t.number
            for (kind, status), t in tickets.items()
            if kind == model.KIND and status in OPEN_STATUSES
        }
        # is_open reads the status the ticket was loaded with: reload.
        by_row = {t.number for t in model.objects.all() if t.is_open}
        assert by_row == in_query


@pytest.mark.parametrize("url_name", ["incidents:console", "workorders:console"])
def test_open_only_filter_leaves_out_resolved_completed_and_finished(client, agent, desk, url_name):
    _customer, tickets = desk
    client.force_login(agent)
    response = client.get(reverse(url_name), {"f": "1", "open": "on"})
    page = response.content.decode()
    for (kind, status), ticket in tickets.items():
        if url_name.startswith("incidents") != (kind == "INC"):
            continue
        assert (ticket.number in page) == (status in OPEN_STATUSES), (kind, status)


def test_the_default_console_shows_only_open_tickets(client, agent, desk):
    _customer, tickets = desk
    client.force_login(agent)
    page = client.get(reverse("incidents:console")).content.decode()
    assert tickets[("INC", Status.PENDING)].number in page
    assert tickets[("INC", Status.RESOLVED)].number not in page
    assert tickets[("INC", Status.CLOSED)].number not in page


@pytest.mark.parametrize(
    ("url_name", "kind", "status"),
    [("incidents:console", "INC", Status.RESOLVED), ("workorders:console", "WO", Status.COMPLETED)],
)
def test_resolved_awaiting_closure_has_its_own_filter(client, agent, desk, url_name, kind, status):
    _customer, tickets = desk
    client.force_login(agent)
    response = client.get(reverse(url_name), {"f": "1", "awaiting_closure": "on"})
    page = response.content.decode()
    assert "Resueltas pendientes de cierre" in page
    shown = {t.number for (k, s), t in tickets.items() if k == kind and t.number in page}
    assert shown == {tickets[(kind, status)].number}


def test_a_customers_other_open_tickets_leave_out_resolved_and_completed(desk):
    customer, tickets = desk
    listed = {t.number for t in tickets_open_for_customer(customer=customer, limit=50)}
    assert listed == numbers_of(tickets, statuses=OPEN_STATUSES)


def test_the_ticket_page_lists_only_open_tickets_of_the_customer(client, agent, desk):
    _customer, tickets = desk
    client.force_login(agent)
    page = client.get(tickets[("WO", Status.ASSIGNED)].get_absolute_url()).content.decode()
    assert tickets[("WO", Status.PENDING)].number in page
    assert tickets[("WO", Status.COMPLETED)].number not in page
    assert tickets[("INC", Status.RESOLVED)].number not in page


def test_search_lists_only_open_tickets_of_a_customer(client, agent, desk):
    _customer, tickets = desk
    client.force_login(agent)
    response = client.get(reverse("search"), {"q": "gomez"})
    hit = response.context["results"].customers[0]
    assert {t.number for t in hit.open_tickets} == numbers_of(tickets, statuses=OPEN_STATUSES)


def test_coordination_queue_leaves_out_resolved_tickets(client, agent, coordinator):
    pending = make_incident(user=agent)
    resolved = make_incident(user=agent)
    for ticket in (pending, resolved):
        type(ticket).objects.filter(pk=ticket.pk).update(assigned_group=coordination_group())
    set_status(resolved, Status.RESOLVED)
    client.force_login(coordinator)
    page = client.get(reverse("coordination")).content.decode()
    assert pending.number in page
    assert resolved.number not in page
