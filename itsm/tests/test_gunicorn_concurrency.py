"""Concurrency under the real server: gunicorn (4 workers on PostgreSQL, 2 on
SQLite) driven over HTTP by many clients at once."""

import contextlib
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import missing_service
from customers.tests.factories import CustomerFactory
from incidents.models import Incident, IncidentWorkInfo
from itsm.tests.factories import make_incident, new_ticket_data
from notifications.tests.live import database_environment, free_port, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CSRF_SECRET = "c0ncurrencyCsrfSecretForGunicorn"
CREATIONS = 200
EDITS = 50
SQLITE_WRITERS = 20


class Gunicorn:
    """``gunicorn itsm.wsgi`` on a loopback port, on this test's database."""

    description = "gunicorn"

    def __init__(self, folder: Path, *, workers: int, threads: int = 1) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "gunicorn.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *self.arguments(workers=workers, threads=threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
            ],
            cwd=settings.BASE_DIR,
            env=self.environment(folder),
            stdout=open(self.log_path, "w"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not wait_for(self._answers, timeout=30):
            self.stop()
            missing_service(f"{self.description} did not start:\n" + self.log())

    def arguments(self, *, workers: int, threads: int) -> list[str]:
        return ["itsm.wsgi", "--workers", str(workers), "--threads", str(threads)]

    def environment(self, folder: Path) -> dict[str, str]:
        return {
            **os.environ,
            **database_environment(),
            "DEBUG": "false",
            "ITSM_HTTPS": "false",
            # Sessions made by the test client must be valid for the server.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "PRIVATE_MEDIA_ROOT": str(folder / "private"),
            "EMAIL_FILE_PATH": str(folder / "mail"),
            "LOG_LEVEL": "WARNING",
        }

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(self.url + reverse("login"), timeout=2)
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # workers that outlive their master
            os.killpg(self.process.pid, signal.SIGKILL)
        if connection.vendor == "postgresql":
            # The test database is dropped next: wait for the workers' sessions to end.
            wait_for(lambda: other_sessions() == 0, timeout=15)


def other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def server(tmp_path, reference):
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        # The test database must be a file the server can open.
        assert str(settings.DATABASES["default"]["NAME"]).endswith(".sqlite3")
    gunicorn = Gunicorn(tmp_path / "web", workers=2 if sqlite else 4, threads=10 if sqlite else 1)
    yield gunicorn
    gunicorn.stop()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def post(server: Gunicorn, session: str, path: str, data: dict) -> tuple[int, str, str]:
    """(status, Location, body) of a POST with a valid CSRF token; redirects
    are not followed."""
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF_SECRET, **data}, doseq=True)
    request = urllib.request.Request(
        server.url + path,
        data=body.encode(),
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={CSRF_SECRET}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": server.url + path,
        },
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(
        NoRedirect, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")


def test_200_concurrent_creations_get_200_distinct_numbers(server, agent, other_agent):
    sessions = [session_cookie(agent), session_cookie(other_agent)]
    customer = CustomerFactory()
    path = reverse("incidents:new")
    data = new_ticket_data(customer, description="Llamada", work_info_notes="alta concurrente")

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(
            pool.map(lambda i: post(server, sessions[i % 2], path, data), range(CREATIONS))
        )

    errors = [(status, body[:300]) for status, _location, body in results if status != 302]
    assert errors == [], server.log()
    numbers = [re.search(r"/(INC\d{12})/", location).group(1) for _s, location, _b in results]
    assert len(set(numbers)) == CREATIONS
    assert Incident.objects.count() == CREATIONS
    assert sorted(Incident.objects.values_list("number", flat=True)) == sorted(numbers)


def test_50_concurrent_edits_are_each_saved_or_refused_as_stale(server, agent, other_agent):
    ticket = make_incident(user=agent)
    client = Client()
    client.force_login(agent)
    form = client.get(reverse("incidents:detail", args=[ticket.number])).context["forms"]["edit"]
    base = {
        name: "" if form[name].value() is None else str(form[name].value()) for name in form.fields
    }
    sessions = [session_cookie(agent), session_cookie(other_agent)]
    path = reverse("incidents:edit", args=[ticket.number])
    journal_before = IncidentWorkInfo.objects.filter(ticket=ticket).count()

    def edit(i: int):
        data = {**base, "summary": f"cambio {i:02d}", "note": f"nota del cambio {i:02d}"}
        return post(server, sessions[i % 2], path, data)

    with ThreadPoolExecutor(max_workers=EDITS) as pool:
        results = list(pool.map(edit, range(EDITS)))

    statuses = [status for status, _location, _body in results]
    assert all(status in (200, 302) for status in statuses), (statuses, server.log())
    saved = [i for i, (status, _l, _b) in enumerate(results) if status == 302]
    refused = [i for i, (status, _l, body) in enumerate(results) if status == 200]
    assert saved, "at least one edit is saved"
    for i in refused:
        assert 'id="stale-warning"' in results[i][2], results[i][2][-3000:]
    entries = IncidentWorkInfo.objects.filter(ticket=ticket).order_by("pk")
    for i in saved:
        assert entries.filter(notes__contains=f"nota del cambio {i:02d}").count() == 1, i
    for i in refused:
        assert not entries.filter(notes__contains=f"nota del cambio {i:02d}").exists(), i
    assert entries.count() == journal_before + len(saved)
    ticket.refresh_from_db()
    assert ticket.version == 1 + len(saved)


def test_20_concurrent_writers_never_see_a_locked_database(server, agent):
    """On SQLite (2 workers × 10 threads) writers queue for the one write
    lock within the busy timeout instead of failing."""
    customer = CustomerFactory()
    session = session_cookie(agent)
    path = reverse("incidents:new")
    # Built here: a thread that queried the database would keep a connection open.
    data = new_ticket_data(customer, description="Llamada", work_info_notes="")
    started = time.monotonic()

    with ThreadPoolExecutor(max_workers=SQLITE_WRITERS) as pool:
        results = list(
            pool.map(
                lambda i: post(server, session, path, {**data, "work_info_notes": f"w{i}"}),
                range(SQLITE_WRITERS * 5),
            )
        )

    elapsed = time.monotonic() - started
    failures = [(status, body[:200]) for status, _l, body in results if status != 302]
    assert failures == [], server.log()
    assert "database is locked" not in server.log()
    print(f"{SQLITE_WRITERS * 5} creations by {SQLITE_WRITERS} writers in {elapsed:.1f}s")
