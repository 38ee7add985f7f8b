"""History import benchmark: `complaint-tui import` of a 100,000-line file.

    python bench/bench_import.py --lines 100000 --db sqlite postgresql

The file is made from the six cases of tests/data/history_import.jsonl (pauses, an extension, a
reopen, an escalation with its decision, a referral, notes, open and closed cases), each line
with its own source_ref and customer, so every line is checked, replayed through the workflow
steps and written like any other. A fresh database (SQLite: a file in a temporary folder;
PostgreSQL: database ``ct_bench_import_<pid>`` created and dropped on the server of ``--pg-url``)
gets the demo's people, then ``import_history`` (what `complaint-tui import` calls) imports the
file as a supervisor, in one transaction. Wall time with ``time.perf_counter``, split into the
check (read, parse, replay every line) and the write (refs, ids, bulk inserts, commit), and the
CPU time of this process (``time.process_time``: on a loaded host it is what the import itself
cost; on PostgreSQL the server's work is not in it); prints
the machine and a markdown table and writes both to ``bench/results/import.md``. Nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench_store import (
    NOW,
    PostgresTarget,
    SqliteTarget,
    add_database_options,
    machine,
    save_report,
)
from sqlalchemy import func, select

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.enums import Role
from complaint_tui.domain.settings import Settings
from complaint_tui.services import history_import
from complaint_tui.services.admin import init_database
from complaint_tui.services.context import AppContext
from complaint_tui.services.identity import actor_named
from complaint_tui.store.models import Agent, Case, TimelineEvent

FIXED = Path(__file__).resolve().parent.parent / "tests" / "data" / "history_import.jsonl"
RESULTS = Path(__file__).with_name("results") / "import.md"


def make_file(path: Path, lines: int) -> int:
    templates = [json.loads(t) for t in FIXED.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            obj = dict(templates[i % len(templates)])
            obj["source_ref"] = f"LEGACY-{i:07d}"
            obj["customer"] = f"customer{i % 20_000}"
            obj["assignee"] = "bench.agent" if obj.get("assignee") else None
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return path.stat().st_size


def run_one(kind: str, args, path: Path) -> dict:
    target = SqliteTarget("import") if kind == "sqlite" else PostgresTarget("import", args.pg_url)
    try:
        ctx = AppContext.build(Settings(), target.url, FixedClock(NOW))
        init_database(ctx, "it.admin" if kind == "sqlite" else None)
        with ctx.db.session(write=True) as s:
            s.add(Agent(name="bench.sup", role=Role.SUPERVISOR.value, active=True, created_at=NOW))
            s.add(Agent(name="bench.agent", role=Role.AGENT.value, active=True, created_at=NOW))
        actor = actor_named(ctx, "bench.sup")
        # The split: time spent before the first write (reading, checking, replaying).
        checked: list[float] = []
        checked_cpu: list[float] = []
        original = history_import._write

        def timed_write(*a, **kw):
            checked.append(time.perf_counter())
            checked_cpu.append(time.process_time())
            return original(*a, **kw)

        history_import._write = timed_write
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            result = history_import.import_history(ctx, actor, path)
        finally:
            history_import._write = original
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        with ctx.db.session() as s:
            cases = s.scalar(select(func.count()).select_from(Case))
            events = s.scalar(select(func.count()).select_from(TimelineEvent))
        ctx.db.dispose()
        assert cases == len(result.refs) == args.lines, (cases, len(result.refs))
        return {
            "total": total,
            "check": checked[0] - started,
            "write": total - (checked[0] - started),
            "cpu": cpu,
            "check_cpu": checked_cpu[0] - cpu_started,
            "cases": cases,
            "events": events,
        }
    finally:
        target.cleanup()


def report(results: dict[str, dict], mach, args, size: int) -> str:
    lines = ["## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in mach]
    lines += [
        "",
        f"## Import of {args.lines:,} lines ({size / 1e6:.1f} MB), one transaction",
        "",
        "| database | total | check (read, parse, replay) | write (bulk inserts, commit) | "
        "CPU of this process: total / check | cases | timeline events | lines/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for db, r in results.items():
        lines.append(
            f"| {db} | {r['total']:.1f} s | {r['check']:.1f} s | {r['write']:.1f} s | "
            f"{r['cpu']:.1f} s / {r['check_cpu']:.1f} s | "
            f"{r['cases']:,} | {r['events']:,} | {args.lines / r['total']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser, "ct_bench_import_<pid>")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    mach = machine(args.pg_url if "postgresql" in args.db else None)
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    results = {}
    with tempfile.TemporaryDirectory(prefix="ct_bench_import_") as folder:
        path = Path(folder) / "history.jsonl"
        size = make_file(path, args.lines)
        for kind in args.db:
            print(f"… {kind}", file=sys.stderr, flush=True)
            results[names[kind]] = run_one(kind, args, path)
    save_report(
        args.out, "History import benchmark", mach, lambda: report(results, mach, args, size)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
