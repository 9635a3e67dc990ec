"""Customers (the magnifier's matching, create, update by admins) and the
read-only reference data."""

import pytest
from django.urls import reverse

from api.tests.conftest import token_client
from customers.models import Customer
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_search_finds_by_nif_in_any_format_and_by_name_without_accents(api):
    customer = CustomerFactory(first_name="Raúl", surnames="Núñez Pérez", tax_id="12345678Z")
    CustomerFactory(first_name="Ana", surnames="García")
    for query in ("12.345.678-z", "12345678 Z", "raul nunez", "NÚÑEZ"):
        found = api.get(reverse("api:customers"), {"q": query}).json()
        assert [row["id"] for row in found] == [customer.pk], query
    assert api.get(reverse("api:customers"), {"q": "x"}).json() == []
    assert api.get(reverse("api:customers"), {"q": "a\x00b"}).status_code == 400


def test_create_uses_the_service_and_its_messages(api):
    response = api.post(
        reverse("api:customers"),
        {"kind": "citizen", "first_name": "  Lucía ", "tax_id": "12.345.678-z"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["tax_id"] == "12345678Z"
    assert response.json()["first_name"] == "Lucía"
    taken = api.post(
        reverse("api:customers"),
        {"kind": "citizen", "first_name": "Otra", "tax_id": "12345678Z"},
        format="json",
    )
    assert taken.status_code == 400
    assert taken.json()["errors"]["tax_id"] == ["El cliente Lucía ya tiene el CIF/NIF 12345678Z."]
    flei = api.post(
        reverse("api:customers"),
        {"kind": "citizen", "first_name": "X", "flei_code": "F1"},
        format="json",
    )
    assert flei.status_code == 400
    assert "flei_code" in flei.json()["errors"]


def test_only_admins_change_a_customer_as_in_the_pages(api, admin_user):
    customer = CustomerFactory(first_name="Ana")
    url = reverse("api:customer", args=[customer.pk])
    assert api.get(url).json()["first_name"] == "Ana"
    assert api.patch(url, {"first_name": "Eva"}, format="json").status_code == 403
    admin = token_client(admin_user)
    changed = admin.patch(url, {"first_name": "Eva", "email": "EVA@Example.org"}, format="json")
    assert changed.status_code == 200, changed.json()
    customer.refresh_from_db()
    assert (customer.first_name, customer.email) == ("Eva", "eva@example.org")
    assert api.get(reverse("api:customer", args=[2**62])).status_code == 404
    assert api.get(reverse("api:customer", args=[2**70])).status_code == 404
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("name", ["groups", "templates", "reasons", "sla_targets"])
def test_reference_data_is_read_only(api, name):
    url = reverse(f"api:{name}")
    rows = api.get(url).json()
    assert rows and "id" in rows[0]
    assert api.post(url, {}, format="json").status_code == 405
