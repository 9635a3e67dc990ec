"""Two machines on loopback: two gunicorn web nodes and two worker+beat
nodes sharing one PostgreSQL, one Redis, one folder of files and one Dovecot
mailbox. Creations on both web nodes get distinct numbers; mail is stored
once; killing the leading worker hands the beat and the poll to the other
within seconds (leader timings shortened by settings)."""

import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
import redis as redis_client
from django.db import connection
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from conftest import start_service
from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.ops.leader import KEY_PREFIX
from itsm.tests.factories import new_ticket_data
from itsm.tests.test_gunicorn_concurrency import Gunicorn, post, session_cookie
from notifications.models import InboundEmail
from notifications.tests import corpus
from notifications.tests.dovecot import dovecot_running
from notifications.tests.live import CeleryWorker, free_port, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CREATIONS = 200
MAILS = 100
TOKEN = "two-nodes-scrape-token"
# Short leader and poll timings, so a takeover is seconds, not a minute.
WORKER_TIMINGS = {
    "ITSM_LEADER_TTL_SECONDS": "3",
    "ITSM_IMAP_POLL_SECONDS": "1",
    "ITSM_IMAP_LEASE_SECONDS": "6",
    "ITSM_IMAP_BATCH_SIZE": "10",
    "ITSM_LOG_FORMAT": "json",
}


class WebNode(Gunicorn):
    """A web machine: gunicorn with 2 workers, the shared files and broker,
    its request metrics in its own multiprocess folder."""

    def __init__(self, folder: Path, *, shared: Path, broker_url: str) -> None:
        self.shared, self.broker_url = shared, broker_url
        (folder / "metrics").mkdir(parents=True)
        super().__init__(folder, workers=2)

    def environment(self, folder: Path) -> dict[str, str]:
        return {
            **super().environment(folder),
            "PRIVATE_MEDIA_ROOT": str(self.shared),
            "CELERY_BROKER_URL": self.broker_url,
            "ITSM_METRICS_DIR": str(folder / "metrics"),
            "ITSM_METRICS_TOKEN": TOKEN,
        }

    def metric(self, name: str, **labels: str) -> float:
        """The sum of ``name`` over every process of this node, as scraped."""
        request = Request(self.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        with urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == name and sample.labels == labels
        )


@pytest.fixture
def dovecot():
    with dovecot_running("itsm-fleet-dovecot-") as server:
        yield server


@pytest.fixture
def fleet(tmp_path, settings, reference, redis, dovecot):
    if connection.vendor != "postgresql":
        pytest.skip("the machines share one PostgreSQL: run with DATABASE_URL")
    settings.PRIVATE_MEDIA_ROOT = shared = tmp_path / "shared"
    shared.mkdir()
    mailbox = {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in dovecot.settings().items()
    }
    workers = []
    for name in ("a", "b"):
        worker = CeleryWorker(
            tmp_path / f"worker-{name}", broker_url=redis.url, smtp_port=free_port()
        )
        worker.environment.update(mailbox, **WORKER_TIMINGS)
        workers.append(start_service(worker))
    webs = [WebNode(tmp_path / f"web-{name}", shared=shared, broker_url=redis.url) for name in "ab"]
    yield webs, workers
    for worker in workers:
        worker.kill()
    for web in webs:
        web.stop()


def leader_of(redis_url: str, name: str, workers: list[CeleryWorker]) -> CeleryWorker | None:
    """The worker whose process group holds the lock ``name``."""
    holder = redis_client.Redis.from_url(redis_url).get(KEY_PREFIX + name)
    if holder is None:
        return None
    pid = int(holder.decode().split(":")[1])
    for worker in workers:
        try:
            if worker.process.poll() is None and os.getpgid(pid) == worker.process.pid:
                return worker
        except ProcessLookupError:
            return None
    return None


def create_on_both(webs: list[WebNode], sessions: list[str]) -> set[str]:
    """CREATIONS incidents, every other one on each web node; their numbers."""
    data = new_ticket_data(CustomerFactory(), description="Llamada", work_info_notes="flota")
    path = reverse("incidents:new")
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(
            pool.map(lambda i: post(webs[i % 2], sessions[i % 2], path, data), range(CREATIONS))
        )
    failures = [(status, body[:300]) for status, _location, body in results if status != 302]
    assert failures == [], webs[0].log() + webs[1].log()
    return {re.search(r"/(INC\d{12})/", location).group(1) for _s, location, _b in results}


def kill_the_leader(redis_url: str, workers: list[CeleryWorker]) -> CeleryWorker:
    """SIGKILL the worker (and its beat) that leads; the other one."""
    leader = wait_for(lambda: leader_of(redis_url, "beat", workers), timeout=10)
    assert leader is not None
    os.killpg(leader.process.pid, signal.SIGKILL)
    leader.process.wait(timeout=10)
    return workers[1] if leader is workers[0] else workers[0]


def test_two_machines_share_the_work_and_one_leads(fleet, redis, dovecot, agent, other_agent):
    webs, workers = fleet
    started = time.monotonic()

    numbers = create_on_both(webs, [session_cookie(agent), session_cookie(other_agent)])
    assert len(numbers) == CREATIONS
    assert set(Incident.objects.values_list("number", flat=True)) == numbers
    # Each node counts its own half, summed over both of its gunicorn processes.
    for web in webs:
        route = {"route": "incidents:new", "method": "POST", "status": "302"}
        assert web.metric("itsm_http_responses_total", **route) == CREATIONS / 2
    # The figures read at scrape time reach the shared broker and database.
    assert webs[0].metric("itsm_figure_errors") == 0

    # 100 mails: 60 before the leading worker dies while reading them, 40 after
    # (only the other worker can read those).
    message_ids = [f"<fleet-{index}@example.com>" for index in range(MAILS)]
    mails = [corpus.plain(subject=f"Consulta {i}", message_id=m) for i, m in enumerate(message_ids)]
    dovecot.append(mails[:60])
    assert wait_for(lambda: InboundEmail.objects.count() >= 10, timeout=60), (
        workers[0].log_tail() + workers[1].log_tail()
    )
    heir = kill_the_leader(redis.url, workers)
    killed = time.monotonic()
    stored_at_kill = InboundEmail.objects.count()
    dovecot.append(mails[60:])

    assert wait_for(lambda: leader_of(redis.url, "beat", workers) is heir, timeout=60)
    assert wait_for(lambda: InboundEmail.objects.count() >= MAILS, timeout=60), (
        f"{InboundEmail.objects.count()} stored; {stored_at_kill} when the leader died\n"
        + heir.log_tail()
    )
    takeover = time.monotonic() - killed
    stored = list(InboundEmail.objects.values_list("message_id", flat=True))
    assert sorted(stored) == sorted(message_ids), "each mail stored once, none lost"
    # What a worker stored on the shared folder, any machine reads.
    with InboundEmail.objects.get(message_id=message_ids[-1]).raw.open("rb") as handle:
        assert message_ids[-1].encode() in handle.read()
    print(
        f"two nodes: {CREATIONS} creations, {MAILS} mails ({stored_at_kill} before the "
        f"leader died, all {takeover:.1f}s after), {time.monotonic() - started:.1f}s in all"
    )
