import pytest

from customers.tests.factories import CustomerFactory
from itsm.tests.desk import Desk, make_role_users


@pytest.fixture
def users(reference, django_user_model) -> dict:
    return make_role_users(django_user_model)


@pytest.fixture
def desk(users, settings, tmp_path) -> Desk:
    """Real objects of every kind, their files in this test's own folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Desk(users)


@pytest.fixture
def gomez(reference):
    """A customer to look up by name, surnames, CIF/NIF, e-mail or phone."""
    return CustomerFactory(
        first_name="Ana María",
        surnames="Gómez García",
        tax_id="12345678Z",
        email="ana.gomez@example.com",
        phone="600 123 456",
    )


@pytest.fixture
def garcia(reference):
    """A customer whose duplicate tickets get merged."""
    return CustomerFactory(first_name="Ana", surnames="García López")
