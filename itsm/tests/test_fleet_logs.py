"""Request ids: taken from a sane X-Request-ID or made up, echoed, on every
log line (JSON or plain), and carried into the Celery tasks a request starts:
one grep of the id finds the web line and the worker's lines."""

import json
import logging
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import start_service
from itsm.dashboard import dashboard_refresh
from itsm.models import DashboardSnapshot
from itsm.ops.logs import JsonFormatter, RequestIdFilter, bind_request_id, unbind_request_id
from notifications.tests.live import CeleryWorker, free_port, publishing_to, wait_for

pytestmark = pytest.mark.django_db


def test_a_sane_incoming_request_id_is_kept_and_echoed():
    response = Client().get(reverse("login"), HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert response["X-Request-ID"] == "lb-7f3a.42"


@pytest.mark.parametrize("given", [None, "", "a b", "x" * 200, "id\r\nSet-Cookie: y=1"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(given):
    headers = {} if given is None else {"HTTP_X_REQUEST_ID": given}
    response = Client().get(reverse("login"), **headers)
    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"] != given


def test_the_access_line_carries_the_request_id_and_the_route(caplog):
    caplog.set_level(logging.INFO, logger="itsm.request")
    Client().get(reverse("login"), HTTP_X_REQUEST_ID="find-me-1")
    (record,) = [r for r in caplog.records if r.name == "itsm.request"]
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "find-me-1"
    assert line["route"] == "login"
    assert line["message"] == "GET /login/ 200"
    assert isinstance(line["queries"], int)


def test_json_lines_hold_the_bound_id_and_the_exception():
    token = bind_request_id("bound-id")
    try:
        try:
            raise ValueError("broken")
        except ValueError:
            record = logging.LogRecord("x", logging.ERROR, __file__, 1, "a %s", ("b",), None)
            record.exc_info = sys.exc_info()
        RequestIdFilter().filter(record)
    finally:
        unbind_request_id(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "a b"
    assert line["request_id"] == "bound-id"
    assert "ValueError: broken" in line["exception"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_request_id_follows_the_request_into_its_task(
    tmp_path, redis, private_media, coordinator, settings
):
    """The dashboard, with figures older than the refresh setting, asks the
    worker for a refresh."""
    settings.ITSM_DASHBOARD_REFRESH_SECONDS = 300
    dashboard_refresh()
    snapshot = DashboardSnapshot.objects.get(scope="all")
    six_minutes_ago = timezone.now() - timedelta(minutes=6)
    snapshot.computed_at = six_minutes_ago
    snapshot.data["computed_at"] = six_minutes_ago.isoformat()
    snapshot.save()
    worker = CeleryWorker(tmp_path / "worker", broker_url=redis.url, smtp_port=free_port())
    worker.environment["ITSM_LOG_FORMAT"] = "json"
    start_service(worker)
    try:
        client = Client()
        client.force_login(coordinator)
        with publishing_to(redis.url):
            response = client.get(reverse("dashboard"), HTTP_X_REQUEST_ID="trace-dashboard-1")
        assert response.status_code == 200

        def task_lines() -> list[dict]:
            lines = []
            for text in worker.log_path.read_text(errors="replace").splitlines():
                if "trace-dashboard-1" in text:
                    lines.append(json.loads(text))
            return lines

        lines = wait_for(task_lines, timeout=30)
        assert lines, worker.log_tail()
        assert {line["request_id"] for line in lines} == {"trace-dashboard-1"}
        assert any(line["message"] == "Task itsm.tasks.refresh_dashboard started" for line in lines)
    finally:
        worker.kill()
