"""Logging in: throttled per user and address, the same words whether the
user exists or not, recorded, unlocked from the admin; passwords checked by
Django's validators; sessions end when idle; logout only by POST."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import _make_user

PASSWORD = "test-password-123"
LOCKED = "Demasiados intentos fallidos"


@pytest.fixture
def user(reference, django_user_model):
    return _make_user(django_user_model, "marta", groups=["Agentes"])


def log_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def alert(response) -> str:
    """The message the page shows (the rest differs by its CSRF token)."""
    text = response.content.decode()
    start = text.index('class="alert')
    return text[start : text.index("</div>", start)]


def fail(client, username: str, times: int, address: str = "10.0.0.1") -> list[int]:
    return [log_in(client, username, "wrong", address).status_code for _ in range(times)]


def test_five_failures_lock_the_user_and_address_even_for_the_right_password(client, user):
    assert fail(client, "marta", 4) == [200] * 4

    fifth = log_in(client, "marta", "wrong")
    right = log_in(client, "marta", PASSWORD)

    assert fifth.status_code == 429
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert "15 minutos" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_reads_the_same_for_a_user_that_does_not_exist(client, user):
    fail(client, "marta", 5)
    fail(client, "nadie", 5)

    existing = log_in(client, "marta", "wrong")
    missing = log_in(client, "nadie", "wrong")

    assert existing.status_code == missing.status_code == 429
    assert LOCKED in alert(missing)
    assert alert(existing) == alert(missing)


def test_before_the_lock_a_wrong_password_and_an_unknown_user_read_the_same(client, user):
    assert alert(log_in(client, "marta", "wrong")) == alert(log_in(client, "nadie", "wrong"))


def test_another_address_is_not_locked(client, user):
    fail(client, "marta", 5, address="10.0.0.1")

    response = log_in(client, "marta", PASSWORD, address="10.0.0.2")

    assert response.status_code == 302


def test_the_lock_lasts_the_configured_time(client, user, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    fail(client, "marta", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert log_in(client, "marta", PASSWORD).status_code == 302


def test_an_admin_unlocks_from_the_admin(client, admin_user, user):
    fail(client, "marta", 5)
    attempt = AccessAttempt.objects.get(username="marta")
    admin = type(client)()
    admin.force_login(admin_user)

    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "marta" in listing.content.decode()
    deleted = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert deleted.status_code == 302
    assert log_in(client, "marta", PASSWORD).status_code == 302


def test_failures_lockouts_and_logins_are_recorded_with_the_address(client, user):
    fail(client, "marta", 5)
    log_in(client, "marta", PASSWORD, address="10.0.0.9")

    failures = AccessFailureLog.objects.filter(username="marta").order_by("attempt_time")
    assert failures.count() == 5
    assert {f.ip_address for f in failures} == {"10.0.0.1"}
    assert [f.locked_out for f in failures][-1] is True
    assert AccessAttempt.objects.get(username="marta").failures_since_start == 5
    login = AccessLog.objects.get(username="marta")
    assert login.ip_address == "10.0.0.9"


def test_a_success_clears_the_failures_of_that_user_and_address(client, user):
    fail(client, "marta", 4)
    assert log_in(client, "marta", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    assert fail(client, "marta", 4) == [200] * 4


def test_the_address_behind_trusted_proxies_is_the_one_they_saw(client, user, settings):
    settings.ITSM_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "marta", "password": "wrong"},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.7",
        )

    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"192.0.2.7"}


@pytest.mark.parametrize("password", ["12345678", "password", "marta", "corta"])
def test_django_password_validators_refuse_weak_passwords_in_spanish(user, password):
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=user)
    text = " ".join(error.value.messages)
    assert any(word in text for word in ("contraseña", "Contraseña")), text


def test_a_session_expires_after_a_working_day_without_requests(client, agent, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client.force_login(agent)
    session = client.session
    session["seen_at"] = 0  # long ago: this request renews the expiry
    session.save()

    response = client.get(reverse("incidents:console"))

    assert response.status_code == 200
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 8 * 3600
    assert client.session.get_expiry_age() == 8 * 3600


def test_an_idle_session_is_logged_out(client, agent):
    client.force_login(agent)
    session = client.session
    session.set_expiry(-1)
    session.save()

    response = client.get(reverse("incidents:console"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_logout_is_post_only(client, agent):
    client.force_login(agent)

    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_huge_user_name_is_counted_under_its_first_150_characters(client, user):
    response = log_in(client, "x" * 1_000_000, "wrong")

    assert response.status_code == 200
    assert AccessFailureLog.objects.get().username == "x" * 150
