import pytest
from django.contrib.auth.models import Group

from customers.tests.factories import CustomerFactory
from itsm.common.permissions import COORDINATORS_GROUP, DATA_PROTECTION_GROUP

# The person of every test: written in ways the desk meets them.
NAME, SURNAMES = "Eulalia", "Zubizarreta Quiñones"
TAX_ID = "47382910N"
EMAIL = "eulalia.zq@correo.example"
PHONE = "612345987"


@pytest.fixture
def data_protection(reference, django_user_model):
    """A coordinator who also has the data-protection role."""
    user = django_user_model.objects.create_user(
        username="dpd", password="test-password-123", first_name="Delegada"
    )
    user.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    user.groups.add(Group.objects.get(name=DATA_PROTECTION_GROUP))
    return user


@pytest.fixture
def person(reference):
    return CustomerFactory(
        first_name=NAME, surnames=SURNAMES, tax_id=TAX_ID, email=EMAIL, phone=PHONE
    )


@pytest.fixture
def someone_else(reference):
    return CustomerFactory(
        first_name="Bartolomé", surnames="Ferrándiz", email="bartolo@otro.example"
    )
