"""The desk's queries under row-level security, timed: an agent's login with the policies applied
against the same login with them bypassed.

    python bench/rls_bench.py --size 1000000 --runs 30
    python bench/rls_bench.py --size 1000000 --keep            # leave the seeded desk behind
    python bench/rls_bench.py --reuse ct_bench_rls_1a2b3c4d     # time a kept desk again
    python bench/rls_bench.py --drop ct_bench_rls_1a2b3c4d      # drop a kept desk and its roles

Sets up a desk the README's way (an owner role with CREATEROLE, a database it owns, ``init``),
seeds the demo data as the owner and gives the demo agent lan.nguyen and the demo supervisor
anh.vo their own login roles. Then, for each query the desk runs (the queue's views, a page
after a key, the last page, the counts, searches, the case view, the escalation screen, the
audit trail), it times

- *the call*: the service call the TUI and the CLI make, through the program (pooled
  connection, transaction, rows built into objects; the case view and the audit trail also
  write their access-log row), as the login;
- *the SQL*: the SELECT statements that call sent, captured once, replayed on one connection as
  the login, timed from send to last row fetched.

Both are timed with row-level security on (the login as ``init`` and ``agent add`` leave it) and
off: the same login altered to BYPASSRLS by the superuser, so the SQL, the grants, the triggers
and the identity are the same and only the policies go. The two settings alternate in rounds
(fresh connections each round, so no plan is cached across them) and each figure is the median
and 95th percentile of all runs of that setting. Writes the table to bench/results/rls_bench.md.
The database and every role made here are dropped at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, make_url

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.settings import Settings
from complaint_tui.services.admin import init_database
from complaint_tui.services.audit_trail import AuditTrail
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.demo import seed_demo
from complaint_tui.services.escalations import EscalationService, EscalationView
from complaint_tui.services.identity import actor_named, resolve_actor
from complaint_tui.services.queue import QueueQuery, QueueService, QueueView
from complaint_tui.store.access import groups_of_database

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
RESULTS = Path(__file__).with_name("results") / "rls_bench.md"
PREFIX = "ct_bench_rls_"
AGENT, SUPERVISOR = "lan.nguyen", "anh.vo"
PAGE = 120  # the queue screen's first page


@dataclass(frozen=True)
class Desk:
    server: URL
    database: str

    @property
    def sfx(self) -> str:
        return self.database.removeprefix(PREFIX)

    @property
    def owner(self) -> str:
        return f"{PREFIX}owner_{self.sfx}"

    def login(self, demo: str) -> str:
        return f"{demo}-{self.sfx}"

    def url(self, login: str | None = None) -> URL:
        return self.server.set(username=login or self.server.username, database=self.database)

    def context(self, login: str) -> AppContext:
        return AppContext.build(
            Settings(), self.url(login).render_as_string(hide_password=False), FixedClock(NOW)
        )


def create_desk(server: URL, size: int) -> Desk:
    desk = Desk(server, f"{PREFIX}{uuid.uuid4().hex[:8]}")
    su = create_engine(server, isolation_level="AUTOCOMMIT")
    with su.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{desk.owner}" LOGIN CREATEROLE'))
        conn.execute(text(f'CREATE DATABASE "{desk.database}" OWNER "{desk.owner}"'))
    su.dispose()
    owner_ctx = desk.context(desk.owner)
    try:
        init_database(owner_ctx)
        started = time.perf_counter()
        seed_demo(owner_ctx, resolve_actor(owner_ctx), size, 7)
        print(f"seeded {size:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
        with owner_ctx.db.engine.begin() as conn:  # the demo people get unique login names
            for demo in (AGENT, SUPERVISOR):
                conn.execute(
                    text("UPDATE agents SET name = :n WHERE name = :d"),
                    {"n": desk.login(demo), "d": demo},
                )
                conn.execute(text("SELECT ct_create_login(:n)"), {"n": desk.login(demo)})
    finally:
        owner_ctx.db.dispose()
    return desk


def drop_desk(desk: Desk) -> None:
    su = create_engine(desk.server, isolation_level="AUTOCOMMIT")
    with su.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{desk.database}" WITH (FORCE)'))
        roles = [
            *groups_of_database(conn, desk.database),
            desk.login(AGENT),
            desk.login(SUPERVISOR),
            desk.owner,
        ]
        for role in roles:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    su.dispose()
    print(f"dropped {desk.database} and its roles", flush=True)


@dataclass
class Query:
    who: str  # the demo name of the login
    label: str
    call: Callable[[AppContext], object]  # one service call, made afresh each run
    sql: list[tuple[str, dict]] = field(default_factory=list)  # its SELECTs, captured once
    times: dict[tuple[str, bool], list[float]] = field(default_factory=dict)  # (kind, rls) -> ms

    def add(self, kind: str, rls: bool, ms: float) -> None:
        self.times.setdefault((kind, rls), []).append(ms)


def queries(desk: Desk, refs: dict[str, str]) -> list[Query]:
    """Every query the desk runs: as the agent, and the screens only reviewers use as the
    supervisor. Each call builds its service afresh (a search decides its plan every time)."""

    def queue(ctx: AppContext, who: str) -> QueueService:
        return QueueService(CaseDesk(ctx, actor_named(ctx, desk.login(who))))

    def esc(ctx: AppContext, who: str) -> EscalationService:
        return EscalationService(CaseDesk(ctx, actor_named(ctx, desk.login(who))))

    def after_first(ctx: AppContext, who: str, view: QueueView):
        q, query = queue(ctx, who), QueueQuery(view=view)
        return q.after(query, refs[f"key {who} {view}"], PAGE)

    def trail_case(ctx: AppContext, who: str):
        trail = AuditTrail(ctx, actor_named(ctx, desk.login(who)))
        return trail.first(trail.open_case(refs["audited"]), PAGE)

    def trail_actor(ctx: AppContext, who: str):
        trail = AuditTrail(ctx, actor_named(ctx, desk.login(who)))
        return trail.first(trail.open_actor(refs["agent login"]), PAGE)

    out: list[Query] = []
    for who in (AGENT, SUPERVISOR):
        w = who
        for view in QueueView:
            out.append(
                Query(
                    w,
                    f"queue: {view.title}, first page",
                    lambda c, w=w, v=view: queue(c, w).first(QueueQuery(view=v), PAGE),
                )
            )
        out += [
            Query(
                w,
                "queue: All open, page after a key (PgDn)",
                lambda c, w=w: after_first(c, w, QueueView.ALL_OPEN),
            ),
            Query(
                w,
                "queue: All open, last page (G)",
                lambda c, w=w: queue(c, w).last(QueueQuery(view=QueueView.ALL_OPEN), PAGE),
            ),
            Query(w, "counts: views", lambda c, w=w: queue(c, w).view_counts()),
            Query(
                w,
                "counts: bands of All open",
                lambda c, w=w: queue(c, w).band_counts(QueueQuery(view=QueueView.ALL_OPEN)),
            ),
            Query(
                w,
                "counts: bands of a search (nguyen)",
                lambda c, w=w: queue(c, w).band_counts(
                    QueueQuery(view=QueueView.ALL_OPEN, search="nguyen")
                ),
            ),
            Query(
                w,
                "counts: bands of a search (a ref)",
                lambda c, w=w: queue(c, w).band_counts(
                    QueueQuery(view=QueueView.ALL_OPEN, search=refs["open"])
                ),
            ),
            Query(
                w,
                "search: a common word (nguyen)",
                lambda c, w=w: queue(c, w).first(
                    QueueQuery(view=QueueView.ALL_OPEN, search="nguyen"), PAGE
                ),
            ),
            Query(
                w,
                "search: a rare word (vps)",
                lambda c, w=w: queue(c, w).first(
                    QueueQuery(view=QueueView.ALL_OPEN, search="vps"), PAGE
                ),
            ),
            Query(
                w,
                "search: a ref",
                lambda c, w=w: queue(c, w).first(
                    QueueQuery(view=QueueView.ALL_OPEN, search=refs["open"]), PAGE
                ),
            ),
            Query(
                w,
                "search: no match",
                lambda c, w=w: queue(c, w).first(
                    QueueQuery(view=QueueView.ALL_OPEN, search="zzqxw"), PAGE
                ),
            ),
            Query(
                w,
                "case view (open case)",
                lambda c, w=w: CaseDesk(c, actor_named(c, desk.login(w))).get(refs["open"]),
            ),
            Query(
                w,
                "case view (long history)",
                lambda c, w=w: CaseDesk(c, actor_named(c, desk.login(w))).get(refs["long"]),
            ),
        ]
    out += [
        Query(
            AGENT,
            "case view (own confidential)",
            lambda c: CaseDesk(c, actor_named(c, desk.login(AGENT))).get(refs["confidential"]),
        ),
        Query(
            AGENT,
            "escalations: My escalated cases, first page",
            lambda c: esc(c, AGENT).first(EscalationView.MY_CASES, PAGE),
        ),
        Query(
            AGENT, "escalations: counts", lambda c: esc(c, AGENT).counts(EscalationView.MY_CASES)
        ),
    ]
    for view in (EscalationView.MINE, EscalationView.PENDING, EscalationView.DECIDED):
        out.append(
            Query(
                SUPERVISOR,
                f"escalations: {view.title}, first page",
                lambda c, v=view: esc(c, SUPERVISOR).first(v, PAGE),
            )
        )
    out += [
        Query(
            SUPERVISOR,
            "escalations: counts (Mine to decide)",
            lambda c: esc(c, SUPERVISOR).counts(EscalationView.MINE),
        ),
        Query(SUPERVISOR, "audit trail of a case, first page", lambda c: trail_case(c, SUPERVISOR)),
        Query(
            SUPERVISOR, "audit trail of the agent, first page", lambda c: trail_actor(c, SUPERVISOR)
        ),
    ]
    return out


def pick_refs(desk: Desk) -> dict[str, str]:
    """The cases the case views open: visible to the agent (superuser's read, same filter)."""
    eng = create_engine(desk.url())
    agent = desk.login(AGENT)
    with eng.connect() as conn:
        me = conn.execute(text("SELECT id FROM agents WHERE name = :n"), {"n": agent}).scalar_one()
        one = lambda sql: conn.execute(text(sql), {"me": me}).scalar_one()  # noqa: E731
        refs = {
            "open": one(
                "SELECT ref FROM cases WHERE NOT confidential AND queue_bucket = 0 "
                "ORDER BY id LIMIT 1 OFFSET 100"
            ),
            "confidential": one(
                "SELECT ref FROM cases WHERE confidential AND assignee_id = :me ORDER BY id LIMIT 1"
            ),
            "long": one(
                "SELECT c.ref FROM cases c JOIN (SELECT case_id, count(*) n FROM timeline_events "
                "WHERE case_id < 50000 GROUP BY case_id ORDER BY n DESC LIMIT 1) t ON t.case_id = c.id "
                "WHERE NOT c.confidential"
            ),
        }
    eng.dispose()
    refs["audited"] = refs["open"]
    refs["agent login"] = agent
    return refs


def set_rls(desk: Desk, on: bool) -> None:
    """On: the logins as init and agent add leave them. Off: BYPASSRLS (superuser's ALTER)."""
    su = create_engine(desk.server, isolation_level="AUTOCOMMIT")
    with su.connect() as conn:
        for demo in (AGENT, SUPERVISOR):
            attr = "NOBYPASSRLS" if on else "BYPASSRLS"
            conn.execute(text(f'ALTER ROLE "{desk.login(demo)}" {attr}'))
    su.dispose()


def capture(ctx: AppContext, q: Query) -> None:
    """Make the call once, recording the SELECTs it sends."""
    seen: list[tuple[str, dict]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, dict(parameters or {})))

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        q.call(ctx)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)
    q.sql = seen


CAP_S = 3.0  # a query's runs in one round stop after this long (at least one run)


def time_calls(desk: Desk, qs: list[Query], rls: bool, runs: int) -> None:
    """The service calls of every query, ``runs`` times each, on a fresh pool."""
    set_rls(desk, rls)
    for who in (AGENT, SUPERVISOR):
        ctx = desk.context(desk.login(who))
        try:
            for q in (q for q in qs if q.who == who):
                q.call(ctx)  # warm: the pool's connection, the caches
                spent = 0.0
                for _ in range(runs):
                    t0 = time.perf_counter()
                    q.call(ctx)
                    took = time.perf_counter() - t0
                    q.add("call", rls, took * 1000)
                    spent += took
                    if spent > CAP_S:
                        break
        finally:
            ctx.db.dispose()


def server_ms(conn, sql: str, params: dict) -> float:
    """Planning plus execution time of one statement, as the server measured it."""
    rows = (
        conn.exec_driver_sql("EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) " + sql, params)
        .scalars()
        .all()
    )
    return sum(
        float(r.split(":")[1].split()[0])
        for r in rows
        if r.startswith(("Planning Time:", "Execution Time:"))
    )


def time_sql(desk: Desk, qs: list[Query], runs: int) -> None:
    """Each query's statements, replayed alternately as the login (policies on) and as the
    superuser (bypassed), one connection each, so both meet the same moment of the machine:
    timed by the client (send to last row) and by the server (EXPLAIN ANALYZE's planning and
    execution time, without the client's share, which a loaded machine makes noisy)."""
    set_rls(desk, True)
    su = create_engine(desk.url())
    for who in (AGENT, SUPERVISOR):
        login = create_engine(desk.url(desk.login(who)))
        with login.connect() as on, su.connect() as off:
            for q in (q for q in qs if q.who == who):
                spent = 0.0
                for i in range(runs + 2):  # the first two warm up
                    for rls, conn in ((True, on), (False, off))[:: 1 if i % 2 else -1]:
                        t0 = time.perf_counter()
                        with conn.begin():
                            for sql, params in q.sql:
                                conn.exec_driver_sql(sql, params).fetchall()
                        took = time.perf_counter() - t0
                        with conn.begin():
                            server = sum(server_ms(conn, sql, params) for sql, params in q.sql)
                        if i >= 2:
                            q.add("sql", rls, took * 1000)
                            q.add("server", rls, server)
                            spent += 2 * took
                    if spent > 8 * CAP_S:
                        break
        login.dispose()
    su.dispose()


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def within(on: list[float], off: list[float]) -> bool:
    """The rule: the median with RLS at most 20% over the median without, or less than 0.5 ms
    over it (below that, a run's noise on this machine is of the same size)."""
    a, b = statistics.median(on), statistics.median(off)
    return a <= 1.2 * b or a - b < 0.5


def prepare(desk: Desk) -> list[Query]:
    """The queries, each with the SQL it sends (captured with the policies on)."""
    refs = pick_refs(desk)
    qs = queries(desk, refs)
    set_rls(desk, True)
    for who in (AGENT, SUPERVISOR):
        ctx = desk.context(desk.login(who))
        # The PgDn page starts after the first page's last row, as that login sees it.
        q = QueueService(CaseDesk(ctx, actor_named(ctx, desk.login(who))))
        query = QueueQuery(view=QueueView.ALL_OPEN)
        page = q.first(query, PAGE)
        refs[f"key {who} {QueueView.ALL_OPEN}"] = q.key_of(query, page.rows[-1])
        for item in (x for x in qs if x.who == who):
            capture(ctx, item)
        ctx.db.dispose()
    return qs


def explain(desk: Desk, wanted: str) -> None:
    """EXPLAIN ANALYZE of each statement of the queries whose label holds ``wanted``, as the
    login (policies on) and as the superuser (bypassed)."""
    qs = [q for q in prepare(desk) if wanted in q.label]
    su = create_engine(desk.url())
    for q in qs:
        login = create_engine(desk.url(desk.login(q.who)))
        print(f"===== {q.who}: {q.label}")
        for sql, params in q.sql:
            for name, eng in (("RLS on", login), ("bypassed", su)):
                with eng.connect() as conn:
                    for _ in range(2):
                        rows = (
                            conn.exec_driver_sql(
                                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params
                            )
                            .scalars()
                            .all()
                        )
                print(f"--- {name}: {' '.join(sql.split())[:200]}")
                print("\n".join(rows))
        login.dispose()
    su.dispose()


def run_bench(desk: Desk, runs: int, rounds: int) -> None:
    qs = prepare(desk)
    load = [os.getloadavg()[0]]
    per_round = max(1, runs // rounds)
    started = time.perf_counter()
    for r in range(rounds):
        for rls in (True, False) if r % 2 == 0 else (False, True):
            time_calls(desk, qs, rls, per_round)
            load.append(os.getloadavg()[0])
            print(
                f"round {r + 1}, calls with RLS {'on' if rls else 'off'}: load {load[-1]:.2f}",
                flush=True,
            )
    time_sql(desk, qs, runs)
    load.append(os.getloadavg()[0])
    set_rls(desk, True)
    write_results(desk, qs, runs, load, time.perf_counter() - started)


def write_results(desk: Desk, qs: list[Query], runs: int, load: list[float], took: float) -> None:
    eng = create_engine(desk.url())
    with eng.connect() as conn:
        size = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
        version = conn.execute(text("SHOW server_version")).scalar_one()
    eng.dispose()
    fmt = lambda xs: f"{statistics.median(xs):.2f} / {p95(xs):.2f}"  # noqa: E731
    lines = [
        f"# The desk's queries under row-level security, {size:,} demo cases",
        "",
        f"Measured {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {platform.node()} "
        f"({os.cpu_count()} cores), PostgreSQL {version}, Python {platform.python_version()}; "
        f"load average {min(load):.2f}–{max(load):.2f} during the run ({took / 60:.0f} min). "
        f"Times in ms, median / p95 of up to {runs} runs per setting (a query's runs in one "
        f"round stop after {CAP_S:.0f} s; n = runs per setting). *Call*: the service call as "
        "the login, RLS on (as `init` leaves it) or off (the same login with BYPASSRLS), in "
        "alternating rounds. *SQL*: its statements replayed alternately as the login (on) and "
        "as a superuser (off), timed by the client; *server*: the same, each statement's "
        "planning + execution time by EXPLAIN ANALYZE. Within (the rule): the server's median "
        "with RLS ≤ 1.2 × its median without, or less than 0.5 ms over it.",
        "",
        "| login | query | call, RLS on | call, off | ratio | n | SQL, RLS on | SQL, off | ratio "
        "| server, RLS on | server, off | ratio | n | within |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for q in qs:
        cells = []
        for kind in ("call", "sql", "server"):
            on, off = q.times[(kind, True)], q.times[(kind, False)]
            ratio = statistics.median(on) / statistics.median(off)
            cells += [fmt(on), fmt(off), f"{ratio:.2f}"]
            if kind != "sql":
                cells.append(str(min(len(on), len(off))))
        ok = within(q.times[("server", True)], q.times[("server", False)])
        role = "agent" if q.who == AGENT else "supervisor"
        lines.append(f"| {role} | {q.label} | {' | '.join(cells)} | {'yes' if ok else '**no**'} |")
        print(lines[-1], flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30, help="runs of each query per setting")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of RLS on / off")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="leave the desk for --reuse")
    parser.add_argument("--reuse", metavar="DATABASE", help="time a desk kept by --keep")
    parser.add_argument("--drop", metavar="DATABASE", help="drop a kept desk and its roles")
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument("--explain", metavar="TEXT", help="print the plans of queries named so")
    args = parser.parse_args()
    server = make_url(args.pg_url).set(drivername="postgresql+psycopg")
    if args.drop:
        drop_desk(Desk(server, args.drop))
        return
    desk = Desk(server, args.reuse) if args.reuse else create_desk(server, args.size)
    print(f"desk {desk.database}", flush=True)
    try:
        if args.explain:
            explain(desk, args.explain)
        elif not args.setup_only:
            run_bench(desk, args.runs, args.rounds)
    finally:
        if not (args.keep or args.reuse or args.setup_only):
            drop_desk(desk)


if __name__ == "__main__":
    main()
