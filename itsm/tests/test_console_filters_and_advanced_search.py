"""The consoles filter by every field, search by number, customer and text,
and explain bad filters in Spanish."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from customers import selectors as customer_selectors
from customers.models import CustomerKind
from customers.tests.factories import CustomerFactory
from incidents.filters import IncidentFilterSet
from incidents.models import Incident
from itsm.common import pagination
from itsm.models import Impact, ReportedSource, TicketTemplate, Urgency
from itsm.reference_cache import show_choices
from itsm.selectors import coordination_group
from itsm.services.escalation import ticket_escalate
from itsm.services.ticket_update import ticket_set_pending
from itsm.tests.console import INCIDENTS, WORK_ORDERS, close, numbers
from itsm.tests.factories import make_incident, make_work_order, pending_reason

# --- filters -----------------------------------------------------------------


@pytest.fixture
def desk(agent, other_agent, coordinator):
    """A few incidents that differ in one field each."""
    kind_customer = CustomerFactory(kind=CustomerKind.REGISTRY, first_name="Registro")
    templates = list(TicketTemplate.objects.for_agents("INC").order_by("name")[:2])
    tickets = {
        "mine": make_incident(user=agent, assignee=agent, template=templates[0]),
        "other": make_incident(
            user=other_agent,
            assignee=other_agent,
            template=templates[1],
            reported_source=ReportedSource.EMAIL,
            impact=Impact.EXTENSIVE,
            urgency=Urgency.CRITICAL,
            customer=kind_customer,
            description="El usuario no puede firmar el libro diario",
        ),
        "pending": make_incident(user=agent),
        "escalated": make_incident(user=agent),
    }
    ticket_set_pending(
        ticket=tickets["pending"], user=agent, expected_version=1, status_reason=pending_reason()
    )
    ticket_escalate(
        ticket=tickets["escalated"],
        user=agent,
        expected_version=1,
        case="other",
        data={"description": "ERROR 23 en depósito"},
    )
    return tickets


def shown(client, **params) -> set[str]:
    response = client.get(INCIDENTS, {"f": "1", **params})
    assert response.status_code == 200, response.content.decode()[:2000]
    return set(numbers(response))


def test_filter_by_status(client, agent, desk):
    client.force_login(agent)
    assert shown(client, status="pending") == {desk["pending"].number}


def test_filter_by_several_statuses(client, agent, desk):
    client.force_login(agent)
    result = shown(client, status=["pending", "assigned"])
    assert result == {t.number for t in desk.values()}


def test_filter_by_status_reason(client, agent, desk):
    client.force_login(agent)
    assert shown(client, status_reason=pending_reason().pk) == {desk["pending"].number}


def test_filter_by_group(client, agent, desk):
    client.force_login(agent)
    assert shown(client, assigned_group=coordination_group().pk) == {desk["escalated"].number}


def test_filter_by_assignee(client, agent, other_agent, desk):
    client.force_login(agent)
    assert shown(client, assignee=other_agent.pk) == {desk["other"].number}


def test_filter_my_tickets(client, agent, desk):
    client.force_login(agent)
    assert shown(client, mine="on") == {desk["mine"].number}


def test_filter_open_only(client, agent, desk):
    close(desk["other"])
    client.force_login(agent)
    assert desk["other"].number not in shown(client, open="on")
    assert desk["other"].number in shown(client)


def test_filter_requires_attention(client, agent, desk):
    client.force_login(agent)
    assert shown(client, requires_attention="response") == {desk["pending"].number}
    assert desk["pending"].number not in shown(client, requires_attention="none")
    assert desk["mine"].number in shown(client, requires_attention="none")


def test_filter_by_template(client, agent, desk):
    client.force_login(agent)
    assert desk["other"].number in shown(client, template=desk["other"].template_id)
    assert desk["mine"].number not in shown(client, template=desk["other"].template_id)


def test_filter_by_priority(client, agent, desk):
    client.force_login(agent)
    assert shown(client, priority="critical") == {desk["other"].number}


def test_filter_by_customer_kind(client, agent, desk):
    client.force_login(agent)
    assert shown(client, customer_kind=CustomerKind.REGISTRY) == {desk["other"].number}


def test_filter_by_created_and_updated_dates(client, agent, desk):
    old = desk["mine"]
    long_ago = timezone.now() - timedelta(days=40)
    Incident.objects.filter(pk=old.pk).update(created_at=long_ago, updated_at=long_ago)
    client.force_login(agent)
    day = timezone.localdate(long_ago).isoformat()
    assert shown(client, created_after=day, created_before=day) == {old.number}
    assert shown(client, updated_before=day) == {old.number}
    assert old.number not in shown(client, updated_after=timezone.localdate().isoformat())


def test_advanced_search_by_number_in_any_form(client, agent, desk):
    client.force_login(agent)
    number = desk["other"].number
    digits = str(int(number[3:]))
    for typed in (number, number.lower(), f"inc {digits}", digits):
        assert shown(client, number=typed) == {number}, typed


def test_advanced_search_by_customer_name_without_accents(client, agent):
    customer = CustomerFactory(first_name="Íñigo", surnames="Gómez Peña")
    ticket = make_incident(user=agent, customer=customer)
    make_incident(user=agent)
    client.force_login(agent)
    assert shown(client, customer="gomez") == {ticket.number}
    assert shown(client, customer="PENA inigo") == {ticket.number}
    assert shown(client, customer=customer.tax_id.lower()) == {ticket.number}
    assert shown(client, customer=customer.email.upper()) == {ticket.number}


@pytest.mark.parametrize("query", ["garcia", "raul garcia", "garcía 0", "nunez", "xyz"])
def test_a_common_name_filters_the_same_tickets_as_a_rare_one(client, agent, monkeypatch, query):
    """Past MANY_NAME_MATCHES customers the console walks its own order and
    tests each ticket (SQLite): the same tickets, in the same order."""
    for index, name in enumerate(["Ana", "Raúl", "Eva", "Luis"] * 2):
        customer = CustomerFactory(first_name=name, surnames=f"García {index:02d}")
        make_incident(user=agent, customer=customer)
    make_incident(user=agent, customer=CustomerFactory(first_name="Zoe", surnames="Núñez"))
    client.force_login(agent)

    def listed() -> list[str]:
        response = client.get(INCIDENTS, {"f": "1", "customer": query})
        assert response.status_code == 200
        return numbers(response)

    rare = listed()
    monkeypatch.setattr(customer_selectors, "MANY_NAME_MATCHES", 2)
    assert listed() == rare
    expected = {"garcia": 8, "raul garcia": 2, "garcía 0": 8, "nunez": 1, "xyz": 0}[query]
    assert len(rare) == expected
    # Pages of one: every first page but the last is counted, the count
    # written for a COUNT (the key's index; PostgreSQL's LIKE first).
    monkeypatch.setattr(pagination, "PAGE_SIZE", 1)
    counted = client.get(INCIDENTS, {"f": "1", "customer": query}).context["count"]
    assert counted == expected


def test_advanced_search_by_text_tier_service_and_source(client, agent, desk):
    client.force_login(agent)
    other = desk["other"]
    assert shown(client, text="LIBRO DIARIO") == {other.number}
    assert other.number in shown(client, tier=other.operational_tier_1[:5].lower())
    if other.service:
        assert other.number in shown(client, service=other.service[:4].upper())
    assert shown(client, reported_source=ReportedSource.EMAIL) == {other.number}


def test_the_advanced_search_is_titled_per_kind(client, agent):
    client.force_login(agent)
    assert "Buscar incidencias" in client.get(INCIDENTS).content.decode()
    assert "Buscar órdenes de trabajo" in client.get(WORK_ORDERS).content.decode()


def test_work_order_console_lists_work_orders_with_their_statuses(client, agent):
    order = make_work_order(user=agent, assignee=agent)
    make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    response = client.get(WORK_ORDERS)
    assert numbers(response) == [order.number]
    choices = dict(response.context["filterset"].form.fields["status"].choices)
    assert "completed" in choices and "resolved" not in choices
    assert "Nombre de grupo de soporte" in response.content.decode()


# --- bad input ---------------------------------------------------------------


def test_invalid_filters_are_explained_in_spanish_and_kept(client, agent):
    make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    response = client.get(
        INCIDENTS, {"f": "1", "status": "bogus", "created_after": "ayer", "customer": "gómez"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Algunos filtros no son válidos" in html
    assert "Escoja una opción válida" in html
    assert "Introduzca una fecha válida" in html
    assert 'value="ayer"' in html and 'value="gómez"' in html
    assert numbers(response) == []


def test_unknown_sort_falls_back_to_the_default(client, agent):
    ticket = make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    response = client.get(INCIDENTS, {"o": "; DROP TABLE"})
    assert response.status_code == 200 and numbers(response) == [ticket.number]


def test_a_tampered_page_link_shows_the_first_page(client, agent):
    ticket = make_incident(user=agent, assignee=agent)
    client.force_login(agent)
    for cursor in ("%%%", "bm90IGpzb24", "WzEsMiwzXQ", "WyJ4IiwiMSJd"):
        response = client.get(INCIDENTS, {"f": "1", "after": cursor})
        assert response.status_code == 200
        assert numbers(response) == [ticket.number]
        assert "El enlace de página no es válido" in response.content.decode()


def test_each_filter_form_has_fields_of_its_own(agent, rf):
    """The forms share their fields' lists and querysets, not what a form
    changes: the choices shown, the labels of instances, the widget's attributes."""
    request = rf.get(INCIDENTS)
    request.user = agent
    first, second = (IncidentFilterSet(QueryDict("f=1"), request=request).form for _ in range(2))
    shown = list(second.fields["assignee"].choices)

    show_choices(first.fields["assignee"], [("0", "Nadie")])
    first.fields["assignee"].label_from_instance = str
    first.fields["status"].widget.attrs["data-changed"] = "1"

    assert list(second.fields["assignee"].choices) == shown != [("0", "Nadie")]
    assert second.fields["assignee"].label_from_instance is not str
    assert "data-changed" not in second.fields["status"].widget.attrs
