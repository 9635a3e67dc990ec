"""Mixed throughput of the production shape, and the hello-world floor in the
same run: gunicorn serving ``itsm.wsgi`` on PostgreSQL with Redis as cache
and broker, N logged-in agents sending the soak's page mix back to back (no
think time); then the same gunicorn settings serving a Django app that
answers "hello" (``bench/hello/``), from as many connections. Not a test: it
prints requests/s over the measured window (warm-up left out), p50/p95/p99
overall and per kind of request, the errors, the CPU the client, the
server's workers and the machine used, and the load average.

    DATABASE_URL=postgres://…/bench .venv/bin/python bench/throughput.py \\
        --workers 2 --clients 8 --seconds 60
    … bench/throughput.py --sweep              # a few worker/thread shapes
    … bench/throughput.py --sweep sync:2,gthread:2x4

The database is one ``bench/generate.py`` loaded; it is read as it is (not
migrated, wiped or re-seeded). The bench adds its own agents
(``throughput00``…, a known password) and, through the mix, work-info
entries. Starts its own redis-server unless REDIS_URL is set.
"""

import argparse
import os
import platform
import shutil
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import processes  # noqa: E402
from bench.throughput_load import Result, measure  # noqa: E402

PASSWORD = "throughput-password-2026"
SWEEP = "sync:2,sync:3,sync:4,gthread:2x2,gthread:2x4,gthread:3x4"

# Idempotent: the agents are created once and keep their password; the
# tickets are a random sample of the loaded incidents, new every run.
SETUP = """
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from incidents.models import Incident
from itsm.common.permissions import AGENTS_GROUP
from itsm.models import SupportGroup

role = Group.objects.get(name=AGENTS_GROUP)
desk = SupportGroup.objects.get(is_agent_default=True)
password = os.environ["THROUGHPUT_PASSWORD"]
for i in range(int(os.environ["THROUGHPUT_CLIENTS"])):
    user, _ = get_user_model().objects.get_or_create(username=f"throughput{i:02d}")
    if not user.check_password(password):
        user.set_password(password)
        user.save()
    user.groups.add(role)
    desk.members.add(user)
sample = int(os.environ["THROUGHPUT_SAMPLE"])
print("INCIDENTS", Incident.objects.count())
print("NUMBERS", *Incident.objects.order_by("?").values_list("number", flat=True)[:sample])
"""


@dataclass(frozen=True)
class Shape:
    """How gunicorn runs: worker class, processes, threads per process."""

    worker_class: str
    workers: int
    threads: int

    @classmethod
    def parse(cls, text: str) -> "Shape":
        """``sync:2`` or ``gthread:2x4`` (workers x threads)."""
        worker_class, _, size = text.partition(":")
        workers, _, threads = size.partition("x")
        shape = cls(worker_class, int(workers), int(threads or 1))
        threaded_sync = worker_class == "sync" and shape.threads > 1
        if worker_class not in ("sync", "gthread") or threaded_sync:
            raise SystemExit(f"{text}: sync:<workers> or gthread:<workers>x<threads>")
        return shape

    def arguments(self) -> list[str]:
        return ["--worker-class", self.worker_class, "--workers", str(self.workers)] + [
            "--threads",
            str(self.threads),
        ]

    def __str__(self) -> str:
        threads = f"x{self.threads}" if self.worker_class == "gthread" else ""
        return f"{self.worker_class}:{self.workers}{threads}"


@dataclass
class Desk:
    """What every measurement of one run shares."""

    environment: dict[str, str]
    scratch: Path
    users: list[tuple[str, str]]
    numbers: list[str]
    database: str  # its name, to find its PostgreSQL backends
    args: argparse.Namespace


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Mixed throughput of the production shape, and its hello-world floor."
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--clients", type=int, default=8, help="logged-in agents / connections")
    parser.add_argument("--seconds", type=float, default=60, help="the measured window")
    parser.add_argument("--warmup-seconds", type=float, default=10)
    parser.add_argument("--sample", type=int, default=3000, help="tickets picked at random")
    parser.add_argument("--seed", type=int, default=1, help="of each agent's choices")
    parser.add_argument(
        "--sweep",
        nargs="?",
        const=SWEEP,
        metavar="SHAPES",
        help=f"measure several shapes instead (class:workers[xthreads], default {SWEEP})",
    )
    args = parser.parse_args()
    if args.worker_class == "sync" and args.threads > 1:
        parser.error("sync workers run one thread each: use --worker-class gthread")
    return args


def prepare(args: argparse.Namespace, scratch: Path, redis: str) -> Desk:
    """The environment of the servers, the bench's agents and the tickets."""
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database bench/generate.py loaded.")
    environment = processes.production_environment(
        "throughput",
        scratch,
        CACHE_URL=f"{redis}/1",
        CELERY_BROKER_URL=f"{redis}/0",
        EMAIL_FILE_PATH=str(scratch / "mail"),
        # Every agent logs in from this one address: no lockout from the bench.
        ITSM_LOGIN_FAILURE_LIMIT="1000",
        THROUGHPUT_CLIENTS=str(args.clients),
        THROUGHPUT_PASSWORD=PASSWORD,
        THROUGHPUT_SAMPLE=str(args.sample),
    )
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    try:
        processes.manage(environment, "migrate", "--check")
    except SystemExit as error:
        raise SystemExit(
            f"{error}\nThe database is not migrated: run bench/generate.py --reuse first."
        ) from None
    output = processes.manage(environment, "shell", "-c", SETUP).splitlines()
    # `shell` may print lines of its own: keep ours.
    incidents = next(int(line.split()[1]) for line in output if line.startswith("INCIDENTS "))
    numbers = next(line.split()[1:] for line in output if line.startswith("NUMBERS"))
    if not numbers:
        raise SystemExit("The database holds no incidents: load it with bench/generate.py.")
    where = urllib.parse.urlsplit(database)
    print(f"database {where.hostname}:{where.port}{where.path}: {incidents:,} incidents, ", end="")
    print(f"{len(numbers):,} picked at random; Redis {redis}")
    # The interpreter's build counts: see docs/deployment.md, *The interpreter*.
    print(f"Python {platform.python_version()} ({Path(sys.executable).resolve()})")
    users = [(f"throughput{i:02d}", PASSWORD) for i in range(args.clients)]
    return Desk(environment, scratch, users, numbers, where.path.lstrip("/"), args)


@contextmanager
def served(module: str, shape: Shape, environment: dict, log: Path, probe: str) -> Iterator:
    """gunicorn serving ``module`` in ``shape`` until the block ends: its
    port and the master's pid (the workers are its children)."""
    port = processes.free_port()
    command = ["gunicorn", module, "--bind", f"127.0.0.1:{port}", *shape.arguments()]
    server = processes.start_server(command, environment, log)
    try:
        try:
            processes.wait_for(f"http://127.0.0.1:{port}{probe}", timeout=60)
        except SystemExit as error:
            raise SystemExit(f"{error}; gunicorn's output is in {log}") from None
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=60)


def measure_shape(desk: Desk, shape: Shape) -> tuple[Result, Result]:
    """The desk's mix, then the floor, under the same gunicorn settings."""
    args = desk.args
    timing = (args.warmup_seconds, args.seconds)
    log = desk.scratch / f"desk-{shape}.log"
    load = {"users": desk.users, "numbers": desk.numbers, "seed": args.seed}
    with served("itsm.wsgi", shape, desk.environment, log, "/login/") as (port, pid):
        mixed = measure(port, pid, *timing, **load, database=desk.database)
    floor_environment = {**desk.environment, "DJANGO_SETTINGS_MODULE": "bench.hello.settings"}
    log = desk.scratch / f"hello-{shape}.log"
    with served("bench.hello.wsgi", shape, floor_environment, log, "/") as (port, pid):
        floor = measure(port, pid, *timing, clients=args.clients)
    return mixed, floor


def errors_line(result: Result) -> str:
    total = sum(result.errors.values())
    if not total:
        return "errors: 0"
    listed = ", ".join(f"{what} ×{count}" for what, count in result.errors.most_common())
    return f"errors: {total} ({listed})"


def load_text(load: tuple[float, ...]) -> str:
    return " ".join(f"{value:.2f}" for value in load)


def print_result(title: str, result: Result) -> None:
    p50, p95, p99 = result.quantiles()
    print(f"\n{title}: {result.rate:,.1f} requests/s ({result.requests:,} in {result.seconds:g} s)")
    print(f"  p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms; {errors_line(result)}")
    database = f", PostgreSQL {result.database_cpu_ms:.2f}" if result.database_cpu_ms else ""
    print(
        f"  CPU per request: gunicorn workers {result.server_cpu_ms:.2f} ms{database}; "
        f"client {100 * result.client_cpu:.0f} % of a core, "
        f"machine {100 * result.machine_busy:.0f} % busy"
    )
    start, end = result.load
    print(f"  load average {load_text(start)} at start, {load_text(end)} at end")
    if len(result.latencies) < 2:
        return
    print(f"  {'request':<18}{'n':>8}{'share':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, values in sorted(result.latencies.items(), key=lambda item: -len(item[1])):
        share = 100 * len(values) / result.requests
        p50, p95, p99 = result.quantiles(kind)
        print(f"  {kind:<18}{len(values):>8,}{share:>7.1f}%{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}")


def report(shape: Shape, mixed: Result, floor: Result, args: argparse.Namespace) -> None:
    print(
        f"\ngunicorn {shape.worker_class}, {shape.workers} workers × {shape.threads} threads; "
        f"{args.clients} clients, no think time; {args.warmup_seconds:g} s warm-up left out"
    )
    print_result("desk (itsm.wsgi, the agents' mix)", mixed)
    print_result("hello-world floor (bench.hello.wsgi)", floor)
    print(
        f"\ndesk {mixed.rate:,.1f} requests/s against a floor of {floor.rate:,.1f}: "
        f"{100 * mixed.rate / floor.rate:.1f} % of the floor"
    )


def sweep_table(rows: list[tuple[Shape, Result, Result]]) -> None:
    print("\n| shape | desk req/s | p50 ms | p95 ms | p99 ms | errors ", end="")
    print("| CPU ms/req workers | PostgreSQL | client CPU | floor req/s | of floor | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for shape, mixed, floor in rows:
        p50, p95, p99 = mixed.quantiles()
        print(
            f"| {shape} | {mixed.rate:.1f} | {p50:.1f} | {p95:.1f} | {p99:.1f} "
            f"| {sum(mixed.errors.values())} | {mixed.server_cpu_ms:.1f} "
            f"| {mixed.database_cpu_ms:.1f} "
            f"| {100 * mixed.client_cpu:.0f} % | {floor.rate:,.0f} "
            f"| {100 * mixed.rate / floor.rate:.1f} % | {mixed.load[0][0]:.2f} |"
        )


def main() -> None:
    args = arguments()
    shapes = (
        [Shape.parse(text) for text in args.sweep.split(",")]
        if args.sweep
        else [Shape(args.worker_class, args.workers, args.threads)]
    )
    started_load = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="itsm-throughput-"))
    started = []
    try:
        desk = prepare(args, scratch, processes.redis_url(scratch, started))
        rows = []
        for shape in shapes:
            mixed, floor = measure_shape(desk, shape)
            report(shape, mixed, floor, args)
            rows.append((shape, mixed, floor))
        if len(rows) > 1:
            sweep_table(rows)
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=30)
    print(f"\nload average {load_text(started_load)} at start, {load_text(os.getloadavg())} at end")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
