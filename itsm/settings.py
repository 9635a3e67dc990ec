"""Settings for the service desk, configured through environment variables.

With no environment at all the app runs on the embedded default: SQLite under
``var/``, mail written to files, Celery tasks run in-process.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from itsm import settings_parts as parts
from itsm.env import cache_from_url, database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = Path(env_str("ITSM_VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    # django-axes under a Spanish section title in the admin.
    "itsm.apps.AxesConfig",
    "itsm",
    "customers",
    "incidents",
    "workorders",
    "notifications",
    "telephony",
    "kb",
    # Before rest_framework: its catalogue restates Django's Spanish for the
    # messages DRF's own catalogue words differently, so forms keep theirs.
    "api",
    # Above the API: a webhook carries the object as the API shows it.
    "webhooks",
    # Data-protection requests, blocking and anonymising (above every app it reads).
    "privacy",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Last: its autodiscovery runs once every kind has registered itself, so
    # itsm.admin can register the admin of each kind.
    "django.contrib.admin",
]

MIDDLEWARE = [
    # First: probes answer before host validation, the HTTPS redirect and the
    # login; then every request gets its id, access line and metrics.
    "itsm.ops.middleware.ProbeMiddleware",
    "itsm.ops.middleware.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "itsm.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "itsm.middleware.DeskLocaleMiddleware",
    "itsm.middleware.RefuseNulMiddleware",
    "itsm.audit.AuditRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "itsm.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "itsm.urls"
WSGI_APPLICATION = "itsm.wsgi.application"

TEMPLATES = parts.templates(BASE_DIR)

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    SQLITE_PATH = Path(env_str("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")))
    DATABASES = {"default": parts.sqlite_database(SQLITE_PATH, os.getpid())}

# Reference-data lists, login throttling counters and anything else cached
# must hold across processes and machines in production: CACHE_URL=redis://…
CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}
# A cache every worker shares (Redis) also serves the session and the
# signed-in user with their roles: no query before a view. A cache of one
# process would keep a session or a role alive in the other workers after a
# logout or a change, so then both come from the database (two queries).
SHARED_CACHE = CACHES["default"]["BACKEND"].endswith("RedisCache")
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if SHARED_CACHE else 'db'}"
ITSM_USER_CACHE_SECONDS = 60 if SHARED_CACHE else 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = parts.password_validators()
# --- Logging in ----------------------------------------------------------------------
# django-axes counts failed logins per user name *and* address: after
# ITSM_LOGIN_FAILURE_LIMIT failures that pair is locked for
# ITSM_LOGIN_LOCKOUT_MINUTES (another failure during the lock restarts it).
# Admins unlock from the admin (Axes › Access attempts: delete the row).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, reading the user and their roles at once.
    "itsm.common.auth_backend.DeskBackend",
]
AXES_FAILURE_LIMIT = env_int("ITSM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ITSM_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "itsm.views.auth.locked_out"
AXES_CLIENT_IP_CALLABLE = "itsm.middleware.client_ip"
AXES_USERNAME_CALLABLE = "itsm.middleware.login_username"
AXES_VERBOSE = False
# How many proxies in front of the app append to X-Forwarded-For; 0 trusts
# only the connection's address (REMOTE_ADDR).
ITSM_PROXY_COUNT = env_int("ITSM_PROXY_COUNT", 0)
# A session ends after this long without a request (default: a working day).
SESSION_COOKIE_AGE = env_int("ITSM_SESSION_IDLE_SECONDS", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
# One catalogue per area of the product, so each can be kept on its own.
LOCALE_PATHS = [
    BASE_DIR / "locale" / area
    for area in ("core", "consoles", "tickets", "email", "escalation", "axes")
]
TIME_ZONE = "Europe/Madrid"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))

# Attachments live outside any public URL: they are served by views that check
# who is asking (see itsm.storage).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
ITSM_ATTACHMENT_MAX_BYTES = env_int("ITSM_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * ITSM_ATTACHMENT_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The longest text a person may write in one note, packet note or e-mail:
# the journal is append-only, so what is accepted stays on the page forever.
ITSM_MAX_TEXT_LENGTH = env_int("ITSM_MAX_TEXT_LENGTH", 32_000)

ITSM_AUTOCLOSE_DAYS = env_int("ITSM_AUTOCLOSE_DAYS", 15)
# How long a coordinator may undo a merge of tickets (itsm.services.merge).
ITSM_MERGE_UNDO_DAYS = env_int("ITSM_MERGE_UNDO_DAYS", 30)

# How long a process keeps the rendered option lists of the forms (groups,
# templates, reasons, agents) in the cache (CACHE_URL).
ITSM_REFERENCE_CACHE_SECONDS = env_int("ITSM_REFERENCE_CACHE_SECONDS", 60)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Django's renderer, with <select> options written in Python (see itsm/renderers.py).
FORM_RENDERER = "itsm.renderers.FormRenderer"

# Mail. Without EMAIL_HOST the messages are written as files under var/mail.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Soporte Libros/Cuentas <soporte@registradores.example>"
)

# --- The phone (telephony) ------------------------------------------------------------
# Redis for the push channel to the browsers (pop-ups), shared by every web
# process; empty: pushed inside the one process that serves (runserver).
PUSH_REDIS_URL = env_str("PUSH_REDIS_URL")
# A pushed stream ends after this long and the browser opens it again.
PUSH_STREAM_SECONDS = env_int("PUSH_STREAM_SECONDS", 300)
# A comment line this often keeps proxies from closing an idle stream.
PUSH_KEEPALIVE_SECONDS = env_int("PUSH_KEEPALIVE_SECONDS", 15)
# A missed call is due to be called back this many minutes after it rang.
CTI_CALLBACK_TARGET_MINUTES = env_int("CTI_CALLBACK_TARGET_MINUTES", 60)

# Celery, mail in and out, webhooks, retention: the background work.
from itsm.settings_worker import *  # noqa: E402, F403

CELERY_TIMEZONE = TIME_ZONE

# One JSON object a line (for a log collector) or plain text (development).
ITSM_LOG_FORMAT = env_str("ITSM_LOG_FORMAT", "plain" if DEBUG else "json")
if ITSM_LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("ITSM_LOG_FORMAT must be json or plain")
LOGGING = parts.logging_config(env_str("LOG_LEVEL", "INFO"), json_lines=ITSM_LOG_FORMAT == "json")
# The worker logs through LOGGING too, so its lines carry the request id.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- The API (api/, docs/api.md) -----------------------------------------------------
# Requests per token (DRF's rate syntax: N/second, N/minute, N/hour, N/day),
# counted in the shared cache (CACHE_URL).
ITSM_API_RATE = env_str("ITSM_API_RATE", "600/minute")
REST_FRAMEWORK = {
    # Each view names its authentication (a token), permissions and throttle
    # (api.rest.DeskAPIView); nothing is allowed by default.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_THROTTLE_RATES": {"token": ITSM_API_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.rest.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Libros/Cuentas service desk API",
    "DESCRIPTION": "Tickets of every kind, their journal, relations and quick actions, "
    "customers and reference data, under the same rules as the desk's pages. See docs/api.md.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Enums stay inline: each kind has its own statuses under the same field name.
    "POSTPROCESSING_HOOKS": [],
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Headers every response carries --------------------------------------------------
# No inline script anywhere: scripts come from our static files only. Style
# attributes are allowed (a mail's HTML is shown in a sandboxed srcdoc frame,
# which inherits this policy, and keeps its inline styles); <style> elements
# only from our files, plus the one the admin's change lists write.
ADMIN_CHANGELIST_STYLE = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
ITSM_CSP = parts.content_security_policy(ADMIN_CHANGELIST_STYLE)
ITSM_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- HTTPS ---------------------------------------------------------------------------
# With DEBUG off the desk is served over HTTPS: plain HTTP is redirected, the
# browser is told to use HTTPS only (HSTS) and cookies never travel in clear.
# For a plain-HTTP intranet set ITSM_HTTPS=false (or each setting on its own).
# Behind a proxy that ends TLS, tell Django which header says so, e.g.
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https — only if the proxy
# always sets or strips that header.
HTTPS = env_bool("ITSM_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
# Only allows the domain's owner to submit it to the browsers' preload list.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_PROXY_SSL_HEADER = parts.proxy_ssl_header(env_list("SECURE_PROXY_SSL_HEADER", []))

# --- The fleet (itsm/ops, docs/deployment.md#several-machines) -------------------------
# /metrics answers a bearer token or an address in these networks (behind
# proxies, see ITSM_PROXY_COUNT); with neither set it answers 404.
ITSM_METRICS_TOKEN = env_str("ITSM_METRICS_TOKEN")
ITSM_METRICS_ALLOWED_NETWORKS = parts.networks(
    "ITSM_METRICS_ALLOWED_IPS", env_list("ITSM_METRICS_ALLOWED_IPS", [])
)
# Under gunicorn: an empty folder, emptied at every start, where each worker
# process writes its request metrics (prometheus_client's multiprocess mode).
ITSM_METRICS_DIR = env_str("ITSM_METRICS_DIR")
if ITSM_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = ITSM_METRICS_DIR
# Files (attachments, raw mail, documents): "filesystem" under PRIVATE_MEDIA_ROOT
# (one machine, or a volume every machine mounts) or "s3" (django-storages).
ITSM_STORAGE = env_str("ITSM_STORAGE", "filesystem")
STORAGES = parts.storages(
    ITSM_STORAGE,
    bucket=env_str("ITSM_S3_BUCKET"),
    endpoint_url=env_str("ITSM_S3_ENDPOINT_URL"),
    region=env_str("ITSM_S3_REGION"),
    access_key=env_str("ITSM_S3_ACCESS_KEY_ID"),
    secret_key=env_str("ITSM_S3_SECRET_ACCESS_KEY"),
)
