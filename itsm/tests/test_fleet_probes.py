"""/healthz and /readyz: answered whatever the Host header, over plain HTTP,
without a session; /readyz says 503 and which part failed when the database,
the cache or the broker cannot be reached (wrong addresses, in a process of
its own started with them)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from notifications.tests.live import free_port

pytestmark = pytest.mark.django_db

PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
"""


@pytest.fixture
def production_like(settings):
    """HTTPS redirect on and one allowed host, as behind a load balancer."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["desk.example.org"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_a_load_balancer_host_over_http_without_login(production_like, path):
    response = Client(HTTP_HOST="10.0.0.7:8000").get(path)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_healthz_says_ok_and_touches_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.content == b"ok\n"


def test_readyz_lists_every_check():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


@pytest.mark.services
def test_readyz_reaches_a_real_broker_and_cache(settings, redis):
    settings.CELERY_BROKER_URL = redis.url
    settings.CACHES = {
        "default": {"BACKEND": "itsm.common.cache.RedisCache", "LOCATION": redis.url}
    }
    response = Client().get("/readyz")
    assert json.loads(response.content)["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
    }


def readyz_with(**environment: str) -> dict:
    """GET /readyz in a process started with ``environment``."""
    nowhere = f"127.0.0.1:{free_port()}"  # nothing listens there
    environment = {key: value.replace("NOWHERE", nowhere) for key, value in environment.items()}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "itsm.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_readyz_is_503_when_the_database_is_down():
    answer = readyz_with(DATABASE_URL="postgres://desk:desk@NOWHERE/desk")
    assert answer["status"] == 503
    assert answer["body"]["status"] == "failed"
    assert answer["body"]["checks"]["database"] == "failed"
    assert answer["body"]["checks"]["cache"] == "ok"


def test_readyz_is_503_when_redis_is_down():
    answer = readyz_with(CACHE_URL="redis://NOWHERE/1", CELERY_BROKER_URL="redis://NOWHERE/0")
    assert answer["status"] == 503
    assert answer["body"]["checks"]["cache"] == "failed"
    assert answer["body"]["checks"]["broker"] == "failed"
