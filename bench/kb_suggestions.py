"""The knowledge base's suggestions panel: what the ticket pages ask 400 ms
after the agent stops typing (target p95 ≤ 30 ms).

    python bench/kb_suggestions.py --articles 500 --requests 200

Loads the demo's articles if there are none (seed_demo_kb) and, with
``--articles``, copies of them up to that many published articles (a desk
that has written a lot); then times, through the whole Django stack, the
panel for a set of summaries as agents type them, with and without a
template. Prints p50/p95 and writes JSON to
bench/results/kb-suggestions-<vendor>-<articles>.json.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("ITSM_HTTPS", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from itsm.models import TicketTemplate  # noqa: E402
from kb.models import Article, ArticleStatus  # noqa: E402
from kb.services.articles import article_save  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SUMMARIES = (
    "Consulta legalización de libros",
    "El portal no reconoce mi certificado",
    "He pagado y FLEI no lo refleja",
    "ERROR 23 al presentar el depósito de cuentas",
    "Vincular un usuario nuevo al abonado",
    "La página sale en blanco en el navegador",
    "He olvidado la contraseña",
    "Cuentas depositadas con defectos, cómo subsanar",
)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@transaction.atomic
def fill(articles: int, author) -> None:
    originals = list(Article.objects.prefetch_related("templates").order_by("pk")[:30])
    have = Article.objects.count()
    for index in range(have, articles):
        source = originals[index % len(originals)]
        copy = Article(
            title=f"{source.title} ({index})",
            body=source.body,
            keywords=source.keywords,
            status=ArticleStatus.PUBLISHED,
        )
        article_save(copy, user=author, templates=list(source.templates.all()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=0)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        sys.exit("No administrator: run seed_demo (or bench/generate.py) first.")
    if not Article.objects.exists():
        call_command("seed_demo_kb", force=True)
    if options.articles:
        fill(options.articles, admin)
    client = Client()
    client.force_login(admin)
    templates = list(TicketTemplate.objects.filter(active=True).values_list("pk", flat=True))
    timings: list[float] = []
    for index in range(options.requests + 10):
        summary = SUMMARIES[index % len(SUMMARIES)]
        # As typed so far: the summary's first words, growing.
        typed = " ".join(summary.split()[: 2 + index % 5])
        params = {"summary": typed}
        if index % 2 and templates:
            params["template"] = templates[index % len(templates)]
        started = time.perf_counter()
        response = client.get("/kb/suggest/", params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if index >= 10:  # the first requests warm the caches up
            timings.append(elapsed)
    count = Article.objects.count()
    row = {
        "scenario": "kb suggestions panel",
        "vendor": connection.vendor,
        "articles": count,
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "target_p95_ms": 30,
    }
    print(f"| {row['scenario']} | {count} articles ", end="")
    print(f"| p50 {row['p50_ms']} ms | p95 {row['p95_ms']} ms |")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"kb-suggestions-{connection.vendor}-{count}.json"
    path.write_text(json.dumps(row, indent=2) + "\n")


if __name__ == "__main__":
    main()
