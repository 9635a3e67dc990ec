"""The mailbox: how fast mail comes in from IMAP, and how fast the console
answers with many messages.

    python bench/mailbox.py ingest --messages 1000
    python bench/mailbox.py console --messages 100000 --requests 50

``ingest`` starts a Dovecot of its own (as the integration tests do), puts
1 000 mixed messages in it with APPEND (customers' messages, replies that
thread onto tickets, auto-replies, bounces of our mail, some with files)
and times ``fetch_email``'s poll until every one is stored, classified and
threaded. It uses the database the environment names; run it on a scratch
one (it adds tickets and messages).

``console`` loads messages into the mailbox (bulk, without files) up to
``--messages`` and times the console pages through the whole Django stack,
as ``bench/run.py`` does.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.inprocess import percentile, setup, time_page  # noqa: E402

setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from itsm.common.pagination import encode_cursor  # noqa: E402
from notifications.models import InboundEmail  # noqa: E402


def ingest(args) -> None:
    from django.core.management import call_command

    from customers.models import Customer
    from itsm import reference_data
    from itsm.kinds import all_kinds
    from itsm.selectors import agent_default_group
    from itsm.services.ticket_create import ticket_create
    from notifications.imap import imap_poll
    from notifications.models import ResponseTemplate
    from notifications.tests import corpus
    from notifications.tests.dovecot import Dovecot
    from notifications.tests.factories import sent_email

    call_command("migrate", verbosity=0)
    reference_data.load()
    user = get_user_model().objects.filter(is_superuser=True).first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench-mail", password="x" * 20)
    customer = Customer.objects.filter(email=corpus.CUSTOMER).first() or Customer.objects.create(
        kind="citizen", first_name="Ana", surnames="García", email=corpus.CUSTOMER
    )
    model = next(all_kinds()).model
    group = agent_default_group(user)
    tickets = [
        ticket_create(
            model=model, user=user, customer=customer, summary="Bench", assigned_group=group
        )
        for _ in range(20)
    ]
    template = ResponseTemplate.objects.order_by("pk").first()
    run = int(time.time())
    sent = [
        sent_email(ticket, user, template, f"<bench-{run}-{index}@registradores.example>")
        for index, ticket in enumerate(tickets)
    ]
    messages = []
    for index in range(args.messages):
        kind = index % 10
        ticket = tickets[index % len(tickets)]
        if kind < 5:
            raw = corpus.plain(
                subject=f"Consulta {run}-{index}", message_id=f"<b{run}-{index}@example.com>"
            )
        elif kind < 7:
            raw = corpus.reply(
                subject=f"RE: {ticket.number} Colegio de Registradores",
                message_id=f"<b{run}-{index}@example.com>",
            )
        elif kind == 7:
            raw = corpus.plain(
                subject=f"Fuera de la oficina {index}",
                headers={"Auto-Submitted": "auto-replied"},
                message_id=f"<b{run}-{index}@example.com>",
            )
        elif kind == 8:
            raw = corpus.dsn(sent[index % len(sent)].message_id).replace(
                b"<dsn-1@", f"<dsn-{run}-{index}@".encode()
            )
        else:
            raw = corpus.plain(
                subject=f"Con adjunto {index}",
                message_id=f"<b{run}-{index}@example.com>",
                attachments=[("captura.png", "image/png", corpus.PNG * 50)],
            )
        messages.append(raw)

    folder = Path(tempfile.mkdtemp(prefix="bench-dovecot-"))
    server = Dovecot(folder)
    try:
        started = time.perf_counter()
        server.append(messages, folder="Bench")
        appended = time.perf_counter() - started
        for name, value in server.settings("Bench").items():
            setattr(settings, name, value)
        settings.ITSM_IMAP_BATCH_SIZE = args.batch
        before = InboundEmail.objects.count()
        started, started_cpu = time.perf_counter(), time.process_time()
        while True:
            result = imap_poll(force=True)
            if result.error:
                sys.exit(result.error)
            if not result.fetched:
                break
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - started_cpu
        stored = InboundEmail.objects.count() - before
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{connection.vendor}: {stored} messages stored from IMAP in {elapsed:.1f} s")
    print(f"(CPU time of this process: {cpu:.1f} s, {stored / cpu:.0f} messages per CPU second)")
    print(f"ingest rate: {stored / elapsed:.0f} messages/s (batches of {args.batch})")
    print(f"(APPEND of the {len(messages)} messages took {appended:.1f} s, not counted)")


def load_messages(total: int) -> None:
    """Bulk rows (no files) up to ``total``: three years of mail, most of it
    done, the last weeks' waiting, a few quarantined or taken."""
    have = InboundEmail.objects.count()
    if have >= total:
        return
    agents = list(get_user_model().objects.filter(username__startswith="bench")[:20])
    now = timezone.now()
    span = 3 * 365 * 24 * 3600
    batch = []
    for index in range(have, total):
        received = now - timezone.timedelta(seconds=span * (total - index) / total)
        recent = index > total - 300
        status = "new" if recent and index % 3 else ("in_progress" if recent else "done")
        if not recent and index % 17 == 0:
            status = "no_action"
        batch.append(
            InboundEmail(
                raw=f"inbound/bench/{index}.eml",
                size=2000,
                sha256=f"{index:064x}",
                message_id=f"<bench-console-{index}@example.com>",
                source="imap",
                received_at=received,
                processed_at=received,
                classification="customer" if index % 9 else "auto_reply",
                from_address=f"cliente{index % 5000}@example.com",
                from_name=f"Cliente {index % 5000}",
                subject=f"Consulta número {index} sobre el depósito de cuentas",
                body_text="Buenos días, no puedo presentar el depósito. " * 5,
                status=status,
                no_action_reason="spam" if status == "no_action" else "",
                threaded=index % 4 == 0,
                assigned_to=agents[index % len(agents)] if agents and status != "new" else None,
                ticket_number="",
            )
        )
        if len(batch) == 5000:
            InboundEmail.objects.bulk_create(batch)
            batch = []
    if batch:
        InboundEmail.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def console(args) -> None:
    load_messages(args.messages)
    user = get_user_model().objects.get(username="bench01")
    client = Client()
    client.force_login(user)
    rows = InboundEmail.objects.in_mailbox().order_by("-received_at", "-id")
    total = rows.count()
    deep = rows.values_list("received_at", "id")[total * 3 // 4]
    latest = rows.first()
    scenarios = [
        ("mailbox: waiting (default)", "/mailbox/"),
        ("mailbox: everything", "/mailbox/?f=1"),
        ("mailbox: mine in progress", "/mailbox/?f=1&mine=on&status=in_progress"),
        ("mailbox: auto-replies", "/mailbox/?f=1&classification=auto_reply"),
        ("mailbox: deep page (75 % down)", f"/mailbox/?f=1&after={encode_cursor(list(deep))}"),
        ("mailbox: search sender", "/mailbox/?f=1&q=cliente4242%40example.com"),
        ("mailbox: message page", f"/mailbox/{latest.pk}/"),
    ]
    results = []
    for name, url in scenarios:
        page = time_page(client, name, url, warmup=3, requests=args.requests)
        results.append(
            (
                name,
                page.p50,
                percentile(page.timings, 95),
                percentile(page.cpu, 95),
                page.queries,
            )
        )
        print(f"  {name}: p95 {results[-1][2]:.1f} ms", file=sys.stderr, flush=True)
    print(
        f"{connection.vendor}, {InboundEmail.objects.count():,} messages, {args.requests} requests"
    )
    print("| scenario | p50 ms | p95 ms | p95 CPU ms | queries |")
    print("|---|---:|---:|---:|---:|")
    for name, p50, p95, p95_cpu, count in results:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {p95_cpu:.1f} | {count} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    ingest_parser = commands.add_parser("ingest")
    ingest_parser.add_argument("--messages", type=int, default=1000)
    ingest_parser.add_argument("--batch", type=int, default=50)
    console_parser = commands.add_parser("console")
    console_parser.add_argument("--messages", type=int, default=100_000)
    console_parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    {"ingest": ingest, "console": console}[args.command](args)


if __name__ == "__main__":
    main()
