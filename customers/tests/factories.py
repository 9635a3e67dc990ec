import factory
from stdnum.es import dni

from customers.forms import CustomerForm
from customers.models import Customer, CustomerKind
from customers.services import customer_create

# One Spanish mobile as people and phone systems write it.
PHONE_SPELLINGS = [
    "+34 612 34 56 78",
    "+34612345678",
    "0034612345678",
    "0034 612 345 678",
    "34612345678",
    "612345678",
    "612 34 56 78",
    " 612 34 56 78 ",
    "612/34.56.78",
    "612-345-678",
    "612.345.678",
    " 612.34.56.78 ",
    "(+34) 612 345 678",
    "+34 (612) 34 56 78",
    "+34 (612) 34-56-78",
    "+34-612-34-56-78",
]


def valid_dni(n: int) -> str:
    number = f"{n % 100_000_000:08d}"
    return number + dni.calc_check_digit(number)


class CustomerFactory(factory.Factory):
    """Builds customers through the service, as the application does."""

    class Meta:
        model = Customer

    kind = CustomerKind.CITIZEN
    first_name = factory.Faker("first_name", locale="es_ES")
    surnames = factory.Faker("last_name", locale="es_ES")
    organisation = ""
    tax_id = factory.Sequence(lambda n: valid_dni(10_000_000 + n * 7919))
    email = factory.Sequence(lambda n: f"cliente{n}@example.com")
    # One mobile by default; ``phone=""`` for none, ``phones=[(kind, number)]``
    # for several.
    phone = factory.Sequence(lambda n: f"6{n:08d}")
    flei_code = ""

    @classmethod
    def _create(cls, model_class, **kwargs):
        phone = kwargs.pop("phone")
        kwargs.setdefault("phones", [("", phone)] if phone else [])
        return customer_create(**kwargs)


def customer_form_data(prefix: str = "", **fields: str) -> dict[str, str]:
    """What the customer form posts: every field, blank unless given, under
    the form's ``prefix`` when it has one."""
    data = {**dict.fromkeys(CustomerForm.base_fields, ""), **fields}
    return {f"{prefix}-{name}" if prefix else name: value for name, value in data.items()}
