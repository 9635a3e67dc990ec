"""Full-text search at scale: fill the index, then time searches and writes.

    python bench/fulltext.py --tickets 100000 [--notes-per-ticket 1.5]

Fills ``TextIndexEntry`` with one text per ticket (summary and description)
and ``--notes-per-ticket`` journal notes on average, written as the desk's
agents write them (sentences from the campaign's vocabulary), through the
same batched writer ``rebuild_text_index`` uses. Then times, on the database
the settings point at (DATABASE_URL, or SQLITE_PATH for SQLite):

- the magnifier's text section (``text_hits``' search: newest 10 tickets)
  for a common word (in about a fifth of the texts) and a rare one (a few
  dozen texts), and a two-word query;
- the consoles' *Texto* filter subquery (numbers of the matching tickets,
  first page of 50);
- ``index_text`` of one new ticket, in its own transaction (the cost a
  ticket creation or a note pays);
- the knowledge base's suggestions for what an agent types (the demo
  articles, loaded if the database has none).

The index must be empty unless --reuse is given. With --reuse on a database
``generate.py`` filled (then ``rebuild_text_index``), the rare word is in no
text: RARE_COUNT notes with it are added to the index for the run and taken
out at the end. The load average is printed before and after.
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402

from itsm import fulltext  # noqa: E402
from itsm.common.fulltext import stem  # noqa: E402
from itsm.models import TextIndexEntry  # noqa: E402

SUBJECTS = [
    "legalización de libros",
    "depósito de cuentas",
    "certificado de firma electrónica",
    "vinculación del certificado",
    "pago con tarjeta",
    "configuración del navegador",
    "contraseña olvidada",
    "envío telemático",
    "libro de actas",
    "nota simple",
]
VERBS = ["no puede", "pregunta por", "reclama", "solicita ayuda con", "tiene problemas con"]
TAILS = [
    "desde ayer",
    "tras actualizar Windows",
    "con el navegador Chrome",
    "y llama de nuevo",
    "aunque siguió los pasos del manual",
    "en el Registro Mercantil de Madrid",
    "antes del cierre del ejercicio",
    "y pide que le llamen",
]
# In about a fifth of the texts (the campaign's everyday word).
COMMON_WORD = "certificado"
# In RARE_COUNT texts only.
RARE_WORD = "apostilla"
RARE_COUNT = 40
# In more than two fifths of the texts generate.py writes.
VERY_COMMON_WORD = "usuario"
# Index keys of what the run adds and takes out again.
BENCH_KEY = "BENCH"
# What agents type, for the suggestions.
DRAFTS = [
    "Certificado caducado, no puede firmar",
    "No puede legalizar el libro de actas",
    "ERROR 23 al enviar el depósito de cuentas",
]


def sentence(rng: random.Random) -> str:
    return (
        f"El cliente {rng.choice(VERBS)} {rng.choice(SUBJECTS)} {rng.choice(TAILS)}; "
        f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)} {rng.choice(TAILS)}."
    )


def fill(tickets: int, notes_per_ticket: float, seed: int = 7) -> tuple[int, float]:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    span = 3 * 365 * 24 * 3600
    rare = set(rng.sample(range(tickets), RARE_COUNT))
    pending, written = [], 0
    started = time.perf_counter()
    with transaction.atomic():
        for n in range(tickets):
            number = f"INC{n + 1:012d}"
            at = start + timedelta(seconds=span * n // tickets)
            text = f"{rng.choice(SUBJECTS).capitalize()}\n{sentence(rng)}"
            if n in rare:
                text += f" Necesita la {RARE_WORD} de La Haya."
            pending.append(fulltext.build_entry(fulltext.TICKET, number, text, number, at))
            notes = int(notes_per_ticket) + (rng.random() < notes_per_ticket % 1)
            for i in range(notes):
                note = sentence(rng)
                pending.append(
                    fulltext.build_entry(
                        fulltext.WORK_INFO,
                        f"INC-{n}-{i}",
                        note,
                        number,
                        at + timedelta(hours=i + 1),
                    )
                )
            if len(pending) >= fulltext.REBUILD_BATCH:
                fulltext.write_entries(pending)
                written += len(pending)
                pending = []
        if pending:
            fulltext.write_entries(pending)
            written += len(pending)
    return written, time.perf_counter() - started


def add_rare_entries(seed: int = 11) -> int:
    """RARE_COUNT notes with the rare word on tickets of the index, if it is in
    fewer texts than that; how many were added."""
    if TextIndexEntry.objects.filter(stems__contains=stem(RARE_WORD)).count() >= RARE_COUNT:
        return 0
    rng = random.Random(seed)
    numbers = list(
        TextIndexEntry.objects.filter(source=fulltext.TICKET)
        .order_by("?")
        .values_list("ticket_number", flat=True)[:RARE_COUNT]
    )
    now = datetime.now(UTC)
    fulltext.write_entries(
        [
            fulltext.build_entry(
                fulltext.WORK_INFO,
                f"{BENCH_KEY}-rare-{n}",
                f"{sentence(rng)} Necesita la {RARE_WORD} de La Haya.",
                number,
                now - timedelta(days=rng.randrange(1000)),
            )
            for n, number in enumerate(numbers)
        ]
    )
    return len(numbers)


def ensure_articles() -> int:
    """The demo articles, signed by a bench administrator, if there are none."""
    from django.contrib.auth import get_user_model

    from kb.models import Article

    if not Article.objects.exists():
        users = get_user_model().objects
        if not users.filter(is_superuser=True).exists():
            users.create_superuser("bench-admin", password=None)
        call_command("seed_demo_kb", force=True, verbosity=0)
    return Article.objects.count()


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def timed(action, repeat: int) -> tuple[float, float, object]:
    spent, result = [], None
    for _ in range(3):
        action()
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = action()
        spent.append((time.perf_counter() - t0) * 1000)
    return percentile(spent, 50), percentile(spent, 95), result


def search_scenarios() -> list[tuple[str, object]]:
    def magnifier(query):
        return lambda: fulltext.search(query, limit=10, per_ticket=True, with_ticket=True)

    def console(query):
        numbers = fulltext.matching_ticket_numbers(query)
        return lambda: list(numbers.order_by()[:50])

    return [
        (f"magnifier, common word ({COMMON_WORD})", magnifier(COMMON_WORD)),
        (f"magnifier, very common word ({VERY_COMMON_WORD})", magnifier(VERY_COMMON_WORD)),
        (f"magnifier, rare word ({RARE_WORD})", magnifier(RARE_WORD)),
        ("magnifier, two words (firma navegador)", magnifier("firma navegador")),
        ("magnifier, no match (zzzz)", magnifier("zzzz")),
        (f"Texto filter subquery, common ({COMMON_WORD})", console(COMMON_WORD)),
        (f"Texto filter subquery, rare ({RARE_WORD})", console(RARE_WORD)),
    ]


def time_indexing(requests: int) -> tuple[float, float]:
    """``index_text`` of one new ticket in its own transaction (p50, p95)."""
    counter = iter(range(10**9))

    def index_one():
        n = next(counter)
        with transaction.atomic():
            fulltext.index_text(
                fulltext.TICKET,
                f"{BENCH_KEY}{n}",
                "Consulta legalización de libros\nEl cliente no puede firmar el depósito.",
                f"WO{n:013d}",
            )

    reset_queries()
    p50, p95, _ = timed(index_one, requests)
    return p50, p95


def time_suggestions(requests: int) -> tuple[float, float, int]:
    from kb.selectors import TicketDraft, suggestions

    drafts = iter(range(10**9))

    def suggest():
        return suggestions(TicketDraft(text=DRAFTS[next(drafts) % len(DRAFTS)]))

    p50, p95, result = timed(suggest, requests)
    return p50, p95, len(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--notes-per-ticket", type=float, default=1.5)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"load average (1, 5, 15 min) before: {load_average()}")
    if not args.reuse:
        if TextIndexEntry.objects.exists():
            sys.exit("The index is not empty; give --reuse to time it as it is.")
        written, spent = fill(args.tickets, args.notes_per_ticket)
        print(f"filled {written:,} entries in {spent:.0f} s ({written / spent:,.0f} entries/s)")
    else:
        print(f"added {add_rare_entries()} notes with '{RARE_WORD}'")
    articles = ensure_articles()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE itsm_textindexentry")
    entries = TextIndexEntry.objects.count()
    common = TextIndexEntry.objects.filter(stems__contains="certific").count()

    rows = []
    for name, action in search_scenarios():
        p50, p95, result = timed(action, args.requests)
        rows.append((name, p50, p95, len(result)))
    rows.append(("index_text (one ticket, own transaction)", *time_indexing(args.requests), 1))
    TextIndexEntry.objects.filter(key__startswith=BENCH_KEY).delete()
    rows.append((f"kb suggestions ({articles} articles)", *time_suggestions(args.requests)))

    print(
        f"\n{connection.vendor}, {entries:,} entries ({args.tickets:,} tickets), "
        f"'{COMMON_WORD}' in {common:,}, {args.requests} requests per scenario\n"
    )
    print(f"| {'scenario':<46} | p50 ms | p95 ms | rows |")
    print(f"|{'-' * 48}|--------|--------|------|")
    for name, p50, p95, count in rows:
        print(f"| {name:<46} | {p50:>6.1f} | {p95:>6.1f} | {count:>4} |")
    print(f"\nload average (1, 5, 15 min) after: {load_average()}")


if __name__ == "__main__":
    main()
