"""Write benchmark: the cost of one note on a short and on a long case history.

    python bench/bench_note.py --db sqlite postgresql

A fresh database (SQLite: a file in a temporary folder; PostgreSQL: database ``ct_bench_notes``
created and dropped on the server of ``--pg-url``) gets cases with 12 and with 4,400 timeline
events (the history is bulk-inserted). Then ``CaseDesk.note`` is called ``--runs`` times on each
size, as the CLI's ``case note`` and the TUI's note form call it, and two times are taken per call:

- the call: from the service call to its return, including the case detail it returns;
- the write transaction: from its BEGIN to its COMMIT, the time the write lock is held (SQLite:
  the database-wide lock every other writer queues behind; PostgreSQL: the case's row lock).

Short cases get one note each, so every note lands on a history of exactly 12 events; the long
cases get ``--runs / 10`` notes each (4,400 to 4,420 events). Prints the machine and a markdown
table and writes both to ``bench/results/notes.md``. Timings use ``time.perf_counter``; nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench_store import (
    NOW,
    PostgresTarget,
    SqliteTarget,
    add_database_options,
    machine,
    ms,
    save_report,
)
from sqlalchemy import event, insert

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.enums import EventKind, Role
from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.domain.settings import Settings
from complaint_tui.services.admin import init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.identity import actor_named
from complaint_tui.store.models import Agent, TimelineEvent

RESULTS = Path(__file__).with_name("results") / "notes.md"
SIZES = (12, 4_400)
LONG_CASES = 10


class WriteClock:
    """Seconds from BEGIN to COMMIT of every transaction that wrote (it issued an INSERT or UPDATE)."""

    def __init__(self, engine) -> None:
        self.durations: list[float] = []
        self._began: float | None = None
        self._wrote = False
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _begin(self, _conn) -> None:
        self._began, self._wrote = time.perf_counter(), False

    def _statement(self, _conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            self._wrote = True

    def _commit(self, _conn) -> None:
        if self._began is not None and self._wrote:
            self.durations.append(time.perf_counter() - self._began)
        self._began = None


def seed_cases(ctx: AppContext, desk: CaseDesk, count: int, events: int) -> list[str]:
    """``count`` new cases, each with exactly ``events`` timeline events."""
    refs = []
    for i in range(count):
        draft = IntakeDraft(
            customer=f"bench{i}",
            services=["VPS"],
            channel="email",
            subject="VPS unreachable",
            description="Cannot SSH into the VPS.",
            desired_outcome="Restore access.",
        )
        detail = desk.create(draft)
        have = len(detail.timeline)
        rows = [
            dict(
                case_id=detail.summary.id,
                kind=EventKind.NOTE.value,
                actor=desk.actor.name,
                at=NOW - timedelta(minutes=events - n),
                text=f"Earlier note {n}: checked the firewall, the console and the logs again.",
                customer_visible=False,
            )
            for n in range(events - have)
        ]
        with ctx.db.session(write=True) as s:
            if rows:
                s.execute(insert(TimelineEvent), rows)
        refs.append(detail.ref)
    return refs


def run_one(kind: str, args) -> dict[int, tuple[list[float], list[float]]]:
    target = SqliteTarget("notes") if kind == "sqlite" else PostgresTarget("notes", args.pg_url)
    try:
        ctx = AppContext.build(Settings(), target.url, FixedClock(NOW))
        init_database(ctx, "it.admin" if kind == "sqlite" else None)
        with ctx.db.session(write=True) as s:
            s.add(Agent(name="bench.sup", role=Role.SUPERVISOR.value, active=True, created_at=NOW))
        desk = CaseDesk(ctx, actor_named(ctx, "bench.sup"))
        out = {}
        for size in SIZES:
            cases = args.runs if size < 100 else LONG_CASES
            refs = seed_cases(ctx, desk, cases, size)
            targets = [refs[i % len(refs)] for i in range(args.runs)]
            for ref in targets[:3]:  # warm-up: connections, statement caches
                desk.note(ref, "warm-up")
            clock = WriteClock(ctx.db.engine)
            calls = []
            for ref in targets[3:]:
                started = time.perf_counter()
                desk.note(ref, "Checked again; still refused on port 22.")
                calls.append(time.perf_counter() - started)
            event.remove(ctx.db.engine, "begin", clock._begin)
            event.remove(ctx.db.engine, "before_cursor_execute", clock._statement)
            event.remove(ctx.db.engine, "commit", clock._commit)
            assert len(clock.durations) == len(calls), (len(clock.durations), len(calls))
            out[size] = (calls, clock.durations)
        ctx.db.dispose()
        return out
    finally:
        target.cleanup()


def report(results: dict[str, dict], mach, args) -> str:
    lines = ["## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in mach]
    lines += [
        "",
        f"## One note ({args.runs} notes per history length; times in ms, median / p95)",
        "",
        "| database | timeline events | call | write transaction (lock held) |",
        "|---|---:|---:|---:|",
    ]
    for db, sizes in results.items():
        for size, (calls, writes) in sizes.items():
            lines.append(
                f"| {db} | {size:,} | {ms(calls, 'median')} / {ms(calls, 'p95')} | "
                f"{ms(writes, 'median')} / {ms(writes, 'p95')} |"
            )
    total = sum(statistics.fsum(c) for s in results.values() for c, _ in s.values())
    lines += ["", f"Total time in note calls: {total:.1f} s."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser, "ct_bench_notes")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    mach = machine(args.pg_url if "postgresql" in args.db else None)
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    results = {}
    for kind in args.db:
        print(f"… {kind}", file=sys.stderr, flush=True)
        results[names[kind]] = run_one(kind, args)
    save_report(args.out, "Note benchmark", mach, lambda: report(results, mach, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
