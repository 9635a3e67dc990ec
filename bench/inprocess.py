"""What the benchmarks that run Django in this process share (``run.py``,
``customer_page.py``, ``mailbox.py``): production-like settings, the
percentile they report, the timing of one page through the whole stack and
where their figures are written.

Call ``setup()`` before importing anything of Django or the project."""

import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results"


def setup(**environment: str) -> None:
    """Measure what production runs: DEBUG off (no query log, cached
    templates), a worker's start (``itsm.wsgi``), plain HTTP (in-process
    requests: no redirect to HTTPS); ``environment`` adds a script's own
    defaults. The environment wins."""
    defaults = {
        "DJANGO_SETTINGS_MODULE": "itsm.settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key",
        "ALLOWED_HOSTS": "testserver",
        "ITSM_HTTPS": "false",
        **environment,
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    # As a web worker starts: Django set up, the views loaded, the collector told.
    import itsm.wsgi  # noqa: F401


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def write_results(name: str, figures: dict) -> Path:
    """``figures`` as bench/results/<name>.json, for compare.py and the docs."""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(figures, indent=2))
    return out


@dataclass
class PageTiming:
    timings: list[float]  # wall-clock ms per request
    # CPU ms of this process per request (SQLite runs in it, PostgreSQL's
    # share does not): what the page costs when the machine is shared.
    cpu: list[float]
    queries: int

    @property
    def p50(self) -> float:
        return statistics.median(self.timings)


def time_page(client, name: str, url: str, *, warmup: int, requests: int) -> PageTiming:
    """``requests`` GETs of ``url`` after ``warmup`` untimed ones, and the
    queries of one more; stops the script if the page does not answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(url)
    timings, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            sys.exit(f"{name}: {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return PageTiming(timings, cpu, len(queries))
