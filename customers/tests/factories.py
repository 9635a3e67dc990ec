import factory
from stdnum.es import dni

from customers.models import Customer, CustomerKind
from customers.services import customer_create


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
