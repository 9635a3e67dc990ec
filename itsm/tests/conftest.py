import pytest

from itsm.tests.desk import Desk, make_role_users


@pytest.fixture
def users(reference, django_user_model) -> dict:
    return make_role_users(django_user_model)


@pytest.fixture
def desk(users, settings, tmp_path) -> Desk:
    """Real objects of every kind, their files in this test's own folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Desk(users)
