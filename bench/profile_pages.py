"""Where each page's time goes: one line per page of ``run.py``, split into
the request's fixed part and the page's own.

    python bench/profile_pages.py --requests 30              # every page
    python bench/profile_pages.py --only "ticket page" --cprofile 25

Columns (medians over the timed requests, ms):

- ``before``: the middleware on the way in, the session, the user and their
  roles: what every page pays before its view runs; its queries apart;
- ``view``: the view's own Python and queries, templates aside;
- ``tmpl``: rendering the templates (queries they trigger included);
- ``after``: the middleware on the way out;
- ``sql``: the time inside the database driver, over the whole request.

``--cprofile N`` prints, for each page, the N functions with the most own time.
Figures are in-process with ``DEBUG`` off, like ``run.py``'s. ``--clock cpu``
times with this thread's CPU clock instead of the wall clock: what the page
costs in Python and SQLite whatever else the machine is doing (PostgreSQL's
own work is then left out).
"""

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.handlers.base import BaseHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.backends.django import Template  # noqa: E402
from django.test import Client  # noqa: E402

from bench import run  # noqa: E402  (sets Django up as run.py does)


class Phases:
    """Wall-clock marks of one request: when the view started and ended,
    the time spent rendering templates and in the database, by phase."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.phase = "before"
        self.view_start = self.view_end = None
        self.template = 0.0
        self.template_depth = 0
        self.sql = defaultdict(float)
        self.queries = defaultdict(int)

    def execute(self, execute, sql, params, many, context):
        started = CLOCK()
        try:
            return execute(sql, params, many, context)
        finally:
            phase = "tmpl" if self.template_depth else self.phase
            self.sql[phase] += CLOCK() - started
            self.queries[phase] += 1


PHASES = Phases()
CLOCK = time.perf_counter


def instrument() -> None:
    """Mark the view's start and end and time the outermost template render."""
    resolve = BaseHandler.resolve_request

    def resolve_request(handler, request):
        match = resolve(handler, request)
        view = match.func

        def timed_view(*args, **kwargs):
            PHASES.view_start, PHASES.phase = CLOCK(), "view"
            try:
                return view(*args, **kwargs)
            finally:
                PHASES.view_end, PHASES.phase = CLOCK(), "after"

        for attribute in ("csrf_exempt", "login_required", "view_class", "cls"):
            if hasattr(view, attribute):
                setattr(timed_view, attribute, getattr(view, attribute))
        match.func = timed_view
        return match

    BaseHandler.resolve_request = resolve_request
    render = Template.render

    def timed_render(template, context=None, request=None):
        PHASES.template_depth += 1
        started = CLOCK()
        try:
            return render(template, context, request)
        finally:
            PHASES.template_depth -= 1
            if not PHASES.template_depth:
                PHASES.template += CLOCK() - started

    Template.render = timed_render


def one_request(runner, scenario) -> dict:
    PHASES.reset()
    started = CLOCK()
    with connection.execute_wrapper(PHASES.execute):
        run.send_once(runner, scenario)
    ended = CLOCK()
    view_start = PHASES.view_start or ended
    view_end = PHASES.view_end or ended
    # A TemplateResponse renders after the view returns, on the way out.
    template = PHASES.template
    ms = 1000
    return {
        "total": (ended - started) * ms,
        "before": (view_start - started) * ms,
        "view": max(0.0, (view_end - view_start) * ms - template * ms),
        "tmpl": template * ms,
        "after": max(0.0, (ended - view_end) * ms),
        "sql": sum(PHASES.sql.values()) * ms,
        "before_sql": PHASES.sql["before"] * ms,
        "q_before": PHASES.queries["before"],
        "q_view": PHASES.queries["view"] + PHASES.queries["after"],
        "q_tmpl": PHASES.queries["tmpl"],
    }


def median_row(samples: list[dict]) -> dict:
    return {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", help="pages whose name contains this text")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime, cumulative…")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args()
    if args.clock == "cpu":
        global CLOCK
        CLOCK = time.thread_time

    instrument()
    users = get_user_model().objects
    agent, coordinator = Client(), Client()
    agent.force_login(users.get(username="bench01"))
    coordinator.force_login(users.get(username="bench00"))
    pages = [(agent, s) for s in run.scenarios(users.get(username="bench01"))]
    pages += [(coordinator, s) for s in run.COORDINATOR_SCENARIOS]
    if args.only:
        pages = [(runner, s) for runner, s in pages if args.only in s[0]]

    print(
        f"{connection.vendor}, {args.requests} requests per page, "
        f"medians in ms of the {args.clock} clock"
    )
    print(f"| {'page':<40} | total | before (q, sql) | view | tmpl | after |  sql | queries |")
    print(f"|{'-' * 42}|------:|----------------:|-----:|-----:|------:|-----:|--------:|")
    for runner, scenario in pages:
        for _ in range(args.warmup):
            run.send_once(runner, scenario)
        row = median_row([one_request(runner, scenario) for _ in range(args.requests)])
        before = f"{row['before']:.1f} ({row['q_before']:.0f}, {row['before_sql']:.1f})"
        queries = f"{row['q_view']:.0f}+{row['q_tmpl']:.0f}"
        print(
            f"| {scenario[0]:<40} | {row['total']:5.1f} | {before:>15} | {row['view']:4.1f} "
            f"| {row['tmpl']:4.1f} | {row['after']:5.1f} | {row['sql']:4.1f} | {queries:>7} |",
            flush=True,
        )
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                run.send_once(runner, scenario)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.cprofile)
            print(out.getvalue().split("\n", 6)[-1])


if __name__ == "__main__":
    main()
