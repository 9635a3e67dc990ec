"""Sizes that keep the code readable: no module of an app over 400 lines and
no function over 60, tests included (migrations are generated, so left out).
What may be longer is listed below with its reason; an entry that is no
longer needed fails too, so the list only ever shrinks back."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# (path from the repository root, function name or None for the module): why.
EXEMPT: dict[tuple[str, str | None], str] = {
    ("itsm/models/tickets.py", "ticket_console_indexes"): (
        "a declaration: one named, commented index per console query"
    ),
    ("itsm/tests/test_access_matrix.py", None): (
        "a declaration: one row per route, roles and methods, appended to by every feature"
    ),
}


def _app_modules() -> list[Path]:
    """Every Python file of the project's own apps, migrations aside."""
    files: set[Path] = set()
    for config in apps.get_app_configs():
        path = Path(config.path)
        if not path.is_relative_to(ROOT) or ".venv" in path.parts:
            continue
        files.update(p for p in path.rglob("*.py") if "migrations" not in p.parts)
    return sorted(files)


def _oversized() -> dict[tuple[str, str | None], int]:
    """What is over a limit, with its length in lines."""
    found: dict[tuple[str, str | None], int] = {}
    for path in _app_modules():
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        if (lines := len(source.splitlines())) > MAX_MODULE_LINES:
            found[(name, None)] = lines
        functions = (
            node
            for node in ast.walk(ast.parse(source, filename=name))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        )
        for function in functions:
            if (lines := function.end_lineno - function.lineno + 1) > MAX_FUNCTION_LINES:
                found[(name, function.name)] = lines
    return found


def test_the_check_reads_every_app():
    read = {path.relative_to(ROOT).parts[0] for path in _app_modules()}
    assert {"itsm", "customers", "incidents", "workorders", "notifications", "api"} <= read


def test_no_module_or_function_of_an_app_is_over_its_limit():
    over = {place: lines for place, lines in _oversized().items() if place not in EXEMPT}
    assert not over, (
        f"over {MAX_MODULE_LINES} lines a module or {MAX_FUNCTION_LINES} a function "
        f"(split it, or add it to EXEMPT with a reason): {over}"
    )


def test_every_exemption_is_still_needed():
    stale = set(EXEMPT) - set(_oversized())
    assert not stale, f"within the limits now: remove from EXEMPT {sorted(stale, key=str)}"
