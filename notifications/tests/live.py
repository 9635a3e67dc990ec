"""The real parts the integration tests start: redis-server, the SMTP sink
and ``celery -A itsm worker`` (with beat), each a subprocess on loopback."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from itsm.celery import app as celery_app

# Settings of the worker under test: short timeouts, a short lease and a fast
# sweep, so every scenario takes seconds.
WORKER_SETTINGS = {
    "EMAIL_TIMEOUT": "2",
    "ITSM_EMAIL_SEND_TIME_LIMIT": "3",
    "ITSM_EMAIL_LEASE_SECONDS": "4",
    "ITSM_EMAIL_RETRY_BASE_MS": "200",
    "ITSM_EMAIL_RETRY_MAX_MS": "800",
    "ITSM_EMAIL_MAX_ATTEMPTS": "40",
    "ITSM_EMAIL_SWEEP_EVERY_SECONDS": "1",
    "ITSM_EMAIL_STUCK_AFTER_SECONDS": "2",
    "CELERY_BROKER_VISIBILITY_TIMEOUT": "60",
    # A worker started again after a kill leads again within seconds.
    "ITSM_LEADER_TTL_SECONDS": "2",
}


class ServiceUnavailable(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            return result
        time.sleep(interval)


def _stop(process: subprocess.Popen, *, kill: bool = False) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class RedisServer:
    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceUnavailable("redis-server is not installed")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_for(self._answers, timeout=10):
            self.stop()
            raise ServiceUnavailable("redis-server did not start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        _stop(self.process)


class SmtpSink:
    """The SMTP server, on a port reserved up front so a test can start it
    after the worker (the server "comes back")."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.set_mode("accept")

    def set_mode(self, mode: str) -> None:
        (self.folder / "mode").write_text(mode)

    def start(self) -> "SmtpSink":
        (self.folder / "ready").unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "notifications.tests.smtp_sink",
                "--port",
                str(self.port),
                "--folder",
                str(self.folder),
            ],
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "sink.log", "a"),  # noqa: SIM115
            start_new_session=True,
        )
        if not wait_for((self.folder / "ready").exists, timeout=10):
            self.stop()
            raise ServiceUnavailable("the SMTP server (aiosmtpd) did not start")
        return self

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def messages(self) -> list[dict]:
        """What was received, oldest first, each with the parsed message."""
        received = []
        for path in sorted((self.folder / "messages").glob("*.json")):
            record = json.loads(path.read_text())
            raw = record["data"].encode("latin-1")
            record["message"] = message_from_bytes(raw, policy=policy.default)
            received.append(record)
        return received

    def rcpt_attempts(self) -> int:
        try:
            return len((self.folder / "rcpt.log").read_text().splitlines())
        except FileNotFoundError:
            return 0


def database_environment() -> dict[str, str]:
    """Point the worker at the database this test uses (the test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"SQLITE_PATH": str(db["NAME"]), "DATABASE_URL": ""}
    credentials = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    url = f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{quote(db['NAME'], safe='')}"
    return {"DATABASE_URL": url, "DATABASE_CONN_MAX_AGE": "0"}


class CeleryWorker:
    """``celery -A itsm worker -B`` in its own process group, so a test can
    kill it and everything it forked at once (SIGKILL: no cleanup at all)."""

    def __init__(self, folder: Path, *, broker_url: str, smtp_port: int) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "worker.log"
        self.environment = {
            **os.environ,
            **WORKER_SETTINGS,
            **database_environment(),
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "DEBUG": "true",
            "PYTHONUNBUFFERED": "1",
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> "CeleryWorker":
        self.starts += 1
        log = open(self.log_path, "a")  # noqa: SIM115
        log.write(f"\n===== start {self.starts}\n")
        log.flush()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "itsm",
                "worker",
                "--beat",
                "--schedule",
                str(self.folder / f"beat-schedule-{self.starts}"),
                "--pool",
                "prefork",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
                "--hostname",
                f"test{self.starts}-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        marker = f"test{self.starts}-{os.getpid()}@"
        ready = wait_for(lambda: self.process.poll() is not None or self._ready(marker), timeout=30)
        if not ready or self.process.poll() is not None:
            self.stop()
            raise ServiceUnavailable("the Celery worker did not start:\n" + self.log_tail())
        return self

    def _ready(self, marker: str) -> bool:
        text = self.log_path.read_text(errors="replace")
        section = text.rsplit("===== start", 1)[-1]
        return marker in section and " ready." in section

    def kill(self) -> None:
        if self.process is not None:
            _stop(self.process, kill=True)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def _reset_pools() -> None:
    # The app's pools are kombu's global ones, kept by broker address: one
    # closed and left there fails every later publish in this process (an
    # eager task included), so they are closed and forgotten together.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def publishing_to(broker_url: str):
    """Make this process (the web side) publish tasks to ``broker_url``
    instead of running them in-process."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager)
    _reset_pools()
    conf.broker_url, conf.task_always_eager = broker_url, False
    try:
        yield
    finally:
        _reset_pools()
        conf.broker_url, conf.task_always_eager = saved


def parts(message: EmailMessage) -> dict[str, object]:
    """Text, HTML and attachment names of a received message."""
    return {
        "text": message.get_body(("plain",)).get_content(),
        "html": message.get_body(("html",)).get_content(),
        "attachments": [part.get_filename() for part in message.iter_attachments()],
    }
