from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customers.models import CUSTOMER_FIELDS, Customer
from customers.validators import normalise_tax_id
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
    customer.phone = "".join(customer.phone.split())
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
    phone: str = "",
    flei_code: str = "",
) -> Customer:
    customer = Customer(
        kind=kind,
        first_name=first_name,
        surnames=surnames,
        organisation=organisation,
        tax_id=tax_id,
        email=email,
        phone=phone,
        flei_code=flei_code,
    )
    _normalise(customer)
    _check_tax_id_free(customer)
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, **fields) -> Customer:
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
    return customer
