"""Measure a base revision and the working tree side by side, in one run.

    SQLITE_PATH=/tmp/bench/bench.sqlite3 python bench/compare.py --base 4cf39af --tickets 1000000
    DATABASE_URL=postgres://itsm:itsm@127.0.0.1:55433/bench python bench/compare.py --base 4cf39af

The database is the one the environment selects: DATABASE_URL, or else
SQLITE_PATH (default var/bench.sqlite3, never the development database).
The two revisions may have different schemas, so:

1. the base revision is checked out into a temporary worktree and loads the
   data there once (generate.py --reuse: an already loaded database is only
   migrated and analysed);
2. the loaded database is copied for the working tree (SQLite: the file,
   next to it as <name>-new; PostgreSQL: CREATE DATABASE <name>_new TEMPLATE
   <name>, which needs CREATEDB and no one else connected to <name>) and the
   working tree migrates and analyses its copy;
3. run.py measures base and new in turn, --rounds times, so whatever else the
   machine is doing falls on both; each round swaps which one goes first.

Prints one table with the best p50 and the best p95 of the rounds for each
scenario, and keeps every round's JSON in bench/results/compare-<vendor>-<N>/.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api_pairs import api_against_pages  # noqa: E402


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def python() -> str:
    """This tree's virtualenv serves both trees: the requirements are the same."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run_in(tree: Path, env: dict, script: str, *args: str) -> str:
    """Run bench/<script> with `tree` as cwd and first on sys.path; echo and
    return its standard output."""
    env = {**env, "PYTHONPATH": str(tree)}
    result = subprocess.run(
        [python(), f"bench/{script}", *args],
        cwd=tree,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    print(result.stdout, end="", flush=True)
    if result.returncode:
        sys.exit(f"{tree.name}: bench/{script} failed ({result.returncode})")
    return result.stdout


class SQLite:
    vendor = "sqlite"

    def __init__(self, path: str):
        self.base = Path(path).resolve()
        self.new = self.base.with_name(f"{self.base.stem}-new{self.base.suffix}")

    def env(self, side: str) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SQLITE_PATH"] = str(self.base if side == "base" else self.new)
        return env

    def copy(self) -> None:
        # Fold the write-ahead log into the file so that the file is the database.
        with sqlite3.connect(self.base) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.new}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.base, self.new)


class PostgreSQL:
    vendor = "postgresql"

    def __init__(self, url: str):
        self.url = urlparse(url)
        self.name = unquote(self.url.path.lstrip("/"))
        self.new = f"{self.name}_new"

    def env(self, side: str) -> dict:
        url = self.url if side == "base" else self.url._replace(path=f"/{self.new}")
        return {**os.environ, "DATABASE_URL": url.geturl()}

    def copy(self) -> None:
        import psycopg2  # the app's driver; only needed here

        # A template database must have no other connection open: the loader
        # has exited, and this one goes to the maintenance database.
        connection = psycopg2.connect(
            host=self.url.hostname,
            port=self.url.port or 5432,
            user=unquote(self.url.username or ""),
            password=unquote(self.url.password or ""),
            dbname="postgres",
        )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.new}"')
            cursor.execute(f'CREATE DATABASE "{self.new}" TEMPLATE "{self.name}"')
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="revision to compare with, e.g. main")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per scenario")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    if os.environ.get("DATABASE_URL"):
        database = PostgreSQL(os.environ["DATABASE_URL"])
    else:
        database = SQLite(os.environ.get("SQLITE_PATH", str(ROOT / "var" / "bench.sqlite3")))
    base_rev = git("rev-parse", "--short", f"{args.base}^{{commit}}")
    new_rev = git("rev-parse", "--short", "HEAD") + (
        " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    )
    saved = ROOT / "bench" / "results" / f"compare-{database.vendor}-{args.tickets}"
    saved.mkdir(parents=True, exist_ok=True)
    for stale in saved.glob("*.json"):
        stale.unlink()
    loads = [os.getloadavg()[0]]

    base_tree = Path(tempfile.mkdtemp(prefix="bench-base-"))
    git("worktree", "add", "--detach", str(base_tree), base_rev)
    try:
        trees = {"base": base_tree, "new": ROOT}
        tickets = str(args.tickets)
        print(f"== base {base_rev}: load or reuse the data", flush=True)
        run_in(base_tree, database.env("base"), "generate.py", "--tickets", tickets, "--reuse")
        print("== copy it for the new code", flush=True)
        database.copy()
        print(f"== new {new_rev}: migrate and analyse the copy", flush=True)
        run_in(ROOT, database.env("new"), "generate.py", "--tickets", tickets, "--reuse")

        results: dict[str, list[dict]] = {"base": [], "new": []}
        for round_ in range(1, args.rounds + 1):
            order = ("base", "new") if round_ % 2 else ("new", "base")
            for side in order:
                print(f"== round {round_}/{args.rounds}: {side}", flush=True)
                out = run_in(
                    trees[side], database.env(side), "run.py", "--requests", str(args.requests)
                )
                written = out.rsplit("written: ", 1)[1].strip()
                data = json.loads((trees[side] / written).read_text())
                (saved / f"{side}-{round_}.json").write_text(json.dumps(data, indent=2))
                results[side].append(data)
                loads.append(os.getloadavg()[0])
    finally:
        git("worktree", "remove", "--force", str(base_tree))

    print_table(database.vendor, args, base_rev, new_rev, results)
    print(
        f"Caveat: base and new ran in turn on one machine ({os.cpu_count()} cores, load average "
        f"{min(loads):.1f}–{max(loads):.1f} during the run). Whatever else it was doing fell on "
        "both columns, but not on the same requests: differences of a few percent are noise, "
        "and more when the load exceeds the cores (read the rounds in the JSON)."
    )
    print(f"every round's JSON: {saved.relative_to(ROOT)}/")


def best(runs: list[dict]) -> dict[str, dict]:
    """Per scenario: the lowest p50 and the lowest p95 of the rounds (each on
    its own), and the query count of the last round."""
    scenarios: dict[str, dict] = {}
    for run in runs:
        for row in run["rows"]:
            seen = scenarios.setdefault(row["scenario"], dict(row))
            seen["p50_ms"] = min(seen["p50_ms"], row["p50_ms"])
            seen["p95_ms"] = min(seen["p95_ms"], row["p95_ms"])
            seen["queries"] = row["queries"]
    return scenarios


def print_table(vendor: str, args, base_rev: str, new_rev: str, results: dict) -> None:
    base, new = best(results["base"]), best(results["new"])
    tickets = results["base"][0]["tickets"]
    print()
    print(
        f"{vendor}, {tickets:,} tickets, {args.requests} requests per scenario, "
        f"{args.rounds} rounds; base {base_rev}, new {new_rev}"
    )
    print(f"p50 and p95: the best of the {args.rounds} rounds, each taken on its own (ms)")
    print()
    print(f"| {'scenario':<40} | base p50 / p95 | new p50 / p95 | queries base / new |")
    print(f"|{'-' * 42}|---------------:|--------------:|-------------------:|")
    for name in [*base, *(name for name in new if name not in base)]:
        cells = []
        for side in (base, new):
            row = side.get(name)
            cells.append(f"{row['p50_ms']:.1f} / {row['p95_ms']:.1f}" if row else "–")
        queries = " / ".join(
            str(side[name]["queries"]) if name in side else "–" for side in (base, new)
        )
        print(f"| {name:<40} | {cells[0]:>14} | {cells[1]:>13} | {queries:>18} |")
    print()
    print("The new code's API against its pages (the best rounds):")
    print("\n".join(api_against_pages(new)))
    print()


if __name__ == "__main__":
    main()
