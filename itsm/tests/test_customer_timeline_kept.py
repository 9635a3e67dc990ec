"""The customer page reads each source's rows and figures with SQL written
once for every customer and cursor."""

from datetime import timedelta

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.customer_timeline import (
    customer_summary,
    decode_timeline_cursor,
    encode_timeline_cursor,
    timeline_page,
)
from itsm.tests.factories import make_incident
from itsm.tests.sql import sql_written

pytestmark = pytest.mark.django_db


def _customer_with_tickets(agent, count: int = 3):
    customer = CustomerFactory()
    for index in range(count):
        ticket = make_incident(user=agent, customer=customer)
        moment = ticket.created_at - timedelta(days=index)
        Incident.objects.filter(pk=ticket.pk).update(created_at=moment)
    return customer


def _pages(customer) -> list[list[str]]:
    """The first page, the next and back again, and the figures."""
    first = timeline_page(customer, size=2)
    after = timeline_page(customer, after=decode_timeline_cursor(first.next_cursor), size=2)
    back = timeline_page(customer, before=decode_timeline_cursor(after.previous_cursor), size=2)
    summary = customer_summary(customer)
    figures = [f"{figure.code}={figure.value}" for figure in summary.figures]
    return [[item.title for item in page.items] for page in (first, after, back)] + [figures]


def test_every_page_and_figure_is_written_once_for_every_customer(agent, reference):
    mine, theirs = _customer_with_tickets(agent), _customer_with_tickets(agent)
    _pages(mine)

    assert sql_written(lambda: _pages(theirs)) == 0
    first, after, back, figures = _pages(theirs)
    numbers = list(
        Incident.objects.filter(customer=theirs)
        .order_by("-created_at")
        .values_list("number", flat=True)
    )
    assert [title.split(" · ")[0] for title in first + after] == numbers
    assert back == first
    assert "open_tickets=3" in figures and "recent_tickets=3" in figures


def test_the_figures_count_the_last_twelve_months(agent, reference):
    customer = _customer_with_tickets(agent)
    ticket = Incident.objects.filter(customer=customer).order_by("created_at").first()
    Incident.objects.filter(pk=ticket.pk).update(created_at=ticket.created_at - timedelta(days=400))

    figures = {figure.code: figure.value for figure in customer_summary(customer).figures}

    assert figures["recent_tickets"] == 2 and figures["open_tickets"] == 3
    assert figures["calls"] == 0 and figures["missed_calls"] == 0


def test_a_cursor_past_any_id_gives_the_first_page(client, agent, reference):
    customer = _customer_with_tickets(agent)
    item = timeline_page(customer).items[0]
    client.force_login(agent)

    for row_id in (2**63, -1):
        token = encode_timeline_cursor(type(item.key)(item.at, item.kind, row_id))
        response = client.get(reverse("customers:detail", args=[customer.pk]), {"after": token})
        assert response.status_code == 200
        assert "El enlace de página no es válido" in response.content.decode()
