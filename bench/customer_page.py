"""The customer page with a long history: a customer with 1 000 timeline
items (tickets opened and resolved, mail received and sent) in a desk of
however many tickets bench/generate.py loaded.

    python bench/generate.py --tickets 1000000      # once per database
    python bench/customer_page.py --requests 50

The first run gives one customer (the one in the middle of the table)
enough tickets, taken from others, and mail both ways to reach ``--items``
timeline items; later runs find them there. Then it times, through the whole
Django stack as bench/run.py does, the first page of the timeline, a page
half way down and the last page. Prints a table and writes JSON to
bench/results/customer-page-<vendor>-<tickets>.json.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.inprocess import percentile, setup, time_page, write_results  # noqa: E402

setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from customers.models import Customer  # noqa: E402
from incidents.models import Incident  # noqa: E402
from itsm.customer_timeline import (  # noqa: E402
    decode_timeline_cursor,
    encode_timeline_cursor,
    timeline_page,
)
from notifications.models import (  # noqa: E402
    Classification,
    EmailStatus,
    InboundEmail,
    InboundSource,
    InboundStatus,
    OutgoingEmail,
    ResponseTemplate,
)
from workorders.models import WorkOrder  # noqa: E402

# Of the items: a third mail, the rest tickets opened and (mostly) resolved.
MAIL_SHARE = 3


def all_keys(customer: Customer) -> list:
    keys, cursor = [], None
    while True:
        page = timeline_page(customer, after=cursor, size=500)
        keys.extend(item.key for item in page.items)
        if page.next_cursor is None:
            return keys
        cursor = decode_timeline_cursor(page.next_cursor)


@transaction.atomic
def give_history(customer: Customer, items: int, user) -> None:
    """Tickets of other customers become this one's until they make two
    thirds of ``items`` (each is opened, and most resolved); mail both ways
    makes the rest."""
    have = len(all_keys(customer))
    ticket_items = items * (MAIL_SHARE - 1) // MAIL_SHARE
    step = max(1, Incident.objects.count() // ticket_items)
    for model in (Incident, WorkOrder):
        if have >= ticket_items:
            break
        ids = list(
            model.objects.exclude(customer=customer)
            .filter(pk__gt=1000)  # leave bench/run.py's ticket pages alone
            .order_by("pk")
            .values_list("pk", flat=True)[::step][: (ticket_items - have) // 2 + 1]
        )
        model.objects.filter(pk__in=ids).update(customer=customer)
        have = len(all_keys(customer))
    numbers = list(Incident.objects.filter(customer=customer).values_list("number", flat=True))
    mail = max(0, items - have)
    now = timezone.now()
    template = ResponseTemplate.objects.order_by("pk").first()
    received = [
        InboundEmail(
            raw="",
            size=0,
            sha256=f"bench-customer-{customer.pk}-{index}",
            message_id=f"<bench-customer-{customer.pk}-{index}@example.com>",
            source=InboundSource.PIPE,
            received_at=now - timedelta(hours=7 * index),
            classification=Classification.CUSTOMER,
            from_address=customer.email,
            subject=f"Consulta {index}",
            status=InboundStatus.DONE,
            threaded=True,
            ticket_number=numbers[index % len(numbers)] if numbers else "",
        )
        for index in range(mail // 2)
    ]
    InboundEmail.objects.bulk_create(received)
    sent = [
        OutgoingEmail(
            ticket_number=numbers[index % len(numbers)],
            template=template,
            to_email=customer.email,
            subject=f"{numbers[index % len(numbers)]} Colegio de Registradores",
            body_text="Texto",
            body_html="<p>Texto</p>",
            status=EmailStatus.SENT,
            message_id=f"<bench-sent-{customer.pk}-{index}@example.com>",
            created_by=user,
            queued_by=user,
            sent_at=now - timedelta(hours=5 * index + 1),
        )
        for index in range(mail - mail // 2)
        if numbers
    ]
    OutgoingEmail.objects.bulk_create(sent)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--items", type=int, default=1000, help="timeline items of the customer")
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    tickets = Incident.objects.count() + WorkOrder.objects.count()
    if not tickets:
        sys.exit("no tickets: run bench/generate.py first")
    user = get_user_model().objects.get(username="bench01")
    customers = Customer.objects.order_by("pk")
    customer = customers[customers.count() // 2]
    keys = all_keys(customer)
    if len(keys) < args.items:
        started = time.perf_counter()
        give_history(customer, args.items, user)
        keys = all_keys(customer)
        print(
            f"  gave customer {customer.pk} {len(keys)} timeline items "
            f"in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    client = Client()
    client.force_login(user)
    url = f"/customers/{customer.pk}/"
    pages = [
        ("customer page: first page", url),
        (
            "customer page: half way down",
            f"{url}?after={encode_timeline_cursor(keys[len(keys) // 2])}",
        ),
        ("customer page: last page", f"{url}?after={encode_timeline_cursor(keys[-2])}"),
    ]
    rows = []
    for name, page_url in pages:
        page = time_page(client, name, page_url, warmup=args.warmup, requests=args.requests)
        rows.append(
            {
                "scenario": name,
                "p50_ms": round(page.p50, 1),
                "p95_ms": round(percentile(page.timings, 95), 1),
                "max_ms": round(max(page.timings), 1),
                "cpu_p50_ms": round(statistics.median(page.cpu), 1),
                "queries": page.queries,
            }
        )

    vendor = connection.vendor
    print(
        f"{vendor}, {tickets:,} tickets, customer with {len(keys):,} timeline items, "
        f"{args.requests} requests per page, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"| {'scenario':<32} | p50 ms | p95 ms | max ms | CPU p50 ms | queries |")
    print(f"|{'-' * 34}|-------:|-------:|-------:|-----------:|--------:|")
    for row in rows:
        print(
            f"| {row['scenario']:<32} | {row['p50_ms']:>6} | {row['p95_ms']:>6} "
            f"| {row['max_ms']:>6} | {row['cpu_p50_ms']:>10} | {row['queries']:>7} |"
        )
    out = write_results(
        f"customer-page-{vendor}-{tickets}",
        {
            "vendor": vendor,
            "tickets": tickets,
            "items": len(keys),
            "requests": args.requests,
            "load_average": round(os.getloadavg()[0], 1),
            "rows": rows,
        },
    )
    print(f"written: {out}")


if __name__ == "__main__":
    main()
