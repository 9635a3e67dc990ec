"""Customers: Spanish tax ids, normalisation, uniqueness and FLEI codes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.forms import CustomerForm
from customers.models import Customer, CustomerKind
from customers.services import customer_create, customer_update
from customers.tests.factories import CustomerFactory, customer_form_data
from customers.validators import compact_tax_id, normalise_tax_id


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("12.345.678-z", "12345678Z"),  # NIF (DNI)
        (" x-1234567-l ", "X1234567L"),  # NIE
        ("b-1234567-4", "B12345674"),  # CIF
        ("A58818501", "A58818501"),
        ("", ""),
    ],
)
def test_tax_ids_are_validated_and_normalised(typed, stored):
    assert normalise_tax_id(typed) == stored


def test_compacting_keeps_only_letters_and_digits():
    assert compact_tax_id("12.345.678-z") == "12345678Z"


def test_a_wrong_check_letter_is_refused_in_spanish():
    with pytest.raises(ValidationError) as error:
        normalise_tax_id("12.345.678-A")

    assert error.value.messages == [
        "La letra o el dígito de control de «12.345.678-A» no es correcto."
    ]


@pytest.mark.parametrize("typed", ["ABC", "1234", "Z99999999999"])
def test_something_that_is_no_tax_id_is_refused_in_spanish(typed):
    with pytest.raises(ValidationError) as error:
        normalise_tax_id(typed)

    assert error.value.messages == [f"«{typed}» no es un NIF, NIE ni CIF válido."]


def test_the_service_stores_the_normalised_customer(db):
    customer = customer_create(
        kind=CustomerKind.SUBSCRIBER,
        first_name=" Begoña ",
        surnames="Núñez Peña",
        tax_id="12.345.678-z",
        email=" Begona.Nunez@Example.COM ",
        phones=[("", "600 11 22 33")],
        flei_code=" fl123456 ",
    )

    customer.refresh_from_db()
    assert customer.first_name == "Begoña"
    assert customer.tax_id == "12345678Z"
    assert customer.email == "begona.nunez@example.com"
    assert [(p.kind, p.number, p.e164) for p in customer.phones.all()] == [
        ("mobile", "600 11 22 33", "+34600112233")
    ]
    assert customer.flei_code == "FL123456"
    assert customer.search_name == "nunez pena begona"
    assert str(customer) == "Begoña Núñez Peña"


def test_the_service_refuses_an_invalid_tax_id(db):
    with pytest.raises(ValidationError) as error:
        CustomerFactory(tax_id="12345678A")

    assert error.value.message_dict["tax_id"] == [
        "La letra o el dígito de control de «12345678A» no es correcto."
    ]
    assert not Customer.objects.exists()


def test_a_tax_id_belongs_to_one_customer_only(db):
    holder = CustomerFactory(first_name="Ana", surnames="García", tax_id="12345678Z")

    with pytest.raises(ValidationError) as error:
        CustomerFactory(tax_id="12.345.678-z")

    assert error.value.message_dict["tax_id"] == [
        "El cliente Ana García ya tiene el CIF/NIF 12345678Z."
    ]
    assert Customer.objects.get() == holder


def test_the_database_refuses_a_duplicate_tax_id(db):
    CustomerFactory(tax_id="12345678Z")

    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(kind=CustomerKind.CITIZEN, first_name="Otro", tax_id="12345678Z")


def test_many_customers_may_have_no_tax_id(db):
    CustomerFactory(tax_id="")
    CustomerFactory(tax_id="")

    assert Customer.objects.filter(tax_id="").count() == 2


def test_updating_a_customer_keeps_its_own_tax_id_but_not_anothers(db):
    customer = CustomerFactory(tax_id="12345678Z")
    other = CustomerFactory()

    customer_update(customer=customer, phones=[("", "+34 911 222 333")], tax_id="12345678z")
    with pytest.raises(ValidationError):
        customer_update(customer=other, tax_id="12345678Z")

    customer.refresh_from_db()
    assert [(p.kind, p.e164) for p in customer.phones.all()] == [("landline", "+34911222333")]


@pytest.mark.parametrize("kind", [CustomerKind.CITIZEN, CustomerKind.REGISTRY])
def test_only_subscribers_have_a_flei_code(db, kind):
    with pytest.raises(ValidationError) as error:
        CustomerFactory(kind=kind, flei_code="FL1")

    assert error.value.message_dict["flei_code"] == [
        "Solo los usuarios abonados tienen código FLEI."
    ]


def test_the_database_refuses_a_flei_code_outside_subscribers(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(kind=CustomerKind.CITIZEN, first_name="Ana", flei_code="FL1")


def test_the_customer_kinds_read_as_the_campaign_calls_them():
    assert [str(label) for label in CustomerKind.labels] == [
        "Registro o CORPME (ISSI)",
        "Usuario Abonado",
        "Ciudadano (No Abonado)",
    ]


# --- the form ---------------------------------------------------------------------


def form_data(**overrides: str) -> dict:
    typed = {
        "kind": CustomerKind.SUBSCRIBER,
        "first_name": "Íñigo",
        "surnames": "Castaño Romero",
        "tax_id": "12.345.678-z",
        "email": "Inigo@Example.com",
        "phones": "600 000 001\nCentralita: 91 555 01 00",
        "flei_code": "fl9",
    }
    return customer_form_data(**{**typed, **overrides})


def test_the_form_normalises_what_the_agent_typed(db):
    form = CustomerForm(data=form_data())

    assert form.is_valid(), form.errors
    assert form.cleaned_data["tax_id"] == "12345678Z"
    assert form.cleaned_data["email"] == "inigo@example.com"
    assert form.cleaned_data["phones"] == [("", "600 000 001"), ("switchboard", "91 555 01 00")]
    assert form.cleaned_data["flei_code"] == "FL9"


def test_the_form_shows_a_bad_tax_id_in_spanish_and_keeps_what_was_typed(db):
    form = CustomerForm(data=form_data(tax_id="12.345.678-A", phones="600-ABC"))

    assert not form.is_valid()
    assert form.errors["tax_id"] == [
        "La letra o el dígito de control de «12.345.678-A» no es correcto."
    ]
    assert form.errors["phones"] == ["«600-ABC» no es un número de teléfono válido."]
    html = form.as_div()
    assert 'value="12.345.678-A"' in html
    assert 'value="Íñigo"' in html
    assert "\n600-ABC</textarea>" in html


def test_the_form_refuses_a_tax_id_already_taken(db):
    CustomerFactory(first_name="Ana", surnames="García", tax_id="12345678Z")

    form = CustomerForm(data=form_data())

    assert not form.is_valid()
    assert form.errors["tax_id"] == ["El cliente Ana García ya tiene el CIF/NIF 12345678Z."]


def test_the_form_accepts_the_customers_own_tax_id_on_edit(db):
    customer = CustomerFactory(tax_id="12345678Z", kind=CustomerKind.SUBSCRIBER)

    form = CustomerForm(data=form_data(), instance=customer)

    assert form.is_valid(), form.errors


def test_the_form_refuses_a_flei_code_for_a_citizen(db):
    form = CustomerForm(data=form_data(kind=CustomerKind.CITIZEN))

    assert not form.is_valid()
    assert form.errors["flei_code"] == ["Solo los usuarios abonados tienen código FLEI."]
    assert 'value="fl9"' in form.as_div()
