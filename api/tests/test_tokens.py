"""Tokens: hashed, shown once, expiring, scoped within the role, revocable,
rate-limited per token, and their page and command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.rest import TokenRateThrottle
from api.tests.conftest import token_client
from api.tokens import hash_token, token_create, token_revoke
from itsm.models import AuditEvent

pytestmark = pytest.mark.django_db


def bearer(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


def test_only_the_hash_is_stored_and_the_token_works(agent):
    token, plain = token_create(user=agent, name="Portal", scopes=["read"])
    assert plain.startswith("itsm_") and len(plain) > 40
    assert token.key_hash == hash_token(plain) and plain not in token.key_hash
    assert token.prefix == plain[:12]
    assert not ApiToken.objects.filter(key_hash=plain).exists()
    response = bearer(plain).get(reverse("api:groups"))
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_from == "127.0.0.1"


@pytest.mark.parametrize(
    "header",
    ["Bearer itsm_nope", "Bearer", "Bearer a b", "Token itsm_x", "Bearer " + "x" * 500],
)
def test_a_wrong_token_is_401_problem(agent, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(reverse("api:groups"))
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"
    if response.status_code == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_token_is_401_even_with_a_session(client, agent):
    client.force_login(agent)
    response = client.get(reverse("api:groups"))
    assert response.status_code == 401
    assert response.json()["title"] == "Hace falta un token válido."


def test_expired_and_revoked_tokens_stop_working(agent):
    token, plain = token_create(user=agent, name="Corto", scopes=["read"], days=1)
    client = bearer(plain)
    assert client.get(reverse("api:groups")).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("api:groups")).status_code == 401
    other, other_plain = token_create(user=agent, name="Otro", scopes=["read"])
    token_revoke(token=other)
    assert bearer(other_plain).get(reverse("api:groups")).status_code == 401


def test_scopes_never_exceed_the_role(agent, outsider):
    with pytest.raises(PermissionDenied):
        token_create(user=outsider, name="x", scopes=["read"])
    with pytest.raises(ValidationError):
        token_create(user=agent, name="x", scopes=["root"])
    with pytest.raises(ValidationError):
        token_create(user=agent, name="x", scopes=[])
    with pytest.raises(ValidationError):
        token_create(user=agent, name="x", scopes=["read"], days=366)
    token_create(user=agent, name="dup", scopes=["read"])
    with pytest.raises(ValidationError):
        token_create(user=agent, name="dup", scopes=["read"])
    # A role taken away after the token was made takes its power with it.
    _token, plain = token_create(user=agent, name="antes", scopes=["read"])
    agent.groups.clear()
    del agent._itsm_group_names
    assert bearer(plain).get(reverse("api:groups")).status_code == 403


def test_the_rate_is_per_token_through_the_cache(agent, monkeypatch):
    # DRF reads the rates once, when the throttle class is defined.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    first, second = token_client(agent), token_client(agent, name_suffix="2")
    codes = [first.get(reverse("api:groups")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = first.get(reverse("api:groups"))
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) > 0
    assert second.get(reverse("api:groups")).status_code == 200


def test_the_command_creates_lists_and_revokes(agent):
    out = StringIO()
    call_command(
        "api_token", "create", "agente", "--name", "Portal", "--scopes", "read", "write", stdout=out
    )
    plain = out.getvalue().strip().splitlines()[-1]
    assert bearer(plain).get(reverse("api:groups")).status_code == 200
    token = ApiToken.objects.get(key_hash=hash_token(plain))
    assert token.scope_list == ["read", "write"]
    listing = StringIO()
    call_command("api_token", "list", "agente", stdout=listing)
    assert "Portal" in listing.getvalue() and plain not in listing.getvalue()
    call_command("api_token", "revoke", str(token.pk), stdout=StringIO())
    assert bearer(plain).get(reverse("api:groups")).status_code == 401
    with pytest.raises(CommandError):
        call_command("api_token", "create", "nadie", "--name", "x", stdout=StringIO())


def test_the_command_refuses_scopes_above_the_role(outsider):
    with pytest.raises(CommandError):
        call_command("api_token", "create", "ajeno", "--name", "x", stdout=StringIO())


def test_the_tokens_page_shows_a_new_token_once_and_revokes(client, agent, other_agent):
    client.force_login(agent)
    page = client.get(reverse("api:tokens"))
    assert page.status_code == 200
    assert "Tokens de API" in page.content.decode()
    # Reached from the menu under the user's name in the top bar of every page.
    console = client.get(reverse("incidents:console"), {"f": "1"}).content.decode()
    assert f'<a class="dropdown-item" href="{reverse("api:tokens")}">Tokens de API</a>' in console
    created = client.post(reverse("api:tokens"), {"name": "Portal", "scopes": ["read"], "days": 30})
    assert created.status_code == 200
    token = ApiToken.objects.get(user=agent)
    plain = created.context["created"]["plain"]
    assert token.key_hash == hash_token(plain)
    assert plain in created.content.decode()
    assert created["Cache-Control"].startswith("max-age=0")
    again = client.get(reverse("api:tokens")).content.decode()
    assert plain not in again and token.prefix in again
    client.force_login(other_agent)
    revoke = reverse("api:token_revoke", args=[token.pk])
    assert client.post(revoke).status_code == 404
    assert client.post(reverse("api:token_revoke", args=[2**70])).status_code == 404
    client.force_login(agent)
    assert client.post(revoke).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_last_use_is_kept_to_the_minute_and_every_use_audited(agent):
    client = token_client(agent, name_suffix="-minute")
    token = ApiToken.objects.get(name="test-minute")
    for _ in range(3):
        assert client.get(reverse("api:groups")).status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert AuditEvent.objects.filter(kind="api", user=agent).count() == 3
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(reverse("api:groups"))
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first
