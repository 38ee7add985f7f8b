"""Query plans of the queue under row-level security, as a real agent login and a supervisor login.

    python bench/rls_plans.py --size 100000

Sets up a desk the README's way (an owner role with CREATEROLE, a database it owns, ``init``),
seeds the demo data as the owner, gives one demo agent and the demo supervisor their login roles,
then runs the queue screen's statements through the service (first pages of the views, a page
after a key, the counts, a search, take-next's candidate) while capturing the exact SQL. Each
statement is then run with EXPLAIN (ANALYZE, BUFFERS) as the login (policies applied) and as the
superuser (policies bypassed, same SQL, so the app's own WHERE filter still applies). Prints the
execution times and the top of each plan, and writes them to bench/results/rls_plans.md. The
database and every role made here are dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.settings import Settings
from complaint_tui.services.admin import init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.demo import seed_demo
from complaint_tui.services.identity import actor_named, resolve_actor
from complaint_tui.services.queue import QueueQuery, QueueService, QueueView
from complaint_tui.store.access import groups_of_database

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
RESULTS = Path(__file__).with_name("results") / "rls_plans.md"


def capture(ctx: AppContext, actor_name: str) -> list[tuple[str, str, dict]]:
    """(label, SQL, parameters) of every SELECT the queue screen runs for this actor."""
    seen: list[tuple[str, str, dict]] = []
    label = ["who is acting (agents)"]

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "pg_" not in statement:
            seen.append((label[0], statement, dict(parameters or {})))

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    desk = CaseDesk(ctx, actor_named(ctx, actor_name))
    queue = QueueService(desk)
    steps = [
        ("all open, first page", lambda: queue.first(QueueQuery(view=QueueView.ALL_OPEN), 60)),
        ("mine, first page", lambda: queue.first(QueueQuery(view=QueueView.MINE), 60)),
        ("unassigned, first page", lambda: queue.first(QueueQuery(view=QueueView.UNASSIGNED), 60)),
        ("resolved, first page", lambda: queue.first(QueueQuery(view=QueueView.RESOLVED), 60)),
        ("all open, last page (G)", lambda: queue.last(QueueQuery(view=QueueView.ALL_OPEN), 60)),
        ("view counts", queue.view_counts),
        ("band counts", lambda: queue.band_counts(QueueQuery(view=QueueView.ALL_OPEN))),
        ("search 'vps'", lambda: queue.first(QueueQuery(search="vps"), 60)),
    ]
    for name, step in steps:
        label[0] = name
        step()
    all_open = QueueQuery(view=QueueView.ALL_OPEN)
    page = queue.first(all_open, 60)
    label[0] = "all open, page after a key (PgDn)"
    queue.after(all_open, queue.key_of(all_open, page.rows[-1]), 60)
    event.remove(ctx.db.engine, "before_cursor_execute", record)
    return seen


def explain(conn, sql: str, params: dict, runs: int = 5) -> tuple[float, list[str]]:
    """Median execution time (ms) of EXPLAIN ANALYZE, and the first lines of the plan."""
    times, plan = [], []
    for _ in range(runs):
        rows = (
            conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + sql, params)
            .scalars()
            .all()
        )
        times.append(float(rows[-1].split(":")[1].split()[0]))
        plan = rows
    return statistics.median(times), [
        r for r in plan if not r.startswith(("Planning", "Execution"))
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    server = make_url(args.pg_url).set(drivername="postgresql+psycopg")
    sfx = uuid.uuid4().hex[:8]
    database, owner = f"ct_plans_{sfx}", f"ct_plans_owner_{sfx}"
    agent, supervisor = f"lan.nguyen-{sfx}", f"anh.vo-{sfx}"
    su = create_engine(server, isolation_level="AUTOCOMMIT")
    contexts = []

    def context(login: str) -> AppContext:
        url = server.set(username=login, database=database).render_as_string(hide_password=False)
        ctx = AppContext.build(Settings(), url, FixedClock(NOW))
        contexts.append(ctx)
        return ctx

    lines = [f"# Queue statements under row-level security, {args.size:,} demo cases", ""]
    try:
        with su.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{owner}" LOGIN CREATEROLE'))
            conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{owner}"'))
        owner_ctx = context(owner)
        init_database(owner_ctx)
        started = time.perf_counter()
        seed_demo(owner_ctx, resolve_actor(owner_ctx), args.size, 7)
        print(f"seeded {args.size:,} cases in {time.perf_counter() - started:.0f} s")
        with owner_ctx.db.engine.begin() as conn:  # two demo people get unique login names
            for demo, login in (("lan.nguyen", agent), ("anh.vo", supervisor)):
                conn.execute(
                    text("UPDATE agents SET name = :n WHERE name = :d"), {"n": login, "d": demo}
                )
                conn.execute(text("SELECT ct_create_login(:n)"), {"n": login})
        db_su = create_engine(server.set(database=database))
        for login in (agent, supervisor):
            statements = capture(context(login), login)
            lines += [
                f"## as {login.rsplit('-', 1)[0]} ({'agent' if login == agent else 'supervisor'})",
                "",
            ]
            lines += ["| statement | with RLS (login) | without (superuser) |", "|---|---:|---:|"]
            plans = []
            for label, sql, params in statements:
                as_login = create_engine(server.set(username=login, database=database))
                with as_login.connect() as conn:
                    with_rls, plan = explain(conn, sql, params)
                as_login.dispose()
                with db_su.connect() as conn:
                    without, plain = explain(conn, sql, params)
                lines.append(f"| {label} | {with_rls:.2f} ms | {without:.2f} ms |")
                plans += [f"### {label}", "", "```", *plan[:14], "```", ""]
                print(lines[-1], flush=True)
            lines += ["", *plans]
        db_su.dispose()
    finally:
        for ctx in contexts:
            ctx.db.dispose()
        with su.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for role in [*groups_of_database(conn, database), agent, supervisor, owner]:
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        su.dispose()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
