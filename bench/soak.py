"""Soak: simulated agents working for a while against the production shape —
gunicorn (4 workers), PostgreSQL, Redis (cache and broker) and a Celery
worker — over HTTP, with a mixed read/write load. Not a test: it prints
figures (p50/p95/p99 per kind of request, errors, worker memory over time).

    createdb soak   # an empty PostgreSQL database it may fill
    DATABASE_URL=postgres://…/soak python bench/soak.py --agents 50 --minutes 10

Starts its own redis-server on a free loopback port unless REDIS_URL is set.
"""

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import children_memory, free_port, production_shape, wait_for  # noqa: E402

PASSWORD = "soak-password-2026"

SETUP = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from customers.tests.factories import CustomerFactory
from itsm.models import SupportGroup
from itsm.common.permissions import AGENTS_GROUP
from itsm.tests.factories import make_incident

agents = []
for i in range(int(__import__("os").environ["SOAK_AGENTS"])):
    user, _ = get_user_model().objects.get_or_create(username=f"soak{{i:03d}}")
    user.set_password("{PASSWORD}")
    user.save()
    user.groups.add(Group.objects.get(name=AGENTS_GROUP))
    SupportGroup.objects.get(is_agent_default=True).members.add(user)
    agents.append(user)
for i in range(200):
    make_incident(user=agents[i % len(agents)], customer=CustomerFactory())
print("ready")
"""


class Agent(threading.Thread):
    """One agent: logs in, then works until told to stop."""

    def __init__(self, base: str, username: str, numbers: list[str], stop, record) -> None:
        super().__init__(daemon=True)
        self.base, self.username, self.numbers = base, username, numbers
        self.stop, self.record = stop, record
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, kind: str, path: str, data: dict | None = None) -> str:
        body = None
        headers = {"Referer": self.base + path}
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf(), **data}).encode()
        started = time.monotonic()
        status, text = 0, ""
        try:
            with self.opener.open(
                urllib.request.Request(self.base + path, body, headers), timeout=60
            ) as response:
                status, text = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        self.record(kind, time.monotonic() - started, status)
        return text

    def run(self) -> None:
        self.request("login page", "/login/")
        self.request("login", "/login/", {"username": self.username, "password": PASSWORD})
        while not self.stop.is_set():
            choice = random.random()
            number = random.choice(self.numbers)
            if choice < 0.35:
                self.request("console", "/incidents/?f=1&open=on")
            elif choice < 0.55:
                self.request("search", "/search/?q=" + random.choice(["garcia", "lopez", number]))
            elif choice < 0.80:
                self.request("ticket page", f"/incidents/{number}/")
            elif choice < 0.90:
                page = self.request("ticket page", f"/incidents/{number}/")
                if 'name="wi-notes"' in page:
                    self.request(
                        "add work info",
                        f"/incidents/{number}/work-info/",
                        {
                            "wi-notes": "Llamada de seguimiento",
                            "wi-type": "notes",
                            "wi-view_access": "internal",
                            "wi-requires_attention": "",
                        },
                    )
            else:
                self.request("new ticket page", "/incidents/new/")
            time.sleep(random.uniform(0.5, 2.0))


def row(kind: str, values: list[float]) -> str:
    q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
    p50, p95, p99 = (q[i] * 1000 for i in (49, 94, 98))
    return f"{kind:<18}{len(values):>7}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to an empty PostgreSQL database.")
    with production_shape("soak") as shape:
        port = free_port()
        shape.environment.update(
            CACHE_URL=f"{shape.redis}/1",
            CELERY_BROKER_URL=f"{shape.redis}/0",
            EMAIL_FILE_PATH=str(shape.scratch / "mail"),
            SOAK_AGENTS=str(args.agents),
            # Every agent works from this one address: no lockouts from the soak itself.
            ITSM_LOGIN_FAILURE_LIMIT="1000",
        )
        shape.manage("migrate", "--noinput", "-v0")
        shape.manage("shell", "-c", SETUP)
        gunicorn = shape.start(
            ["gunicorn", "itsm.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4"],
            "gunicorn.log",
        )
        shape.start(
            ["celery", "-A", "itsm", "worker", "--concurrency", "2", "--loglevel", "WARNING"],
            "worker.log",
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/login/")
        numbers = shape.manage(
            "shell",
            "-c",
            "from incidents.models import Incident; "
            "print(' '.join(Incident.objects.values_list('number', flat=True)))",
        ).split()
        # `shell` may print its own lines first: keep the ticket numbers only.
        numbers = [word for word in numbers if re.fullmatch(r"INC\d{12}", word)]
        started, timings, statuses, memory = load(args, base, numbers, gunicorn.pid)
    report(args, time.monotonic() - started, timings, statuses, memory)


def load(args, base: str, numbers: list[str], gunicorn_pid: int) -> tuple:
    """The agents at work for the minutes asked, the workers' memory sampled meanwhile."""
    timings: dict[str, list[float]] = defaultdict(list)
    statuses: dict[int, int] = defaultdict(int)
    lock = threading.Lock()

    def record(kind: str, seconds: float, status: int) -> None:
        with lock:
            timings[kind].append(seconds)
            statuses[status] += 1

    stop = threading.Event()
    agents = [Agent(base, f"soak{i:03d}", numbers, stop, record) for i in range(args.agents)]
    memory = [(0.0, children_memory(gunicorn_pid))]
    started = time.monotonic()
    for agent in agents:
        agent.start()
    try:
        while time.monotonic() - started < args.minutes * 60:
            time.sleep(min(30, args.minutes * 60 / 10))
            memory.append((time.monotonic() - started, children_memory(gunicorn_pid)))
    finally:
        stop.set()
        for agent in agents:
            agent.join(timeout=70)
    return started, timings, statuses, memory


def report(args, elapsed: float, timings: dict, statuses: dict, memory: list) -> None:
    total = sum(len(v) for v in timings.values())
    errors = sum(count for status, count in statuses.items() if status >= 500 or status == 0)
    print(
        f"{args.agents} agents, {elapsed / 60:.1f} min, {total} requests ({total / elapsed:.1f}/s)"
    )
    print(f"statuses: {dict(sorted(statuses.items()))}; errors (5xx or no answer): {errors}")
    print(f"{'request':<18}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    everything = []
    for kind, values in sorted(timings.items()):
        # Each agent logs in once (a deliberately slow password hash): not work.
        if not kind.startswith("login"):
            everything += values
        print(row(kind, values))
    print(row("all but login", everything))
    print("worker memory (MiB, each of 4 workers):")
    for at, sizes in memory:
        print(f"  {at / 60:5.1f} min: {', '.join(f'{s / 1024:.0f}' for s in sizes)}")
    # Workers grow while they load code and fill caches; "flat" is measured
    # from the end of that warm-up (the first fifth of the run) to the end.
    warm = next((sizes for at, sizes in memory if at >= elapsed / 5), memory[-1][1])
    first, last = sum(warm), sum(memory[-1][1])
    if first:
        print(f"growth after the warm-up (first fifth): {100 * (last - first) / first:+.1f} %")


if __name__ == "__main__":
    main()
