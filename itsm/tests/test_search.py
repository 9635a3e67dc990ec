"""The magnifier: numbers in every form, names without accents, CIF/NIF in
any format, e-mail and phone; exact numbers jump to the ticket."""

import pytest
from django.db import connection
from django.urls import reverse

from customers.models import Customer, CustomerKind
from customers.services import customer_update
from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import Status
from itsm.search_selectors import global_search
from itsm.selectors import ticket_numbers
from itsm.tests.factories import make_incident, make_work_order
from workorders.models import WorkOrder

SEARCH = reverse("search")


def detail(ticket) -> str:
    return reverse(f"{ticket._meta.app_label}:detail", args=[ticket.number])


def found_customers(client, query: str) -> list[Customer]:
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200, response.get("Location")
    return [hit.customer for hit in response.context["results"].customers]


# --- access ------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client, reference):
    response = client.get(SEARCH, {"q": "gomez"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_role_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(SEARCH, {"q": "gomez"}).status_code == 403


def test_empty_search_explains_what_can_be_typed(client, agent):
    client.force_login(agent)
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert (
        "Escribe en el buscador un número de gestión (INC…, WO…, inc 1234 o solo las cifras)"
        in response.content.decode()
    )


# --- numbers -----------------------------------------------------------------


def test_number_forms_are_understood():
    assert [n for _, n in ticket_numbers("INC000000001234")] == ["INC000000001234"]
    assert [n for _, n in ticket_numbers("inc 1234")] == ["INC000000001234"]
    assert [n for _, n in ticket_numbers("Wo-1234")] == ["WO0000000001234"]
    assert [n for _, n in ticket_numbers("1234")] == ["INC000000001234", "WO0000000001234"]
    assert ticket_numbers("gomez") == [] and ticket_numbers("inc") == []
    # Longer than an incident number: only a work order can have it.
    assert [n for _, n in ticket_numbers("1234567890123")] == ["WO1234567890123"]


@pytest.mark.parametrize(
    "form", ["{number}", "{lower}", "inc {digits}", "INC{digits}", " inc  {digits} "]
)
def test_an_exact_incident_number_jumps_to_the_ticket(client, agent, form):
    ticket = make_incident(user=agent)
    client.force_login(agent)
    digits = str(int(ticket.number[3:]))
    query = form.format(number=ticket.number, lower=ticket.number.lower(), digits=digits)
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 302
    assert response.url == detail(ticket)


def test_an_exact_work_order_number_jumps_to_the_ticket(client, agent):
    order = make_work_order(user=agent)
    client.force_login(agent)
    digits = str(int(order.number[2:]))
    for query in (order.number, f"wo {digits}", f"WO{digits}"):
        response = client.get(SEARCH, {"q": query})
        assert response.status_code == 302 and response.url == detail(order), query


def test_bare_digits_list_both_kinds(client, agent):
    incident = make_incident(user=agent)
    order = make_work_order(user=agent)
    assert int(incident.number[3:]) == int(order.number[2:])
    client.force_login(agent)
    response = client.get(SEARCH, {"q": str(int(incident.number[3:]))})
    assert response.status_code == 200
    results = response.context["results"]
    assert {t.number for t in results.tickets} == {incident.number, order.number}
    html = response.content.decode()
    assert incident.number in html and order.number in html


def test_bare_digits_of_a_single_ticket_jump_to_it(client, agent):
    incident = make_incident(user=agent)
    make_incident(user=agent)
    client.force_login(agent)
    response = client.get(SEARCH, {"q": str(int(incident.number[3:]))})
    assert response.status_code == 302 and response.url == detail(incident)


def test_unknown_number_finds_nothing(client, agent):
    client.force_login(agent)
    response = client.get(SEARCH, {"q": "inc 99999"})
    assert response.status_code == 200
    assert "No se ha encontrado nada para «inc 99999»" in response.content.decode()


# --- customers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["gomez", "GÓMEZ", "Gómez", "gom", "garcia", "ana", "maria", "gomez ana", "ana gar"]
)
def test_name_and_surnames_match_without_accents_or_case(client, agent, gomez, query):
    CustomerFactory(first_name="Pedro", surnames="Martín López")
    client.force_login(agent)
    assert found_customers(client, query) == [gomez]


@pytest.mark.parametrize("query", ["omez", "arcia", "gomez pedro", "zzz"])
def test_only_word_starts_match(client, agent, gomez, query):
    client.force_login(agent)
    assert found_customers(client, query) == []


@pytest.mark.parametrize("query", ["nunez", "raul nunez", "Raúl Núñez"])
def test_customers_found_are_listed_by_name_for_one_word_or_several(client, agent, query):
    # Several words take another plan on PostgreSQL (customers.selectors.name_order).
    names = ["Núñez Zamora", "Núñez Abad", "Núñez Moreno"]
    created = [CustomerFactory(first_name="Raúl", surnames=name) for name in names]
    CustomerFactory(first_name="Raúl", surnames="Pérez Núñez")
    client.force_login(agent)
    found = [c for c in found_customers(client, query) if c.surnames.startswith("Núñez")]
    assert found == sorted(created, key=lambda c: c.search_name)


def test_organisation_is_searched_too(client, agent):
    registry = CustomerFactory(
        kind=CustomerKind.REGISTRY, first_name="Oficina", organisation="Registro Mercantil de Ávila"
    )
    client.force_login(agent)
    assert found_customers(client, "avila") == [registry]


@pytest.mark.parametrize("query", ["12345678Z", "12345678z", "12.345.678-Z", "12 345 678 z"])
def test_tax_id_in_any_format(client, agent, gomez, query):
    client.force_login(agent)
    assert found_customers(client, query) == [gomez]


@pytest.mark.parametrize("query", ["ana.gomez@example.com", "Ana.Gomez@Example.COM"])
def test_email_ignores_case(client, agent, gomez, query):
    client.force_login(agent)
    assert found_customers(client, query) == [gomez]


@pytest.mark.parametrize(
    "query", ["600123456", "600 123 456", "+34 600 123 456", "0034600123456", "600/12.34.56"]
)
def test_phone_in_any_spacing(client, agent, gomez, query):
    client.force_login(agent)
    assert found_customers(client, query) == [gomez]


def test_renamed_customer_is_found_by_the_new_name_only(client, agent, gomez):
    customer_update(customer=gomez, surnames="Núñez Ortega")
    client.force_login(agent)
    assert found_customers(client, "nunez") == [gomez]
    assert found_customers(client, "ortega") == [gomez]
    assert found_customers(client, "gomez") == []


def test_customers_come_with_their_open_tickets(client, agent, gomez):
    open_incident = make_incident(user=agent, customer=gomez)
    open_order = make_work_order(user=agent, customer=gomez)
    closed = make_incident(user=agent, customer=gomez)
    Incident.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    # Named here: a random surname may be Gómez too.
    someone_else = make_incident(user=agent, customer=CustomerFactory(surnames="Ruiz Soler"))
    client.force_login(agent)
    response = client.get(SEARCH, {"q": "gomez"})
    [hit] = response.context["results"].customers
    assert {t.number for t in hit.open_tickets} == {open_incident.number, open_order.number}
    html = response.content.decode()
    assert open_incident.number in html and open_order.number in html
    assert closed.number not in html and someone_else.number not in html


def test_many_matches_are_capped_with_a_hint(client, agent, monkeypatch):
    from itsm import search_selectors

    monkeypatch.setattr(search_selectors, "CUSTOMER_LIMIT", 2)
    for _ in range(3):
        CustomerFactory(surnames="Pérez")
    client.force_login(agent)
    response = client.get(SEARCH, {"q": "perez"})
    assert len(response.context["results"].customers) == 2
    assert "Solo se muestran las primeras coincidencias" in response.content.decode()


def test_number_and_customer_results_are_grouped(client, agent):
    customer = CustomerFactory(phone="612345678")
    ticket = make_incident(user=agent)
    make_work_order(user=agent)
    client.force_login(agent)
    # Digits that are both a (missing) ticket number and a phone.
    response = client.get(SEARCH, {"q": "612345678"})
    results = response.context["results"]
    assert results.tickets == [] and [h.customer for h in results.customers] == [customer]
    assert ticket.number not in response.content.decode()


def test_search_runs_a_fixed_number_of_queries(client, agent, django_assert_max_num_queries):
    client.force_login(agent)
    for count in (2, 12):
        while Customer.objects.filter(surnames="Gómez").count() < count:
            customer = CustomerFactory(surnames="Gómez")
            make_incident(user=agent, customer=customer)
            make_work_order(user=agent, customer=customer)
        with django_assert_max_num_queries(9):
            response = client.get(SEARCH, {"q": "gomez"})
        assert len(response.context["results"].customers) == count
        with django_assert_max_num_queries(8):
            client.get(SEARCH, {"q": "1"})


def test_number_search_is_one_query_per_kind(agent, django_assert_num_queries):
    make_incident(user=agent)
    with django_assert_num_queries(2):
        results = global_search("1")
    assert len(results.tickets) == 1
    with django_assert_num_queries(1):
        global_search("WO 1")
    assert WorkOrder.objects.count() == 0


def test_tax_id_search_uses_an_index(gomez):
    queryset = Customer.objects.filter(tax_id="12345678Z")
    if connection.vendor == "sqlite":
        assert "customer_tax_id_idx" in queryset.explain()
        return
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = queryset.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")
    assert "customer_tax_id_idx" in plan or "customer_unique_tax_id" in plan


def test_a_customer_with_many_open_tickets_shows_the_newest_and_a_count(
    client, agent, gomez, monkeypatch
):
    from itsm import search_selectors

    monkeypatch.setattr(search_selectors, "OPEN_TICKETS_SHOWN", 2)
    tickets = [make_incident(user=agent, customer=gomez) for _ in range(4)]
    client.force_login(agent)
    response = client.get(SEARCH, {"q": "gomez"})
    hit = response.context["results"].customers[0]
    assert [t.number for t in hit.open_tickets] == [tickets[3].number, tickets[2].number]
    assert "y 2 gestiones abiertas más" in response.content.decode()


def test_a_ticket_result_links_its_customer_to_their_page(client, agent, gomez):
    client.force_login(agent)
    make_incident(user=agent, customer=gomez)
    make_work_order(user=agent, customer=gomez)

    html = client.get(SEARCH, {"q": "1"}).content.decode()

    assert f'<a href="/customers/{gomez.pk}/">Ana María Gómez García</a>' in html


def test_a_customer_result_links_to_the_customer_page(client, agent, gomez):
    client.force_login(agent)
    html = client.get(SEARCH, {"q": "gomez"}).content.decode()
    assert f'<a href="/customers/{gomez.pk}/">Ana María Gómez García</a>' in html


def test_a_customer_card_says_who_they_are_with_every_value_escaped(client, agent):
    customer = CustomerFactory(
        kind=CustomerKind.SUBSCRIBER,
        first_name="<b>Eva</b>",
        surnames="Pardo & Hijos",
        organisation='Notaría "Pardo"',
        flei_code="959800ABCDEF12345678",
        phone="600 123 457",
    )
    Customer.objects.filter(pk=customer.pk).update(active=False)
    client.force_login(agent)
    html = client.get(SEARCH, {"q": "pardo"}).content.decode()
    assert "<b>Eva" not in html
    assert (
        f'<a href="/customers/{customer.pk}/">&lt;b&gt;Eva&lt;/b&gt; Pardo &amp; Hijos</a>'
        " · Notaría &quot;Pardo&quot;" in html
    )
    assert '<span class="badge text-bg-secondary">inactivo</span>' in html
    facts = f"Abonado · CIF/NIF {customer.tax_id} · {customer.email} · "
    assert facts in html
    assert "FLEI 959800ABCDEF12345678" in html
    assert "Sin gestiones abiertas." in html
