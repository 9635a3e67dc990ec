"""The probes and the metrics. Reached through ``ProbeMiddleware`` before
host validation, the HTTPS redirect and the login; declared in the URLconf
too, so they have names and a row in the access matrix."""

import hmac
import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from itsm.middleware import client_ip
from itsm.ops.metrics import exposition

log = logging.getLogger(__name__)

READY_KEY = "itsm:readyz"


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers; nothing else is touched."""
    return HttpResponse("ok\n", content_type="text/plain")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set(READY_KEY, "1", timeout=10)
    if cache.get(READY_KEY) != "1":
        raise RuntimeError("the cache did not keep a value")


def _broker() -> None:
    if not settings.CELERY_BROKER_URL:
        return  # tasks run in-process: there is no broker to reach
    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=2,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=3)
        broker.default_channel  # noqa: B018 (opening a channel talks to the server)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
}


@login_not_required
@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Can this process serve: database, cache and broker reachable. 503 with
    which failed (the reason is in the log, not in a public answer)."""
    checks = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # whatever the client library raises: not ready
            log.warning("Readiness check %s failed", name, exc_info=True)
            checks[name] = "failed"
        else:
            checks[name] = "ok"
    ready = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "failed", "checks": checks}, status=200 if ready else 503
    )


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.ITSM_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in settings.ITSM_METRICS_ALLOWED_NETWORKS)


@login_not_required
@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.ITSM_METRICS_TOKEN and not settings.ITSM_METRICS_ALLOWED_NETWORKS:
        return HttpResponse(status=404)  # metrics are off until someone may read them
    if not _metrics_allowed(request):
        return HttpResponse(status=403)
    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
