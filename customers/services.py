from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import AGENT_NOTE_MAX_LENGTH, CUSTOMER_FIELDS, Customer, CustomerPhone
from customers.validators import PhoneEntry, normalise_phone_entries, normalise_tax_id
from itsm.common.text import fold

EDITABLE_FIELDS = (*CUSTOMER_FIELDS, "active")


def _normalise(customer: Customer) -> None:
    customer.first_name = customer.first_name.strip()
    customer.surnames = customer.surnames.strip()
    customer.organisation = customer.organisation.strip()
    try:
        customer.tax_id = normalise_tax_id(customer.tax_id)
    except ValidationError as error:
        # Attached to the field, so a form shows it next to what was typed.
        raise ValidationError({"tax_id": error.error_list}) from None
    customer.email = customer.email.strip().lower()
    customer.flei_code = customer.flei_code.strip().upper()
    customer.search_name = customer_search_name(
        first_name=customer.first_name,
        surnames=customer.surnames,
        organisation=customer.organisation,
    )


def customer_search_name(*, first_name: str, surnames: str, organisation: str) -> str:
    """What the name search compares: surnames first, accents and case folded."""
    return fold(" ".join((surnames, first_name, organisation)))


def _check_tax_id_free(customer: Customer) -> None:
    """The unique constraint would only say "constraint violated"; say who has it."""
    if not customer.tax_id:
        return
    holder = Customer.objects.filter(tax_id=customer.tax_id).exclude(pk=customer.pk).first()
    if holder is not None:
        raise ValidationError(
            {
                "tax_id": _("The customer %(name)s already has the tax id %(tax_id)s.")
                % {"name": holder.full_name, "tax_id": customer.tax_id}
            },
            code="tax_id_taken",
        )


@transaction.atomic
def customer_create(
    *,
    kind: str,
    first_name: str,
    surnames: str = "",
    organisation: str = "",
    tax_id: str = "",
    email: str = "",
    phones: Sequence[PhoneEntry] = (),
    flei_code: str = "",
) -> Customer:
    customer = Customer(
        kind=kind,
        first_name=first_name,
        surnames=surnames,
        organisation=organisation,
        tax_id=tax_id,
        email=email,
        flei_code=flei_code,
    )
    _normalise(customer)
    entries = normalise_phone_entries(phones)
    _check_tax_id_free(customer)
    customer.full_clean()
    customer.save()
    _save_phones(customer, entries)
    return customer


def _save_phones(customer: Customer, entries: list[CustomerPhone]) -> None:
    for entry in entries:
        entry.customer = customer
    CustomerPhone.objects.bulk_create(entries)
    summary = phones_summary(entries)
    if summary != customer.phones_summary:
        customer.phones_summary = summary
        customer.save(update_fields=["phones_summary"])


def phones_summary(phones: list[CustomerPhone]) -> str:
    """``612 34 56 78 · 915 55 01 00``: numbers only (the kinds are words,
    rendered when read, on the customer page)."""
    summary = " · ".join(phone.display for phone in phones)
    return summary if len(summary) <= 200 else summary[:199] + "…"


@transaction.atomic
def customer_phones_set(*, customer: Customer, phones: Sequence[PhoneEntry]) -> None:
    """Replace the customer's phones with ``phones`` (kind, number as typed);
    raises a ValidationError on ``phones`` naming the first unreadable one."""
    entries = normalise_phone_entries(phones)
    customer.phones.all().delete()
    _save_phones(customer, entries)


@transaction.atomic
def customer_note_set(*, customer: Customer, note: str) -> Customer:
    """The note agents keep about the customer: text as typed."""
    note = note.strip()
    if len(note) > AGENT_NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "agent_note": _("A note has at most %(max)d characters.")
                % {"max": AGENT_NOTE_MAX_LENGTH}
            },
            code="note_too_long",
        )
    customer.agent_note = note
    customer.save(update_fields=["agent_note"])
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, phones: Sequence[PhoneEntry] | None = None, **fields
) -> Customer:
    """Change the fields given; ``phones`` given replaces every phone."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"customer_update() got unexpected fields: {sorted(unknown)}")
    previous_email = customer.email
    for name, value in fields.items():
        setattr(customer, name, value)
    _normalise(customer)
    if customer.email != previous_email:
        # A new address has not failed yet.
        customer.email_failing_since = None
        customer.email_failure = ""
    _check_tax_id_free(customer)
    customer.full_clean()
    customer.save()
    if phones is not None:
        customer_phones_set(customer=customer, phones=phones)
    return customer
