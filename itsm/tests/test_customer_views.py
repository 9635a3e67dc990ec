"""Customer look-up (*Consultar cliente*) and inline creation from the
new-ticket page."""

import pytest
from django.urls import reverse

from customers.models import Customer, CustomerKind
from customers.selectors import customer_search
from customers.tests.factories import CustomerFactory, customer_form_data
from itsm.tests.factories import make_incident


def create_data(**extra: str) -> dict:
    """The inline creation form of the new-ticket page, as a citizen typed in."""
    return (
        customer_form_data(
            "customer",
            kind=CustomerKind.CITIZEN,
            first_name="Lucía",
            surnames="Fernández Núñez",
            email="lucia@example.com",
            phones="699 000 111",
        )
        | extra
    )


def test_anonymous_user_is_sent_to_login(client, gomez):
    for response in (
        client.get(reverse("customers:lookup"), {"q": "gomez"}),
        client.get(reverse("customers:pick", args=[gomez.pk])),
        client.post(reverse("customers:create"), create_data()),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_user_without_role_is_refused(client, gomez, outsider):
    client.force_login(outsider)
    assert client.get(reverse("customers:lookup"), {"q": "gomez"}).status_code == 403
    assert client.get(reverse("customers:pick", args=[gomez.pk])).status_code == 403
    assert client.post(reverse("customers:create"), create_data()).status_code == 403
    assert not Customer.objects.filter(first_name="Lucía").exists()


def test_create_accepts_post_only(client, agent):
    client.force_login(agent)
    assert client.get(reverse("customers:create")).status_code == 405


@pytest.mark.parametrize(
    "query",
    [
        "gomez",
        "GÓMEZ",
        "gomez ana",
        "ana",
        "12.345.678-z",
        "12345678z",
        "ana.gomez@example.com",
        "600 123 456",
        "García",
    ],
)
def test_lookup_finds_the_customer_in_any_format(gomez, query):
    CustomerFactory(first_name="Otro", surnames="Pérez")
    assert customer_search(query) == [gomez]


def test_lookup_ignores_inactive_customers_and_too_short_queries(gomez):
    gomez.active = False
    gomez.save()
    assert customer_search("gomez") == []
    assert customer_search("g") == []


def test_lookup_returns_a_keyboard_pickable_list(client, agent, gomez):
    client.force_login(agent)
    response = client.get(reverse("customers:lookup"), {"q": "gomez"})
    html = response.content.decode()
    assert "Gómez García" in html
    assert "data-customer-result" in html
    assert f'hx-get="{reverse("customers:pick", args=[gomez.pk])}"' in html


def test_lookup_without_match_offers_to_create(client, agent):
    client.force_login(agent)
    html = client.get(reverse("customers:lookup"), {"q": "zzzz"}).content.decode()
    assert "Ningún cliente coincide con «zzzz»." in html
    assert "Crear cliente" in html


def test_picking_fills_the_ticket_form_and_shows_open_tickets(client, agent, gomez):
    ticket = make_incident(user=agent, customer=gomez)
    client.force_login(agent)
    html = client.get(reverse("customers:pick", args=[gomez.pk])).content.decode()
    assert f'name="customer" value="{gomez.pk}" form="ticket-form"' in html
    assert gomez.email in html
    assert ticket.number in html


def test_create_inline_returns_the_new_customer_as_picked(client, agent):
    client.force_login(agent)
    response = client.post(reverse("customers:create"), create_data())
    customer = Customer.objects.get(first_name="Lucía")
    assert [phone.e164 for phone in customer.phones.all()] == ["+34699000111"]
    assert customer.search_name == "fernandez nunez lucia"
    html = response.content.decode()
    assert 'id="customer-picked" hx-swap-oob="innerHTML"' in html
    assert f'name="customer" value="{customer.pk}" form="ticket-form"' in html
    assert "Cliente Lucía Fernández Núñez creado." in html
    assert 'id="customer-create-form"' in html


def test_bad_customer_comes_back_in_spanish_with_the_input_kept(client, agent, gomez):
    client.force_login(agent)
    data = create_data(
        **{
            "customer-first_name": "",
            "customer-tax_id": "12.345.678-Z",
            "customer-email": "no-es-un-correo",
            "customer-flei_code": "FL123",
        }
    )
    response = client.post(reverse("customers:create"), data)
    form = response.context["customer_form"]
    assert form.errors["first_name"] == ["Este campo es obligatorio."]
    assert "Gómez García" in form.errors["tax_id"][0]
    assert form.errors["email"] == ["Introduzca una dirección de correo electrónico válida."]
    assert form.errors["flei_code"]
    html = response.content.decode()
    assert "Fernández Núñez" in html
    assert "no-es-un-correo" in html
    assert Customer.objects.count() == 1


def test_lookup_runs_a_fixed_number_of_queries(client, agent, django_assert_max_num_queries):
    for index in range(15):
        CustomerFactory(surnames=f"Gómez {index}")
    client.force_login(agent)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("customers:lookup"), {"q": "gomez"})
    assert response.content.decode().count("data-customer-result") == 10
