"""Customers' phones: any spelling of a number is one number, a shared
switchboard names every customer who has it, bad input comes back in Spanish."""

import pytest
from django.core.exceptions import ValidationError

from customers.forms import CustomerForm, parse_phone_lines
from customers.models import CustomerKind, CustomerPhone, PhoneKind
from customers.selectors import customer_search, customers_by_phone
from customers.services import customer_phones_set
from customers.tests.factories import PHONE_SPELLINGS, CustomerFactory
from itsm.common.phones import display_phone, normalise_phone


@pytest.mark.parametrize("spelling", PHONE_SPELLINGS)
def test_every_spelling_normalises_to_one_e164_number(spelling):
    assert normalise_phone(spelling) == "+34612345678"


@pytest.mark.parametrize("text", ["", "12", "abc", "600-ABC", "6123456789", "+34 1", "9" * 60])
def test_what_is_not_a_number_normalises_to_none(text):
    assert normalise_phone(text) is None


def test_numbers_are_shown_national_at_home_and_international_abroad():
    assert display_phone("+34612345678") == "612 34 56 78"
    assert display_phone("+33123456789") == "+33 1 23 45 67 89"


@pytest.mark.parametrize("spelling", PHONE_SPELLINGS)
def test_a_customer_is_found_by_any_spelling_of_their_phone(db, spelling):
    customer = CustomerFactory(phone="612/34.56.78")
    CustomerFactory(phone="699 00 00 01")
    assert customers_by_phone(spelling) == [customer]
    assert customer_search(spelling) == [customer]


def test_the_number_is_kept_as_typed_and_the_kind_read_from_the_plan(db):
    customer = CustomerFactory(phones=[("", "612/34.56.78"), ("", "91 555 12 34")])
    phones = sorted(customer.phones.all(), key=lambda phone: phone.pk)
    assert [(p.kind, p.number, p.e164) for p in phones] == [
        (PhoneKind.MOBILE, "612/34.56.78", "+34612345678"),
        (PhoneKind.LANDLINE, "91 555 12 34", "+34915551234"),
    ]
    assert customer.phones_summary == "612 34 56 78 · 915 55 12 34"


def madrid_registry_clerk(first_name: str, surnames: str, phones: list[tuple]):
    return CustomerFactory(
        kind=CustomerKind.REGISTRY,
        organisation="Registro Mercantil de Madrid",
        first_name=first_name,
        surnames=surnames,
        phones=phones,
    )


def test_a_shared_switchboard_names_every_customer_who_has_it(db):
    switchboard = (PhoneKind.SWITCHBOARD, "91 555 01 00")
    first = madrid_registry_clerk("Luis", "Abad", [switchboard, ("", "612 00 00 01")])
    # The same switchboard, spelt otherwise.
    second = madrid_registry_clerk("Pilar", "Cano", [(PhoneKind.SWITCHBOARD, "+34 915 550 100")])
    CustomerFactory(phone="612 00 00 02")

    assert customers_by_phone("0034915550100") == [first, second]
    assert customers_by_phone("612 00 00 01") == [first]
    assert customers_by_phone("600 99 99 99") == []
    assert customers_by_phone("anonymous") == []


def test_a_customer_with_one_number_twice_is_found_once(db):
    customer = CustomerFactory(phones=[("", "612 34 56 78"), ("", "+34612345678")])
    assert CustomerPhone.objects.filter(customer=customer).count() == 1
    assert customers_by_phone("612345678") == [customer]


def test_setting_phones_replaces_them_all(db):
    customer = CustomerFactory(phone="612 34 56 78")
    customer_phones_set(customer=customer, phones=[(PhoneKind.LANDLINE, "91 555 12 34")])
    assert customers_by_phone("612345678") == []
    assert customers_by_phone("915551234") == [customer]
    customer.refresh_from_db()
    assert customer.phones_summary == "915 55 12 34"


def test_the_service_refuses_a_bad_number_in_spanish_quoting_it(db):
    customer = CustomerFactory(phone="612 34 56 78")
    with pytest.raises(ValidationError) as error:
        customer_phones_set(customer=customer, phones=[("", "612 34"), ("", "91 555 12 34")])
    assert error.value.message_dict["phones"] == ["«612 34» no es un número de teléfono válido."]
    # Nothing changed.
    assert customers_by_phone("612345678") == [customer]


def test_phone_lines_may_name_their_kind_in_spanish_or_english():
    assert parse_phone_lines("Centralita: 91 555 01 00\nmóvil: 612 34 56 78\n\n 600 11 22 33") == [
        (PhoneKind.SWITCHBOARD, "91 555 01 00"),
        (PhoneKind.MOBILE, "612 34 56 78"),
        ("", "600 11 22 33"),
    ]


def test_the_edit_form_shows_the_phones_with_their_kinds(db):
    customer = CustomerFactory(phones=[(PhoneKind.SWITCHBOARD, "915550100"), ("", "612345678")])
    form = CustomerForm(instance=customer)
    assert form["phones"].value() == "Centralita: 915 55 01 00\nMóvil: 612 34 56 78"


def test_the_admin_finds_a_customer_by_any_spelling_of_a_phone(client, admin_user):
    customer = CustomerFactory(first_name="Lucía", phone="612 34 56 78")
    CustomerFactory(first_name="Otra", phone="699 00 00 01")
    client.force_login(admin_user)
    response = client.get("/admin/customers/customer/", {"q": "0034612345678"})
    assert list(response.context["cl"].result_list) == [customer]
