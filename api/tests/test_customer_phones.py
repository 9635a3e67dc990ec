"""Phones through the API: listed with each customer, written as the forms
write them (any spelling, the kind optional), refused in Spanish."""

from django.urls import reverse

from api.tests.conftest import token_client
from customers.tests.factories import CustomerFactory


def test_the_api_creates_lists_and_replaces_phones(agent, admin_user):
    api = token_client(agent)
    response = api.post(
        reverse("api:customers"),
        {
            "kind": "citizen",
            "first_name": "Lucía",
            "phones": [{"number": "612/34.56.78"}, {"kind": "switchboard", "number": "915550100"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["phones"] == [
        {"kind": "mobile", "number": "612/34.56.78", "e164": "+34612345678"},
        {"kind": "switchboard", "number": "915550100", "e164": "+34915550100"},
    ]
    found = api.get(reverse("api:customers"), {"q": "0034 612 345 678"}).json()
    assert [row["first_name"] for row in found] == ["Lucía"]

    url = reverse("api:customer", args=[response.json()["id"]])
    changed = token_client(admin_user).patch(
        url, {"phones": [{"kind": "landline", "number": "+34 961 23 45 67"}]}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert [p["e164"] for p in api.get(url).json()["phones"]] == ["+34961234567"]


def test_a_bad_phone_is_refused_in_spanish(agent):
    response = token_client(agent).post(
        reverse("api:customers"),
        {"kind": "citizen", "first_name": "Eva", "phones": [{"number": "612 34"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["phones"] == ["«612 34» no es un número de teléfono válido."]


def test_a_customer_without_phones_lists_none(agent):
    customer = CustomerFactory(phone="", phones=[])
    body = token_client(agent).get(reverse("api:customer", args=[customer.pk])).json()
    assert body["phones"] == []
