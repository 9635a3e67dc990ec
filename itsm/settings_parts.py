"""The longer structures ``itsm/settings.py`` is built from, so the settings
module reads as a list of names and the environment variables behind them.

Every function takes the values it needs, already read from the environment in
``itsm/settings.py`` or ``itsm/settings_worker.py`` (where
``itsm/tests/test_docs.py`` finds each variable),
and returns the value of one setting. None reads the environment itself.
"""

import ipaddress
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def templates(base_dir: Path) -> list[dict]:
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [base_dir / "templates"],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                    "django.template.context_processors.i18n",
                    "itsm.context_processors.roles",
                ],
                "builtins": ["itsm.templatetags.people"],
            },
        },
    ]


def sqlite_database(path: Path, pid: int) -> dict:
    """The embedded default's database: one file, created on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # Writers queue for the lock instead of failing at once, and take
            # it at BEGIN so two writers never deadlock upgrading a read lock.
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        # A file, not memory, so tests that create tickets from several
        # threads share one database.
        # One file per test process, so parallel runs never share it.
        "TEST": {"NAME": str(path.with_name(f"test_db_{pid}.sqlite3"))},
    }


def password_validators() -> list[dict]:
    return [
        {"NAME": f"django.contrib.auth.password_validation.{name}"}
        for name in (
            "UserAttributeSimilarityValidator",
            "MinimumLengthValidator",
            "CommonPasswordValidator",
            "NumericPasswordValidator",
        )
    ]


def celery_transport_options(visibility_timeout: int) -> dict:
    return {
        "visibility_timeout": visibility_timeout,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
        # Publishing from a web request must fail fast when the broker is down (the
        # outbox sweep publishes again later): retry the connection once, at once.
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }


def beat_schedule(
    *,
    autoclose_every: int,
    dashboard_every: int,
    sla_sweep_every: int,
    email_sweep_every: int,
    imap_poll_every: int | None,
) -> dict:
    """The periodic tasks; mail is fetched only when a mailbox is configured
    (``imap_poll_every`` is None otherwise)."""
    schedule = {
        "autoclose-resolved-tickets": {
            "task": "itsm.tasks.autoclose_tickets",
            "schedule": autoclose_every,
        },
        "purge-held-uploads": {"task": "itsm.tasks.purge_held_uploads", "schedule": 3600},
        # The whole desk's dashboard figures (coordinators read the snapshot).
        "refresh-dashboard": {"task": "itsm.tasks.refresh_dashboard", "schedule": dashboard_every},
        # Journals each SLA breach as it happens (nothing is mailed).
        "mark-sla-breaches": {"task": "itsm.tasks.mark_sla_breaches", "schedule": sla_sweep_every},
        "requeue-stuck-emails": {
            "task": "notifications.tasks.requeue_stuck_emails",
            "schedule": email_sweep_every,
        },
    }
    if imap_poll_every is not None:
        schedule["fetch-email"] = {
            "task": "notifications.tasks.fetch_email",
            "schedule": imap_poll_every,
        }
    return schedule


def check_email_timings(*, send_time_limit: int, lease_seconds: int, visibility: int) -> None:
    """A send's lease must outlive the send, and the send must end before the
    broker hands its task to another worker."""
    if lease_seconds <= send_time_limit:
        raise ImproperlyConfigured(
            "ITSM_EMAIL_LEASE_SECONDS must exceed ITSM_EMAIL_SEND_TIME_LIMIT"
        )
    if send_time_limit >= visibility:
        raise ImproperlyConfigured(
            "ITSM_EMAIL_SEND_TIME_LIMIT must be below CELERY_BROKER_VISIBILITY_TIMEOUT"
        )


def logging_config(level: str, *, json_lines: bool) -> dict:
    """Everything to stderr, one JSON object a line or plain text, each line
    with its request id (itsm.ops.logs)."""
    if json_lines:
        formatter = {"()": "itsm.ops.logs.JsonFormatter"}
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "itsm.ops.logs.RequestIdFilter"}},
        "formatters": {"line": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "line",
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }


def content_security_policy(admin_changelist_style: str) -> list[str]:
    return [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {admin_changelist_style}",
        f"style-src-elem 'self' {admin_changelist_style}",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]


def proxy_ssl_header(parts: list[str]) -> tuple[str, str] | None:
    """SECURE_PROXY_SSL_HEADER=HEADER,value → Django's pair; unset → None."""
    if not parts:
        return None
    if len(parts) != 2:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be HEADER,value, e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    return (parts[0], parts[1])


def networks(name: str, values: list[str]) -> list:
    """Addresses or networks (10.0.0.0/8, ::1) to ip_network objects."""
    try:
        return [ipaddress.ip_network(value, strict=False) for value in values]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None


def storages(backend: str, **s3) -> dict:
    """Django's STORAGES with the desk's private files under "private"."""
    stores = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if backend == "filesystem":
        stores["private"] = {"BACKEND": "itsm.storage.PrivateStorage"}
    elif backend == "s3":
        if not s3["bucket"]:
            raise ImproperlyConfigured("ITSM_STORAGE=s3 needs ITSM_S3_BUCKET")
        stores["private"] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3["bucket"],
                "endpoint_url": s3["endpoint_url"] or None,
                "region_name": s3["region"] or None,
                "access_key": s3["access_key"] or None,
                "secret_key": s3["secret_key"] or None,
                # Private objects, never a public URL: the views serve them.
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    else:
        raise ImproperlyConfigured("ITSM_STORAGE must be filesystem or s3")
    return stores
