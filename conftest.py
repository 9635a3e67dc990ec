"""Fixtures every app's tests share: reference data and one user per role."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from itsm import reference_data
from itsm.common.pagination import forget_past_cap
from itsm.common.permissions import AGENTS_GROUP, COORDINATORS_GROUP
from itsm.filters import forget_at_risk
from itsm.models import SupportGroup
from itsm.reference_cache import forget_local_lists
from notifications.tests.live import RedisServer, ServiceUnavailable


def services_required() -> bool:
    """In CI a test whose service (PostgreSQL, Redis, SMTP, browser) is missing
    fails instead of skipping."""
    return os.environ.get("CI", "").lower() == "true" or bool(
        os.environ.get("ITSM_REQUIRE_SERVICES")
    )


def missing_service(reason: str) -> None:
    if services_required():
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def start_service(service):
    """Start a live service (a worker, an SMTP sink…), or skip without it."""
    try:
        return service.start()
    except ServiceUnavailable as error:
        missing_service(str(error))


@pytest.fixture
def redis(tmp_path):
    """A redis-server of the test's own, on loopback."""
    try:
        server = RedisServer(tmp_path)
    except ServiceUnavailable as error:
        missing_service(str(error))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Django's default hasher spends half a second per user on purpose; tests
    create many users and check nothing about the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """The forms' option lists live in the cache, and each process remembers
    the lists past the count's cap and the tickets about to breach: each
    test starts without another test's rows (the database is rolled back,
    the cache is not)."""
    cache.clear()
    forget_local_lists()
    forget_past_cap()
    forget_at_risk()
    yield
    cache.clear()
    forget_local_lists()
    forget_past_cap()
    forget_at_risk()


@pytest.fixture(autouse=True)
def default_language():
    """A request leaves its language active in the thread (LocaleMiddleware never
    resets it), so a test that switches to English would leak into the next."""
    yield
    translation.deactivate()


@pytest.fixture
def private_media(settings, tmp_path) -> Path:
    """Uploaded and held files go to this test's own folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def reference(db) -> None:
    """Reference data as the migration loads it (transactional tests flush it)."""
    reference_data.load()
    reference_data.load_registros_mercantiles()
    reference_data.load_sla()


def _make_user(django_user_model, username: str, *, groups=(), support_groups=(), **extra):
    user = django_user_model.objects.create_user(
        username=username,
        password="test-password-123",
        first_name=username.capitalize(),
        email=f"{username}@registradores.example",
        **extra,
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for name in support_groups:
        SupportGroup.objects.get(name=name).members.add(user)
    return user


# One user per role; the access matrix adds an L2 specialist to these.
ROLE_USERS = {
    "no role": {"username": "ajeno"},
    "agent": {
        "username": "agente",
        "groups": [AGENTS_GROUP],
        "support_groups": ["L1 CAMPAÑA LIBROS/CUENTAS"],
    },
    "another agent": {
        "username": "agente2",
        "groups": [AGENTS_GROUP],
        "support_groups": ["L1 CAMPAÑA LIBROS/CUENTAS"],
    },
    "coordinator": {
        "username": "coordinador",
        "groups": [COORDINATORS_GROUP],
        "support_groups": ["L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS"],
    },
    "admin": {"username": "admin", "is_staff": True, "is_superuser": True},
}


def make_role_user(django_user_model, role: str):
    spec = dict(ROLE_USERS[role])
    return _make_user(django_user_model, spec.pop("username"), **spec)


def role_user_fixture(role: str, doc: str = ""):
    """A fixture giving the user of ``role`` (ROLE_USERS), made for the test."""

    def fixture(reference, django_user_model):
        return make_role_user(django_user_model, role)

    fixture.__doc__ = doc or f"The {role}."
    return pytest.fixture(fixture)


agent = role_user_fixture("agent")
other_agent = role_user_fixture("another agent")
coordinator = role_user_fixture("coordinator")
admin_user = role_user_fixture("admin")
outsider = role_user_fixture("no role", "Logged in, but in no role.")
