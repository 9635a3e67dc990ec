"""Server-side latency and queries per request of the pages agents use all day.

    python bench/generate.py --tickets 1000000      # once per database
    python bench/run.py --requests 50

Requests go through the whole Django stack in-process (middleware, sessions,
templates), timed from the request to the rendered response, so the figures
are the server's share of what an agent waits for. Prints a table and writes
JSON to bench/results/<vendor>-<tickets>.json.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.inprocess import percentile, setup, write_results  # noqa: E402

# The API's rate per token would stop the timed requests: measure the work, not the limit.
setup(ITSM_API_RATE="1000000/minute")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from api.tokens import token_create  # noqa: E402
from bench.api_pairs import API_PAIRS, api_against_pages  # noqa: E402
from customers.models import Customer  # noqa: E402
from incidents.models import Incident  # noqa: E402
from itsm.common.pagination import encode_cursor  # noqa: E402
from itsm.dashboard import dashboard_refresh  # noqa: E402
from itsm.models import Status, SupportGroup, TicketTemplate  # noqa: E402
from workorders.models import WorkOrder  # noqa: E402


def scenarios(user) -> list[tuple[str, str, str, dict | None, int]]:
    """(name, method, url, data, expected status)."""
    total = Incident.objects.count()
    middle = Incident.objects.get(number=Incident.format_number(max(1, total // 2)))
    deep = Incident.objects.order_by("-updated_at", "-id").values_list("updated_at", "id")[
        max(0, total * 3 // 4)
    ]
    group = SupportGroup.objects.get(is_agent_default=True)
    customers = Customer.objects.order_by("pk")
    # Searched for, and a different one that the creation scenario gives a new
    # ticket per request: run after run, the searched customer keeps the
    # handful of tickets a real one has.
    customer = customers[customers.count() // 4]
    caller = customers[customers.count() // 3]
    accented = Customer.objects.filter(surnames__startswith="Núñez").order_by("pk").first()
    template = TicketTemplate.objects.for_agents("INC").order_by("pk").first()
    formatted_nif = f"{customer.tax_id[:2]}.{customer.tax_id[2:5]}.{customer.tax_id[5:8]}-" + (
        customer.tax_id[8:].lower()
    )
    return [
        ("console: first page (my open tickets)", "get", "/incidents/", None, 200),
        ("console: first page (all tickets)", "get", "/incidents/?f=1", None, 200),
        (
            "console: status + group + assignee",
            "get",
            f"/incidents/?f=1&status={Status.PENDING}&assigned_group={group.pk}&assignee={user.pk}",
            None,
            200,
        ),
        ("console: all open tickets", "get", "/incidents/?f=1&open=on", None, 200),
        ("console: all tickets by priority", "get", "/incidents/?f=1&o=priority", None, 200),
        ("console: all open by Vence (due)", "get", "/incidents/?f=1&open=on&o=due", None, 200),
        (
            "console: Incumplido (breached), by Vence",
            "get",
            "/incidents/?f=1&open=on&sla=breached&o=due",
            None,
            200,
        ),
        (
            "console: A punto de vencer (at risk)",
            "get",
            "/incidents/?f=1&open=on&sla=at_risk",
            None,
            200,
        ),
        # A surname shared by one customer in 25 (the generator's commonest).
        (
            "console: customer filter, common surname",
            "get",
            "/incidents/?f=1&customer=garcia",
            None,
            200,
        ),
        ("dashboard: an agent's own tickets", "get", "/dashboard/", None, 200),
        (
            "console: deep page (75 % down)",
            "get",
            f"/incidents/?f=1&after={encode_cursor(list(deep))}",
            None,
            200,
        ),
        ("search: number", "get", f"/search/?q={middle.number}", None, 302),
        ("search: 'inc <digits>'", "get", f"/search/?q=inc {int(middle.number[3:])}", None, 302),
        ("search: surname without accents", "get", "/search/?q=nunez", None, 200),
        (
            "search: name + surname with accents",
            "get",
            f"/search/?q={accented.first_name} {accented.surnames.split()[0]}"
            if accented
            else "/search/?q=Núñez",
            None,
            200,
        ),
        ("search: NIF as typed (dots, dash)", "get", f"/search/?q={formatted_nif}", None, 200),
        ("search: e-mail", "get", f"/search/?q={customer.email}", None, 200),
        (
            "ticket page (50 journal entries)",
            "get",
            f"/incidents/{Incident.format_number(1)}/",
            None,
            200,
        ),
        ("work-order page", "get", f"/workorders/{WorkOrder.format_number(7)}/", None, 200),
        (
            "ticket creation (POST)",
            "post",
            "/incidents/new/",
            {
                "customer": caller.pk,
                "template": template.pk,
                "summary": "",
                "description": "Llamada del usuario: no puede enviar el depósito.",
                "reported_source": "phone",
                "assigned_group": group.pk,
                "assignee": user.pk,
                "status": Status.ASSIGNED,
                "status_reason": "",
                "resolution": "",
                "requires_attention": "",
                "work_info_notes": "Se comprueba el navegador con el usuario.",
            },
            302,
        ),
    ]


class TokenClient(Client):
    """The API as an integrator calls it: a bearer token, JSON bodies."""

    def __init__(self, token: str) -> None:
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {token}")

    def post(self, path, data=None, **extra):
        return super().post(path, json.dumps(data), content_type="application/json", **extra)


def api_scenarios(user) -> list[tuple[str, str, str, dict | None, int]]:
    """The API's list, detail and create, each against its page (bench/api_pairs.py)."""
    group = SupportGroup.objects.get(is_agent_default=True)
    customers = Customer.objects.order_by("pk")
    caller = customers[customers.count() // 3]
    template = TicketTemplate.objects.for_agents("INC").order_by("pk").first()
    return [
        ("API: list, first page (all tickets)", "get", "/api/v1/incidents/", None, 200),
        (
            "API: list, status + group + assignee",
            "get",
            f"/api/v1/incidents/?status={Status.PENDING}&assigned_group={group.pk}"
            f"&assignee={user.pk}",
            None,
            200,
        ),
        ("API: detail", "get", f"/api/v1/incidents/{Incident.format_number(1)}/", None, 200),
        (
            "API: create (POST)",
            "post",
            "/api/v1/incidents/",
            {
                "customer": caller.pk,
                "template": template.pk,
                "description": "Llamada del usuario: no puede enviar el depósito.",
                "reported_source": "phone",
                "assigned_group": group.pk,
                "assignee": user.pk,
                "work_info_notes": "Se comprueba el navegador con el usuario.",
            },
            201,
        ),
    ]


# Run as the coordinator (bench00): the whole desk.
COORDINATOR_SCENARIOS = [
    ("dashboard: whole desk (coordinator)", "get", "/dashboard/", None, 200),
    ("coordination console", "get", "/coordination/", None, 200),
]


def send_once(runner, scenario) -> None:
    name, method, url, data, expected = scenario
    send = getattr(runner, method)
    response = send(url, data) if data else send(url)
    if response.status_code != expected:
        sys.exit(f"{name}: {url} answered {response.status_code}, expected {expected}")


def measure_export(client) -> dict:
    """Stream /incidents/export.csv (all tickets, up to the row limit): time,
    rows and the peak of Python memory while streaming."""
    import tracemalloc

    started = time.perf_counter()
    response = client.get("/incidents/export.csv?f=1")
    tracemalloc.start()
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\r\n")
        size += len(chunk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": lines - 1,
        "seconds": round(time.perf_counter() - started, 2),
        "megabytes": round(size / 1e6, 1),
        "peak_python_mb": round(peak / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--api-pairs",
        action="store_true",
        help="only the API's scenarios and their pages (more requests in the same time)",
    )
    args = parser.parse_args()

    tickets = Incident.objects.count() + WorkOrder.objects.count()
    if not tickets:
        sys.exit("no tickets: run bench/generate.py first")
    user = get_user_model().objects.get(username="bench01")
    client = Client()
    client.force_login(user)
    coordinator_client = Client()
    coordinator_client.force_login(get_user_model().objects.get(username="bench00"))
    started = time.perf_counter()
    dashboard_refresh()
    refresh_seconds = time.perf_counter() - started
    print(f"  dashboard snapshot computed in {refresh_seconds:.2f} s", file=sys.stderr)
    rows = []
    runs = [(client, s) for s in scenarios(user)]
    runs += [(coordinator_client, s) for s in COORDINATOR_SCENARIOS]
    _token, plain = token_create(
        user=user, name=f"bench {time.time():.0f}", scopes=["read", "write"], days=1
    )
    # Each API scenario is timed request for request in turn with its page:
    # whatever else the machine does falls on both alike.
    groups = [[run] for run in runs]
    for api_run in [(TokenClient(plain), s) for s in api_scenarios(user)]:
        page = dict(API_PAIRS)[api_run[1][0]]
        next(group for group in groups if group[0][1][0] == page).append(api_run)
    if args.api_pairs:
        groups = [group for group in groups if len(group) > 1]
    for group in groups:
        timings: dict[str, list[float]] = {scenario[0]: [] for _runner, scenario in group}
        for _ in range(args.warmup):
            for runner, scenario in group:
                send_once(runner, scenario)
        for _ in range(args.requests):
            for runner, scenario in group:
                started = time.perf_counter()
                send_once(runner, scenario)
                timings[scenario[0]].append((time.perf_counter() - started) * 1000)
        for runner, scenario in group:
            with CaptureQueriesContext(connection) as queries:
                send_once(runner, scenario)
            name, spent = scenario[0], timings[scenario[0]]
            rows.append(
                {
                    "scenario": name,
                    "p50_ms": round(statistics.median(spent), 1),
                    "p95_ms": round(percentile(spent, 95), 1),
                    "max_ms": round(max(spent), 1),
                    "queries": len(queries),
                }
            )
            print(f"  {name}: p95 {rows[-1]['p95_ms']} ms", file=sys.stderr, flush=True)

    export = None if args.api_pairs else measure_export(coordinator_client)
    vendor = connection.vendor
    header = f"{vendor}, {tickets:,} tickets, {args.requests} requests per scenario"
    print(header)
    print(f"| {'scenario':<40} | p50 ms | p95 ms | max ms | queries |")
    print(f"|{'-' * 42}|-------:|-------:|-------:|--------:|")
    for row in rows:
        print(
            f"| {row['scenario']:<40} | {row['p50_ms']:>6} | {row['p95_ms']:>6} "
            f"| {row['max_ms']:>6} | {row['queries']:>7} |"
        )
    print()
    print("\n".join(api_against_pages({row["scenario"]: row for row in rows})))
    out = write_results(
        f"{vendor}-{tickets}{'-api' if args.api_pairs else ''}",
        {
            "vendor": vendor,
            "tickets": tickets,
            "requests": args.requests,
            "rows": rows,
            "export": export,
            "dashboard_refresh_s": round(refresh_seconds, 2),
        },
    )
    if export is not None:
        print(
            f"export: {export['rows']:,} rows, {export['megabytes']} MB in {export['seconds']} s, "
            f"Python memory peak {export['peak_python_mb']} MB; "
            f"dashboard snapshot (beat) {refresh_seconds:.2f} s"
        )
    print(f"written: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")


if __name__ == "__main__":
    main()
