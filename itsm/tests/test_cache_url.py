"""The cache comes from CACHE_URL; with Redis, what one process invalidates
is invalid for every other process too."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from itsm.env import cache_from_url


def test_without_cache_url_each_process_has_its_own_memory_cache():
    assert cache_from_url("")["BACKEND"].endswith("LocMemCache")
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")


def test_a_redis_url_selects_django_redis_cache():
    entry = cache_from_url("redis://cache.example.org:6379/1")

    assert entry["BACKEND"] == "itsm.common.cache.RedisCache"
    assert entry["LOCATION"] == "redis://cache.example.org:6379/1"


def test_anything_else_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be"):
        cache_from_url("memcached://x")


PROCESS = """
import django, os, sys
django.setup()
from itsm.reference_cache import clear_reference_choices, _generation
if sys.argv[1] == "clear":
    clear_reference_choices()
print(_generation())
"""


def in_another_process(redis_url: str, action: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", PROCESS, action],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "itsm.settings",
            "CACHE_URL": redis_url,
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


@pytest.mark.services
def test_an_invalidation_in_one_process_reaches_the_others_through_redis(redis):
    before = in_another_process(redis.url, "read")
    in_another_process(redis.url, "clear")

    after = in_another_process(redis.url, "read")

    assert after != before


def test_the_redis_cache_keeps_one_client_for_its_pool(redis):
    from itsm.common.cache import RedisCache

    cache = RedisCache(redis.url, {})
    cache.set("greeting", "hola", 60)
    first = cache._cache.get_client(write=True)

    assert cache.get("greeting") == "hola"
    assert cache._cache.get_client() is first
    cache.delete("greeting")
    assert cache.get("greeting") is None
