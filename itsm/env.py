"""The typed readers ``itsm/settings.py`` is written with: each reads one
environment variable and raises ``ImproperlyConfigured`` on a value it cannot
use, so a typo stops the start instead of running with a default."""

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """postgres://user:password@host:port/name?sslmode=require → DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgres:// URL, got scheme {parsed.scheme!r}"
        )
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL must name a database")
    try:
        port = parsed.port
    except ValueError:
        raise ImproperlyConfigured("DATABASE_URL has an invalid port") from None
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": unquote(parsed.hostname or ""),
        "PORT": str(port or ""),
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        # Django reads a queryset's .iterator() (every <select> a ModelChoiceField
        # renders) through a server-side cursor: DECLARE, FETCH and CLOSE, three
        # round trips instead of one, for lists of a few dozen rows. Plain cursors
        # also keep the app working behind pgbouncer in transaction mode, where a
        # WITH HOLD cursor may be declared on one server connection and fetched on
        # another.
        "DISABLE_SERVER_SIDE_CURSORS": True,
        # The desk's own: its kept statements prepared once per connection
        # (itsm/common/statements.py); off behind a transaction-pooling pgbouncer.
        "PREPARED_STATEMENTS": env_bool("DATABASE_PREPARED_STATEMENTS", False),
        "OPTIONS": options,
        # One test database per process, so parallel runs never share it.
        "TEST": {"NAME": f"test_{name}_{os.getpid()}"},
    }


def cache_from_url(url: str) -> dict:
    """CACHE_URL → CACHES entry: redis://host:6379/1 (shared by every worker
    and machine), locmem:// (one process; the default) or dummy://."""
    if not url or url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    scheme = urlparse(url).scheme
    if scheme in ("redis", "rediss", "unix"):
        return {
            "BACKEND": "itsm.common.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "itsm",
            # A cache that is down must not take the desk down with it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL must be redis://, rediss://, unix://, locmem:// or dummy://, got {scheme!r}"
    )
