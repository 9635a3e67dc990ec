"""Each API scenario of bench/run.py and the page it is measured against
(the issue's target: the API's p95 within 20 % of the page's)."""

API_PAIRS = (
    ("API: list, first page (all tickets)", "console: first page (all tickets)"),
    ("API: list, status + group + assignee", "console: status + group + assignee"),
    ("API: detail", "ticket page (50 journal entries)"),
    ("API: create (POST)", "ticket creation (POST)"),
)
TARGET = 1.20


def api_against_pages(rows: dict[str, dict]) -> list[str]:
    """Markdown lines: each pair's p50 and p95, and the API's p95 over the page's."""
    lines = [
        f"| {'API scenario':<38} | API p50 / p95 | page p50 / p95 | p95 API ÷ page |",
        f"|{'-' * 40}|--------------:|---------------:|---------------:|",
    ]
    for api, page in API_PAIRS:
        if api not in rows or page not in rows:
            continue
        a, p = rows[api], rows[page]
        ratio = a["p95_ms"] / p["p95_ms"] if p["p95_ms"] else float("inf")
        flag = "" if ratio <= TARGET else " over"
        lines.append(
            f"| {api:<38} | {a['p50_ms']:>5.1f} / {a['p95_ms']:>5.1f} "
            f"| {p['p50_ms']:>6.1f} / {p['p95_ms']:>5.1f} | {ratio:>9.2f}{flag:>5} |"
        )
    return lines
