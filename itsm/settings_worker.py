"""The settings of the background work: Celery, mail out and in, webhooks,
data protection's sweeps and the lock that makes one machine lead them.
``itsm/settings.py`` takes every name from here; each is read from the
environment like the rest (docs/configuration.md)."""

from django.core.exceptions import ImproperlyConfigured

from itsm import settings_parts as parts
from itsm.env import env_bool, env_int, env_list, env_str

# Celery. Without a broker the tasks run in the calling process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = parts.celery_transport_options(CELERY_BROKER_VISIBILITY_TIMEOUT)
# A task that runs longer than the visibility timeout would be delivered twice.
CELERY_TASK_TIME_LIMIT = min(300, CELERY_BROKER_VISIBILITY_TIMEOUT // 2)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# How often beat recomputes the dashboard's figures of the whole desk; the page
# computes them itself when the snapshot is twice as old.
ITSM_DASHBOARD_REFRESH_SECONDS = env_int("ITSM_DASHBOARD_REFRESH_SECONDS", 300)
# How long an agent's own dashboard figures are reused before being counted again.
ITSM_DASHBOARD_AGENT_SECONDS = env_int("ITSM_DASHBOARD_AGENT_SECONDS", 60)
# Most rows a console export (…/export.csv) writes.
ITSM_EXPORT_MAX_ROWS = env_int("ITSM_EXPORT_MAX_ROWS", 100_000)
# Files of a form that came back with errors are kept this long for the
# agent to send the form again.
ITSM_HELD_UPLOAD_HOURS = env_int("ITSM_HELD_UPLOAD_HOURS", 24)

# Outgoing mail to customers (notifications). A send is killed by Celery after
# ITSM_EMAIL_SEND_TIME_LIMIT seconds; its claim on the outbox row (the lease)
# lasts longer, so the sweep only hands a row to another worker once the first
# sender is certainly dead: never two senders at once.
ITSM_EMAIL_SEND_TIME_LIMIT = env_int("ITSM_EMAIL_SEND_TIME_LIMIT", 120)
ITSM_EMAIL_LEASE_SECONDS = env_int("ITSM_EMAIL_LEASE_SECONDS", ITSM_EMAIL_SEND_TIME_LIMIT + 60)
parts.check_email_timings(
    send_time_limit=ITSM_EMAIL_SEND_TIME_LIMIT,
    lease_seconds=ITSM_EMAIL_LEASE_SECONDS,
    visibility=CELERY_BROKER_VISIBILITY_TIMEOUT,
)
# Temporary failures (connection refused, 4xx) are retried with exponential
# backoff and jitter: base · 2^(attempt-1), capped, at most this many attempts.
ITSM_EMAIL_MAX_ATTEMPTS = env_int("ITSM_EMAIL_MAX_ATTEMPTS", 8)
ITSM_EMAIL_RETRY_BASE_MS = env_int("ITSM_EMAIL_RETRY_BASE_MS", 30_000)
ITSM_EMAIL_RETRY_MAX_MS = env_int("ITSM_EMAIL_RETRY_MAX_MS", 30 * 60_000)
# The sweep re-queues rows left in "queued" this long after they were due (the
# broker was down at commit) and rows whose "sending" lease expired (worker lost).
ITSM_EMAIL_SWEEP_EVERY_SECONDS = env_int("ITSM_EMAIL_SWEEP_EVERY_SECONDS", 60)
ITSM_EMAIL_STUCK_AFTER_SECONDS = env_int("ITSM_EMAIL_STUCK_AFTER_SECONDS", 120)

# Incoming mail (notifications: the mailbox). A larger message is stored and
# quarantined, never read. IMAP polling runs only when ITSM_IMAP_HOST is set.
ITSM_INBOUND_MAX_BYTES = env_int("ITSM_INBOUND_MAX_BYTES", 25 * 1024 * 1024)
ITSM_IMAP_HOST = env_str("ITSM_IMAP_HOST")
ITSM_IMAP_PORT = env_int("ITSM_IMAP_PORT", 993 if env_bool("ITSM_IMAP_SSL", True) else 143)
ITSM_IMAP_USER = env_str("ITSM_IMAP_USER")
ITSM_IMAP_PASSWORD = env_str("ITSM_IMAP_PASSWORD")
ITSM_IMAP_FOLDER = env_str("ITSM_IMAP_FOLDER", "INBOX")
ITSM_IMAP_DONE_FOLDER = env_str("ITSM_IMAP_DONE_FOLDER")
ITSM_IMAP_SSL = env_bool("ITSM_IMAP_SSL", True)
ITSM_IMAP_TIMEOUT = env_int("ITSM_IMAP_TIMEOUT", 30)
ITSM_IMAP_BATCH_SIZE = env_int("ITSM_IMAP_BATCH_SIZE", 50)
# How long a poller's claim on the folder lasts (renewed after each batch): a
# poller that died is replaced once it runs out.
ITSM_IMAP_LEASE_SECONDS = env_int("ITSM_IMAP_LEASE_SECONDS", max(120, 4 * ITSM_IMAP_TIMEOUT))
ITSM_IMAP_POLL_SECONDS = env_int("ITSM_IMAP_POLL_SECONDS", 60)
# While the server is unreachable: wait base · 2^(failures-1), capped.
ITSM_IMAP_RETRY_BASE_SECONDS = env_int("ITSM_IMAP_RETRY_BASE_SECONDS", 30)
ITSM_IMAP_RETRY_MAX_SECONDS = env_int("ITSM_IMAP_RETRY_MAX_SECONDS", 1800)

CELERY_BEAT_SCHEDULE = parts.beat_schedule(
    autoclose_every=env_int("ITSM_AUTOCLOSE_EVERY_SECONDS", 3600),
    dashboard_every=ITSM_DASHBOARD_REFRESH_SECONDS,
    sla_sweep_every=env_int("ITSM_SLA_SWEEP_EVERY_SECONDS", 60),
    email_sweep_every=ITSM_EMAIL_SWEEP_EVERY_SECONDS,
    # Mail is fetched only when a mailbox is configured.
    imap_poll_every=ITSM_IMAP_POLL_SECONDS if ITSM_IMAP_HOST else None,
)

# Webhooks (webhooks/, docs/api.md#webhooks). Destinations on loopback, private
# and link-local addresses are refused unless allowed (an intranet desk).
ITSM_WEBHOOKS_ALLOW_PRIVATE = env_bool("ITSM_WEBHOOKS_ALLOW_PRIVATE", False)
# Seconds to connect and between bytes of the answer; a request is cut after
# ITSM_WEBHOOKS_SEND_TIME_LIMIT in all, and its claim on the delivery (the
# lease) lasts longer, so the sweep never hands it to a second sender.
ITSM_WEBHOOKS_TIMEOUT_SECONDS = env_int("ITSM_WEBHOOKS_TIMEOUT_SECONDS", 10)
ITSM_WEBHOOKS_SEND_TIME_LIMIT = 3 * ITSM_WEBHOOKS_TIMEOUT_SECONDS + 2
ITSM_WEBHOOKS_LEASE_SECONDS = env_int(
    "ITSM_WEBHOOKS_LEASE_SECONDS", ITSM_WEBHOOKS_SEND_TIME_LIMIT + 30
)
if ITSM_WEBHOOKS_LEASE_SECONDS <= ITSM_WEBHOOKS_SEND_TIME_LIMIT:
    raise ImproperlyConfigured(
        "ITSM_WEBHOOKS_LEASE_SECONDS must exceed 3 × ITSM_WEBHOOKS_TIMEOUT_SECONDS + 2"
    )
# Seconds before each retry of a failed delivery: 5 s, 5 min, 30 min, 2 h,
# 5 h, 10 h, 10 h (about 27 h in all); then it is given up.
ITSM_WEBHOOKS_RETRY_SECONDS = env_list(
    "ITSM_WEBHOOKS_RETRY_SECONDS", ["5", "300", "1800", "7200", "18000", "36000", "36000"]
)
if not all(value.isdigit() for value in ITSM_WEBHOOKS_RETRY_SECONDS):
    raise ImproperlyConfigured("ITSM_WEBHOOKS_RETRY_SECONDS must be seconds separated by commas")
ITSM_WEBHOOKS_RETRY_SECONDS = [int(value) for value in ITSM_WEBHOOKS_RETRY_SECONDS]
# The sweep publishes again deliveries overdue by ITSM_WEBHOOKS_STUCK_AFTER_SECONDS
# (a worker lost, the broker down at commit, a retry far ahead).
ITSM_WEBHOOKS_SWEEP_EVERY_SECONDS = env_int("ITSM_WEBHOOKS_SWEEP_EVERY_SECONDS", 60)
ITSM_WEBHOOKS_STUCK_AFTER_SECONDS = env_int("ITSM_WEBHOOKS_STUCK_AFTER_SECONDS", 60)
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "webhooks.tasks.sweep_webhooks",
    "schedule": ITSM_WEBHOOKS_SWEEP_EVERY_SECONDS,
}

# Data protection (privacy/, docs/configuration.md): how long
# each category of data is kept, in days.
ITSM_PRIVACY_LIMITATION_DAYS = env_int("ITSM_PRIVACY_LIMITATION_DAYS", 3 * 365)
ITSM_RETENTION_RAW_MAIL_DAYS = env_int("ITSM_RETENTION_RAW_MAIL_DAYS", 365)
ITSM_RETENTION_ATTACHMENT_DAYS = env_int("ITSM_RETENTION_ATTACHMENT_DAYS", 2 * 365)
ITSM_RETENTION_CLOSED_TICKET_DAYS = env_int("ITSM_RETENTION_CLOSED_TICKET_DAYS", 5 * 365)
# The daily beat task applies the retention rules only when enabled (after a
# look at ``manage.py retention --dry-run``).
ITSM_RETENTION_ENABLED = env_bool("ITSM_RETENTION_ENABLED", False)
CELERY_BEAT_SCHEDULE["privacy-anonymise"] = {
    "task": "privacy.tasks.anonymise_blocked",
    "schedule": 86400,
}
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "privacy.tasks.apply_retention",
    "schedule": 86400,
}

# The lock that makes one beat (and one mailbox poll) act in the fleet: a Redis
# key that lives ITSM_LEADER_TTL_SECONDS unless its owner renews it.
ITSM_LEADER_REDIS_URL = env_str("ITSM_LEADER_REDIS_URL", CELERY_BROKER_URL)
ITSM_LEADER_TTL_SECONDS = env_int("ITSM_LEADER_TTL_SECONDS", 30)
if ITSM_LEADER_TTL_SECONDS < 2:
    raise ImproperlyConfigured("ITSM_LEADER_TTL_SECONDS must be at least 2")
CELERY_BEAT_SCHEDULER = "itsm.ops.leader:LeaderScheduler"
