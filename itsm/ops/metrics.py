"""Prometheus metrics. Per request, two histograms and a counter are updated
in memory (or, under gunicorn, in the memory-mapped files of
prometheus_client's multiprocess mode, ``ITSM_METRICS_DIR``): no query, no
cache. Everything read from the database or the broker is computed when
``/metrics`` is scraped, by the figures the apps registered
(``itsm.common.figures``)."""

import logging
import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from itsm.common.figures import all_figures

log = logging.getLogger(__name__)

# This process's own instruments; in multiprocess mode they write to files
# and the scrape reads every process's files instead of this registry.
LOCAL = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "itsm_http_request_duration_seconds",
    "Time to answer a request, by route (URL name) and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=LOCAL,
)
REQUEST_QUERIES = Histogram(
    "itsm_http_request_db_queries",
    "Database queries run to answer a request, by route.",
    ["route"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
    registry=LOCAL,
)
RESPONSES = Counter(
    "itsm_http_responses",
    "Responses by route, method and status code.",
    ["route", "method", "status"],
    registry=LOCAL,
)


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def observe_request(*, route: str, method: str, status: int, seconds: float, queries: int) -> None:
    REQUEST_SECONDS.labels(route, method).observe(seconds)
    REQUEST_QUERIES.labels(route).observe(queries)
    RESPONSES.labels(route, method, str(status)).inc()


class FiguresCollector:
    """The registered figures, read now. One that fails (the database is
    down) is left out and counted in ``itsm_figure_errors``, so the rest is
    still served."""

    def collect(self) -> Iterator[Metric]:
        errors = GaugeMetricFamily(
            "itsm_figure_errors", "Figures that could not be read in this scrape."
        )
        failed = 0
        for figure in all_figures():
            try:
                reading = figure.read()
            except Exception:  # a figure's source is down: say so, serve the rest
                log.warning("Could not read the figure %s", figure.name, exc_info=True)
                failed += 1
                continue
            labels = [figure.label] if figure.label else []
            gauge = GaugeMetricFamily(figure.name, figure.documentation, labels=labels)
            if figure.label:
                for value, number in sorted(reading.items()):
                    gauge.add_metric([value], float(number))
            else:
                gauge.add_metric([], float(reading))
            yield gauge
        errors.add_metric([], failed)
        yield errors


class _LocalCollector:
    def collect(self) -> Iterator[Metric]:
        yield from LOCAL.collect()


def exposition() -> bytes:
    """The text a scrape gets: every process's request metrics and the figures."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        registry.register(_LocalCollector())
    registry.register(FiguresCollector())
    return generate_latest(registry)
