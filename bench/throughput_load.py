"""The load of ``throughput.py``: logged-in agents sending the soak's page mix
back to back (or, for the floor, plain GETs of one URL) over the asyncio
client of ``httpclient.py``, and what is measured while they do — each
request's kind, latency and outcome, the CPU the client, the server's
workers and the whole machine used over the measured window."""

import asyncio
import os
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.httpclient import Response, Session
from bench.processes import proc_files

TICKET_PATH = re.compile(r"^/incidents/INC\d+/")
WORK_INFO = {
    "wi-notes": "Llamada de seguimiento",
    "wi-type": "notes",
    "wi-view_access": "internal",
    "wi-requires_attention": "",
}


@dataclass
class Tally:
    """Every request that ended inside the measured window."""

    window_start: float = 0.0
    window_end: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)

    def record(self, kind: str, started: float, problem: str | None) -> None:
        ended = time.perf_counter()
        if self.window_start <= ended <= self.window_end:
            self.latencies[kind].append(ended - started)
            if problem:
                self.errors[f"{kind}: {problem}"] += 1

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())


@dataclass
class Result:
    """One measurement: the figures the report prints."""

    requests: int
    seconds: float
    latencies: dict[str, list[float]]
    errors: Counter
    client_cpu: float  # share of one core the client process used
    server_cpu_ms: float  # the server's workers' CPU per request
    database_cpu_ms: float  # the PostgreSQL backends' CPU per request
    machine_busy: float  # share of all cores busy, everything included
    load: tuple[tuple[float, ...], tuple[float, ...]]  # load average at start, end

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def quantiles(self, kind: str | None = None) -> tuple[float, float, float]:
        """p50, p95, p99 in milliseconds, of one kind or of all."""
        values = self.latencies[kind] if kind else sum(self.latencies.values(), [])
        if len(values) < 2:
            return (values[0] * 1000,) * 3 if values else (0.0, 0.0, 0.0)
        cuts = statistics.quantiles(values, n=100)
        return tuple(cuts[i] * 1000 for i in (49, 94, 98))


def _problem(response: Response, expected: int) -> str | None:
    """What is wrong with an answer, if anything."""
    if response.status == expected:
        if expected == 302 and response.headers.get("location", "").startswith("/login/"):
            return "sent to the login page"
        return None
    return f"status {response.status}"


class Agent:
    """One logged-in agent working through the soak's mix (bench/soak.py,
    Agent.run) with no pause between requests."""

    def __init__(self, session: Session, numbers: list[str], rng: random.Random, tally: Tally):
        self.session, self.numbers, self.rng, self.tally = session, numbers, rng, tally

    async def login(self, username: str, password: str) -> None:
        await self.session.get("/login/")
        form = {
            "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
            "username": username,
            "password": password,
        }
        answer = await self.session.post("/login/", form)
        if answer.status != 302 or "sessionid" not in self.session.cookies:
            raise SystemExit(f"{username} could not log in (status {answer.status})")

    async def send(self, kind: str, path: str, form: dict[str, str] | None = None) -> str:
        """One request, recorded; a redirect is followed (as a browser does)
        and recorded as a request of its own. The page's text, or ""."""
        started = time.perf_counter()
        try:
            if form is None:
                answer = await self.session.get(path)
            else:
                token = self.session.cookies.get("csrftoken", "")
                answer = await self.session.post(path, {"csrfmiddlewaretoken": token, **form})
        except (OSError, TimeoutError) as error:
            self.tally.record(kind, started, f"no answer ({type(error).__name__})")
            return ""
        # A POST and a search by number answer with a redirect to the ticket.
        redirect = form is not None or (kind == "search" and answer.status == 302)
        self.tally.record(kind, started, _problem(answer, 302 if redirect else 200))
        location = answer.headers.get("location", "").split("#")[0]
        if answer.status == 302 and TICKET_PATH.match(location):
            return await self.send("ticket page", location)
        return answer.text() if answer.status == 200 else ""

    async def work(self, until: float) -> None:
        while time.perf_counter() < until:
            choice = self.rng.random()
            number = self.rng.choice(self.numbers)
            if choice < 0.35:
                await self.send("console", "/incidents/?f=1&open=on")
            elif choice < 0.55:
                query = self.rng.choice(["garcia", "lopez", number])
                await self.send("search", "/search/?q=" + query)
            elif choice < 0.80:
                await self.send("ticket page", f"/incidents/{number}/")
            elif choice < 0.90:
                page = await self.send("ticket page", f"/incidents/{number}/")
                if 'name="wi-notes"' in page:
                    await self.send("add work info", f"/incidents/{number}/work-info/", WORK_INFO)
            else:
                await self.send("new ticket page", "/incidents/new/")


class Caller:
    """A client of the floor: the same URL again and again."""

    def __init__(self, session: Session, tally: Tally) -> None:
        self.session, self.tally = session, tally

    async def work(self, until: float) -> None:
        while time.perf_counter() < until:
            started = time.perf_counter()
            try:
                answer = await self.session.get("/")
            except (OSError, TimeoutError) as error:
                self.tally.record("hello", started, f"no answer ({type(error).__name__})")
                continue
            self.tally.record("hello", started, _problem(answer, 200))


def _ticks(pid: int) -> int:
    """CPU clock ticks (user + system) a process has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _backends(database: str) -> list[int]:
    """The PostgreSQL backends connected to ``database`` (from their titles:
    "postgres: user database host(port) state")."""
    return [
        pid
        for pid, title in proc_files("cmdline")
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title
    ]


def _machine() -> tuple[int, int]:
    """Busy and total clock ticks of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and waiting for I/O
    return sum(values) - idle, sum(values)


class Meter:
    """CPU used between ``start()`` and ``stop()``: this process, the server's
    workers (the children of ``server_pid``), the PostgreSQL backends of
    ``database`` (a backend that connects in between counts from zero, one
    that leaves is lost) and the whole machine."""

    def __init__(self, server_pid: int, database: str | None) -> None:
        self.server_pid, self.database = server_pid, database

    def _read(self) -> tuple[float, float, int, dict[int, int], tuple[int, int]]:
        workers = sum(_ticks(pid) for pid in _children(self.server_pid))
        backends = {pid: _ticks(pid) for pid in _backends(self.database)} if self.database else {}
        return time.perf_counter(), time.process_time(), workers, backends, _machine()

    def start(self) -> None:
        self.load_start = os.getloadavg()
        self.first = self._read()

    def stop(self) -> None:
        self.load_end = os.getloadavg()
        self.last = self._read()

    def figures(self, requests: int) -> dict:
        wall0, cpu0, workers0, backends0, (busy0, all0) = self.first
        wall1, cpu1, workers1, backends1, (busy1, all1) = self.last
        backends = sum(ticks - backends0.get(pid, 0) for pid, ticks in backends1.items())
        per_request = 1000 / os.sysconf("SC_CLK_TCK") / max(requests, 1)
        return {
            "client_cpu": (cpu1 - cpu0) / (wall1 - wall0),
            "server_cpu_ms": (workers1 - workers0) * per_request,
            "database_cpu_ms": backends * per_request,
            "machine_busy": (busy1 - busy0) / max(all1 - all0, 1),
            "load": (self.load_start, self.load_end),
        }


async def _measure(
    workers: list[Callable[[float], Awaitable[None]]],
    tally: Tally,
    meter: Meter,
    warmup: float,
    seconds: float,
) -> None:
    now = time.perf_counter()
    tally.window_start, tally.window_end = now + warmup, now + warmup + seconds
    tasks = [asyncio.create_task(work(tally.window_end)) for work in workers]
    await asyncio.sleep(warmup)
    meter.start()
    await asyncio.sleep(max(0.0, tally.window_end - time.perf_counter()))
    meter.stop()
    await asyncio.gather(*tasks)


async def _desk(base: tuple[str, int], users: list[tuple[str, str]], numbers, seed, timing):
    tally = Tally()
    agents = [
        Agent(Session(*base), numbers, random.Random(seed + index), tally)
        for index in range(len(users))
    ]
    # Logins (a deliberately slow password hash) come before the clock starts.
    await asyncio.gather(*(a.login(*user) for a, user in zip(agents, users, strict=True)))
    await _measure([a.work for a in agents], tally, *timing)
    for agent in agents:
        agent.session.close()
    return tally


async def _floor(base: tuple[str, int], clients: int, timing) -> Tally:
    tally = Tally()
    callers = [Caller(Session(*base), tally) for _ in range(clients)]
    await _measure([c.work for c in callers], tally, *timing)
    for caller in callers:
        caller.session.close()
    return tally


def measure(
    port: int,
    server_pid: int,
    warmup: float,
    seconds: float,
    users: list[tuple[str, str]] | None = None,
    numbers: list[str] | None = None,
    clients: int = 0,
    seed: int = 1,
    database: str | None = None,
) -> Result:
    """The desk's mix with ``users`` (username, password) on the ticket
    ``numbers``, or the floor's GETs from ``clients`` connections; the CPU
    of ``database``'s PostgreSQL backends is counted too."""
    meter = Meter(server_pid, database)
    timing = (meter, warmup, seconds)
    base = ("127.0.0.1", port)
    if users:
        tally = asyncio.run(_desk(base, users, numbers, seed, timing))
    else:
        tally = asyncio.run(_floor(base, clients, timing))
    return Result(
        requests=tally.requests,
        seconds=seconds,
        latencies=dict(tally.latencies),
        errors=tally.errors,
        **meter.figures(tally.requests),
    )
