"""The two middleware of the fleet.

``ProbeMiddleware`` comes first: a load balancer probes ``/healthz`` and
``/readyz`` (and Prometheus scrapes ``/metrics``) with its own Host header,
over plain HTTP, without a session, so these are answered before host
validation, the HTTPS redirect and the login are reached.

``RequestMiddleware`` comes next: it gives the request its id (echoed in
``X-Request-ID`` and put on every log line), writes one access line and
updates the request metrics, all in memory."""

import logging
import time

from django.db import connection
from django.http import HttpRequest, HttpResponse

from itsm.ops import metrics, views
from itsm.ops.logs import bind_request_id, sane_request_id, unbind_request_id

access_log = logging.getLogger("itsm.request")

PROBES = {"/healthz": views.healthz, "/readyz": views.readyz, "/metrics": views.metrics}


class ProbeMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = bind_request_id(request_id)
        counter = _QueryCounter()
        started = time.perf_counter()
        try:
            with connection.execute_wrapper(counter):
                response = self.get_response(request)
            seconds = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            route = _route(request)
            metrics.observe_request(
                route=route,
                method=request.method or "",
                status=response.status_code,
                seconds=seconds,
                queries=counter.count,
            )
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={"route": route, "ms": round(seconds * 1000, 1), "queries": counter.count},
            )
            return response
        finally:
            unbind_request_id(token)


def _route(request: HttpRequest) -> str:
    """The URL's name, never the raw path (one series per page, not per ticket)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    return match.view_name or match._func_path
