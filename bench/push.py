"""The pop-ups' push channel under load, in the production shape: the pages
and the phone system's endpoint on gunicorn (WSGI), the push streams on
uvicorn (``itsm.asgi``, two workers), Redis pub/sub between them. Many
agents hold their stream open; the phone system posts one call a second,
each to a different agent's extension. Not a test: it prints the time from
the POST to the event arriving on that agent's stream (p50/p95/max), the
memory each open stream costs the push workers, and the Redis connections.

    .venv/bin/python bench/push.py --agents 200 --calls 60

SQLite in a scratch folder unless DATABASE_URL names an empty PostgreSQL
database; its own redis-server on a free loopback port unless REDIS_URL is
set (a database number is appended: REDIS_URL=redis://127.0.0.1:56379).
"""

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import (  # noqa: E402
    children_memory,
    children_threads,
    free_port,
    production_shape,
    wait_for,
)

SETUP = """
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from itsm.common.permissions import AGENTS_GROUP
from telephony.models import AgentPhone, CtiIntegration

group = Group.objects.get(name=AGENTS_GROUP)
for i in range(int(os.environ["PUSH_AGENTS"])):
    user, _ = get_user_model().objects.get_or_create(username=f"push{i:04d}")
    user.groups.add(group)
    AgentPhone.objects.get_or_create(user=user, defaults={"extension": str(1000 + i)})
    client = Client()
    client.force_login(user)
    print("SESSION", 1000 + i, user.pk, client.cookies["sessionid"].value)
token = CtiIntegration.new_token()
pbx = CtiIntegration.objects.filter(name="bench").first() or CtiIntegration(name="bench")
pbx.set_token(token)
pbx.save()
print("TOKEN", token)
"""


class Channel:
    """One agent's stream, read line by line; the arrival of each event."""

    def __init__(self, port: int, session: str) -> None:
        self.port = port
        self.session = session
        self.arrivals: list[float] = []
        self.ready = asyncio.Event()
        self.error = ""

    async def run(self) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            writer.write(
                (
                    "GET /push/calls/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Cookie: sessionid={self.session}\r\nAccept: text/event-stream\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            status = await reader.readline()
            if b" 200 " not in status:
                self.error = status.decode(errors="replace").strip()
                self.ready.set()
                return
            while True:
                line = await reader.readline()
                if not line:
                    return
                if line.startswith(b"retry:"):
                    self.ready.set()
                elif line.startswith(b"data:"):
                    self.arrivals.append(time.monotonic())
        except OSError as error:
            self.error = str(error)
            self.ready.set()


async def scenario(args, push_port: int, web_port: int, sessions: list, token: str) -> dict:
    channels = {ext: Channel(push_port, key) for ext, _pk, key in sessions}
    tasks = [asyncio.create_task(c.run()) for c in channels.values()]
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in channels.values())), 60)
    # Each stream subscribes right after its first line: let the last ones do so.
    await asyncio.sleep(1)
    failed = [c.error for c in channels.values() if c.error]
    extensions = list(channels)
    random.Random(7).shuffle(extensions)
    latencies = []
    missed = 0
    url = f"http://127.0.0.1:{web_port}/api/v1/cti/{token}"
    for index in range(args.calls):
        extension = extensions[index % len(extensions)]
        channel = channels[extension]
        seen = len(channel.arrivals)
        body = json.dumps(
            {
                "event": "newCall",
                "from": f"+3461{index:07d}",
                "to": "+34910000000",
                "direction": "in",
                "callId": f"bench-{time.time_ns()}",
                "user[]": [extension],
            }
        ).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json"}
        )
        sent = time.monotonic()
        await asyncio.to_thread(urllib.request.urlopen, request, timeout=10)
        deadline = sent + 5
        while len(channel.arrivals) == seen and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
        if len(channel.arrivals) > seen:
            latencies.append((channel.arrivals[seen] - sent) * 1000)
        else:
            missed += 1
        await asyncio.sleep(max(0.0, sent + 1 / args.rate - time.monotonic()))
    others = sum(len(c.arrivals) for c in channels.values()) - len(latencies)
    for task in tasks:
        task.cancel()
    return {"latencies": latencies, "missed": missed, "failed": failed, "stray": others}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--rate", type=float, default=1.0, help="calls a second")
    parser.add_argument("--push-workers", type=int, default=2)
    args = parser.parse_args()
    with production_shape("push-bench") as shape:
        shape.environment.update(
            PUSH_REDIS_URL=f"{shape.redis}/3",
            PUSH_STREAM_SECONDS="3600",
            PUSH_AGENTS=str(args.agents),
        )
        if not shape.environment.get("DATABASE_URL"):
            shape.environment["SQLITE_PATH"] = str(shape.scratch / "push.sqlite3")
        shape.manage("migrate", "--noinput", "-v0")
        out = shape.manage("shell", "-c", SETUP).splitlines()
        sessions = [tuple(line.split()[1:]) for line in out if line.startswith("SESSION ")]
        token = next(line.split()[1] for line in out if line.startswith("TOKEN "))
        web_port, push_port = free_port(), free_port()
        shape.start(
            ["gunicorn", "itsm.wsgi", "--bind", f"127.0.0.1:{web_port}", "--workers", "2"],
            "web.log",
        )
        push = shape.start(
            ["uvicorn", "itsm.asgi:application", "--port", str(push_port)]
            + ["--workers", str(args.push_workers), "--log-level", "warning"],
            "push.log",
        )
        wait_for(f"http://127.0.0.1:{web_port}/login/")
        wait_for(f"http://127.0.0.1:{push_port}/login/")
        time.sleep(1)
        idle = sum(children_memory(push.pid))
        idle_threads = children_threads(push.pid)
        result = asyncio.run(scenario(args, push_port, web_port, sessions, token))
        loaded = sum(children_memory(push.pid))
        loaded_threads = children_threads(push.pid)
    report(args, result, (idle, loaded), (idle_threads, loaded_threads))


def report(args, result: dict, memory: tuple[int, int], threads: tuple[int, int]) -> None:
    idle, loaded = memory
    latencies = sorted(result["latencies"])
    print(f"agents holding a stream: {args.agents - len(result['failed'])} of {args.agents}")
    if result["failed"]:
        print("  refused:", result["failed"][:3])
    print(f"calls: {args.calls} at {args.rate}/s; delivered {len(latencies)}")
    print(f"  not delivered within 5 s: {result['missed']}")
    if latencies:
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        print(
            f"POST → browser event (ms): p50 {statistics.median(latencies):.1f}"
            f"  p95 {p95:.1f}  max {latencies[-1]:.1f}"
        )
    print(
        f"push workers' memory: {idle / 1024:.1f} MiB idle, {loaded / 1024:.1f} MiB with "
        f"the streams open: {(loaded - idle) / max(args.agents, 1):.1f} KiB per stream"
    )
    print(f"push workers' threads: {threads[0]} idle, {threads[1]} with the streams open")
    print(f"events delivered to other agents than the one called: {result['stray']}")


if __name__ == "__main__":
    main()
