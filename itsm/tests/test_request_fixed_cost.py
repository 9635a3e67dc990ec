"""What every request pays before its view: the session, the user and their
roles. From the database, the user and the roles come in one query; from a
cache every worker shares (Redis), the three come with none, and a change of
the user, their groups or a group is seen by the next request."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from itsm.common.auth_backend import DeskBackend
from itsm.common.permissions import AGENTS_GROUP, COORDINATORS_GROUP, is_coordinator

# Queries that read who is asking (not a page's own joins to a ticket's assignee).
AUTH_READS = ('FROM "django_session"', 'FROM "auth_user"', 'FROM "auth_group"')


def auth_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries if any(read in q["sql"] for read in AUTH_READS)]


@pytest.fixture
def shared_cache(settings, redis):
    settings.CACHES = {
        "default": {
            "BACKEND": "itsm.common.cache.RedisCache",
            "LOCATION": redis.url,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.ITSM_USER_CACHE_SECONDS = 60


@pytest.mark.django_db
def test_from_the_database_the_user_and_their_roles_come_in_one_query(reference, agent):
    client = Client()
    client.force_login(agent)
    session, user = auth_queries(client, "/dashboard/")
    assert '"django_session"' in session
    assert '"auth_user"' in user and '"auth_group"' in user


@pytest.mark.django_db
def test_the_user_is_read_with_their_group_names(reference, coordinator, agent):
    user = DeskBackend().get_user(coordinator.pk)
    assert user == coordinator and user.username == coordinator.username
    assert user._itsm_group_names == {COORDINATORS_GROUP, AGENTS_GROUP} & set(
        coordinator.groups.values_list("name", flat=True)
    )
    assert is_coordinator(user)
    agent.is_active = False
    agent.save()
    assert DeskBackend().get_user(agent.pk) is None
    assert DeskBackend().get_user(10**9) is None
    assert DeskBackend().get_user("not a number") is None


@pytest.mark.django_db(transaction=True)
def test_from_a_shared_cache_nothing_is_queried_before_the_view(shared_cache, reference, agent):
    client = Client()
    client.force_login(agent)
    client.get("/dashboard/")
    assert auth_queries(client, "/dashboard/") == []


@pytest.mark.django_db(transaction=True)
def test_a_change_of_roles_reaches_the_next_request(shared_cache, reference, agent):
    client = Client()
    client.force_login(agent)
    assert client.get("/incidents/").status_code == 200
    agent.groups.remove(Group.objects.get(name=AGENTS_GROUP))
    assert client.get("/incidents/").status_code == 403
    agent.groups.add(Group.objects.get(name=AGENTS_GROUP))
    assert client.get("/incidents/").status_code == 200
    Group.objects.get(name=AGENTS_GROUP).user_set.clear()
    assert client.get("/incidents/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_deactivated_user_or_a_logout_ends_the_session_everywhere(shared_cache, reference, agent):
    one, other = Client(), Client()
    one.force_login(agent)
    other.force_login(agent)
    assert other.get("/dashboard/").status_code == 200
    one.post("/logout/")
    assert other.get("/dashboard/").status_code == 200  # its own session lives on
    agent.is_active = False
    agent.save()
    assert other.get("/dashboard/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_an_api_token_finds_its_owner_and_roles_in_the_shared_cache_too(
    shared_cache, reference, agent
):
    from api.tokens import token_create

    _token, plain = token_create(user=agent, name="integración", scopes=["read"], days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert client.get("/api/v1/incidents/").status_code == 200
    assert auth_queries(client, "/api/v1/incidents/") == []
    agent.groups.clear()  # no longer an agent: refused at once
    assert client.get("/api/v1/incidents/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_an_api_token_itself_comes_from_the_shared_cache_and_a_revocation_is_seen_at_once(
    shared_cache, reference, agent, monkeypatch
):
    from api.models import ApiToken
    from api.tokens import token_create, token_revoke

    token, plain = token_create(user=agent, name="integración", scopes=["read"], days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    for _ in range(2):  # the first use writes the last use, and the token is read again
        assert client.get("/api/v1/incidents/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/incidents/").status_code == 200
    assert not [q for q in queries if 'FROM "api_apitoken"' in q["sql"]]
    token_revoke(token=ApiToken.objects.get(pk=token.pk))
    assert client.get("/api/v1/incidents/").status_code == 401

    # Deleted (its owner's account removed, say): refused at once too.
    other, other_plain = token_create(user=agent, name="otra", scopes=["read"], days=1)
    other_client = Client(HTTP_AUTHORIZATION=f"Bearer {other_plain}")
    assert other_client.get("/api/v1/incidents/").status_code == 200
    other.delete()
    assert other_client.get("/api/v1/incidents/").status_code == 401

    # The cached copy's expiry is checked on every use.
    last, last_plain = token_create(user=agent, name="corta", scopes=["read"], days=1)
    last_client = Client(HTTP_AUTHORIZATION=f"Bearer {last_plain}")
    assert last_client.get("/api/v1/incidents/").status_code == 200
    later = last.expires_at + timedelta(seconds=1)
    monkeypatch.setattr("api.models.timezone.now", lambda: later)
    assert last_client.get("/api/v1/incidents/").status_code == 401


@pytest.mark.django_db
def test_a_session_signed_in_before_the_desks_backend_carries_on(reference, agent):
    from django.contrib.auth import BACKEND_SESSION_KEY

    client = Client()
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get("/dashboard/").status_code == 200
    assert client.session[BACKEND_SESSION_KEY] == "itsm.common.auth_backend.DeskBackend"
    assert client.get("/dashboard/").status_code == 200
