"""What the benchmarks that start the production shape (``push.py``,
``soak.py``) share: a scratch folder with a redis-server of their own and the
environment the servers run with, all torn down at the end
(``production_shape``); free loopback ports, ``manage.py`` and the servers
started in the checkout, waiting for a server to answer and reading its
workers' memory from /proc.
Standard library only: these scripts run outside Django."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server on a free loopback port, nothing saved; and its URL
    without a database number (each script appends its own)."""
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    return process, f"redis://127.0.0.1:{port}"


def redis_url(scratch: Path, processes: list[subprocess.Popen]) -> str:
    """REDIS_URL as the environment names it, else a redis-server of our own
    (added to ``processes``, to be stopped with the others)."""
    if url := os.environ.get("REDIS_URL"):
        return url
    process, url = start_redis(scratch)
    processes.append(process)
    return url


def production_environment(name: str, scratch: Path, **settings: str) -> dict[str, str]:
    """The environment of the production shape on loopback: no debug, no
    HTTPS, a throwaway secret, private files in ``scratch``, warnings only;
    ``settings`` on top."""
    return {
        **os.environ,
        "DEBUG": "false",
        "ITSM_HTTPS": "false",
        "SECRET_KEY": f"{name}-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PRIVATE_MEDIA_ROOT": str(scratch / "private"),
        "LOG_LEVEL": "WARNING",
        **settings,
    }


@dataclass
class Shape:
    """The production shape of one benchmark run: its scratch folder, the
    Redis URL (no database number), the servers' environment (add settings
    before starting anything) and the processes to stop at the end."""

    scratch: Path
    redis: str
    environment: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def manage(self, *args: str) -> str:
        return manage(self.environment, *args)

    def start(self, module: list[str], log_name: str) -> subprocess.Popen:
        """A server or worker, its output in the scratch folder, stopped at the end."""
        process = start_server(module, self.environment, self.scratch / log_name)
        self.processes.append(process)
        return process


@contextmanager
def production_shape(name: str) -> Iterator[Shape]:
    """A scratch folder and Redis for a run named ``name``; on the way out
    every process started is stopped (killed if it does not stop) and the
    folder removed."""
    scratch = Path(tempfile.mkdtemp(prefix=f"itsm-{name}-"))
    processes: list[subprocess.Popen] = []
    try:
        redis = redis_url(scratch, processes)
        yield Shape(scratch, redis, production_environment(name, scratch), processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(scratch, ignore_errors=True)


def manage(environment: dict[str, str], *args: str) -> str:
    """``manage.py *args`` in the checkout with ``environment``; its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def start_server(module: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    """``python -m *module`` (a server, a worker) in the checkout, its output in ``log``."""
    return subprocess.Popen(
        [sys.executable, "-m", *module],
        cwd=ROOT,
        env=environment,
        stdout=open(log, "w"),  # noqa: SIM115 - lives as long as the server
        stderr=subprocess.STDOUT,
    )


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def proc_files(name: str) -> Iterator[tuple[int, bytes]]:
    """(pid, contents) of ``/proc/<pid>/<name>`` for each process still there."""
    for path in Path("/proc").glob(f"[0-9]*/{name}"):
        try:
            yield int(path.parent.name), path.read_bytes()
        except OSError:
            continue


def _children_status(parent_pid: int) -> list[str]:
    """The /proc status of each process whose parent is ``parent_pid``."""
    statuses = (raw.decode(errors="replace") for _pid, raw in proc_files("status"))
    return [text for text in statuses if re.search(rf"^PPid:\s+{parent_pid}$", text, re.M)]


def children_memory(parent_pid: int) -> list[int]:
    """Resident memory (KiB) of each process whose parent is ``parent_pid``."""
    sizes = []
    for text in _children_status(parent_pid):
        match = re.search(r"^VmRSS:\s+(\d+)", text, re.M)
        if match:
            sizes.append(int(match.group(1)))
    return sorted(sizes)


def children_threads(parent_pid: int) -> int:
    """Threads of the processes whose parent is ``parent_pid``."""
    return sum(
        int(re.search(r"^Threads:\s+(\d+)", text, re.M).group(1))
        for text in _children_status(parent_pid)
    )
