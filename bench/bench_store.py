"""Store benchmark: seed N demo cases into a fresh database, then time the queries the app runs.

    python bench/bench_store.py --sizes 10000 100000 1000000 --db sqlite postgresql

For each size and database: a fresh database (SQLite: a file in a temporary folder; PostgreSQL:
database ``ct_bench_<size>_<pid>``, created and dropped on the server of ``--pg-url``), seeded with
``complaint-tui demo``'s code (whose last step on PostgreSQL is VACUUM ANALYZE), then, over
``--runs`` runs each with varied keys:

- urgent: the 50 most urgent open cases through the service (``CaseDesk.list(limit=50)``), as
  each of the demo agents and the supervisor in turn (an agent's list also filters out the
  confidential cases of others); and the same statement alone on a bare Core connection;
- ref: a case by its unique ref (the summary row, as ``case list`` shows it);
- view: the full case view through the service (``CaseDesk.get``: case, timeline, clocks, and
  the access-log row every view writes);
- customer: a customer's 50 newest cases (index ``ix_cases_customer``);
- search: the queue's first page (120 rows) of all open cases for a search, through the service
  (``QueueService.first``, a fresh service each time so every run also counts the matches to
  choose its plan), as the supervisor: a common word ("nguyen"), a case's ref, and a word that
  matches nothing;
- deadlines: ``Sla.ack_due``, ``Sla.resolve_due`` and ``Sla.band`` on random instants.

Prints the machine and a markdown table, and writes both to ``bench/results/store.md``.
Timings use ``time.perf_counter``; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.enums import QueueBucket
from complaint_tui.domain.settings import Settings
from complaint_tui.services.admin import init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.demo import DEMO_AGENTS, seed_demo
from complaint_tui.services.identity import actor_named, resolve_actor
from complaint_tui.services.permissions import visible_filter
from complaint_tui.services.queue import QueueQuery, QueueService, QueueView
from complaint_tui.store.models import Case

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# The demo data is generated relative to "now"; a fixed instant makes every run seed the same
# cases (Wednesday 25 Nov 2026, 10:00 in Ho Chi Minh City).
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
RESULTS = Path(__file__).with_name("results") / "store.md"


@dataclass
class Result:
    db: str
    size: int
    seed_s: float
    phases: tuple[tuple[str, float], ...]
    timings: dict[str, list[float]] = field(default_factory=dict)  # name -> seconds per run


# ---- machine --------------------------------------------------------------------------------
def machine(pg_url: str | None) -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    rows = [
        ("CPU", cpu),
        ("Cores", str(os.cpu_count())),
        ("RAM", ram),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
    ]
    if pg_url:
        try:
            engine = create_engine(pg_url)
            with engine.connect() as conn:
                version = conn.execute(text("SHOW server_version")).scalar_one()
                settings = {
                    name: conn.execute(text(f"SHOW {name}")).scalar_one()
                    for name in ("shared_buffers", "max_wal_size", "synchronous_commit")
                }
            engine.dispose()
            rows.append(
                (
                    "PostgreSQL",
                    f"{version} (server defaults: "
                    + ", ".join(f"{k} {v}" for k, v in settings.items())
                    + ")",
                )
            )
        except Exception as exc:  # noqa: BLE001 - the machine line says why
            rows.append(("PostgreSQL", f"unavailable ({type(exc).__name__})"))
    try:
        rows.append(("Load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())))
    except OSError:
        pass
    return rows


# ---- databases ------------------------------------------------------------------------------
class SqliteTarget:
    name = "SQLite"

    def __init__(self, size: int) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="ct_bench_")
        self.url = f"sqlite:///{Path(self.dir.name) / f'bench_{size}.db'}"

    def cleanup(self) -> None:
        self.dir.cleanup()


class PostgresTarget:
    name = "PostgreSQL"

    def __init__(self, size: int, server_url: str) -> None:
        base = make_url(server_url).set(drivername="postgresql+psycopg")
        # The process id keeps two benchmarks on one server from dropping each other's database.
        self.db_name = f"ct_bench_{size}_{os.getpid()}"
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self.db_name}"'))
        self.url = base.set(database=self.db_name).render_as_string(hide_password=False)

    def cleanup(self) -> None:
        from complaint_tui.store.access import groups_of_database

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
            for group in groups_of_database(conn, self.db_name):  # init made them
                conn.execute(text(f'DROP ROLE "{group}"'))
        self.admin.dispose()


# ---- measurements ---------------------------------------------------------------------------
def timed(fn, args_list) -> list[float]:
    """Seconds per call of fn(*args), one call per args; a few untimed warm-up calls first."""
    for args in args_list[:5]:
        fn(*args)
    out = []
    for args in args_list:
        started = time.perf_counter()
        fn(*args)
        out.append(time.perf_counter() - started)
    return out


def bench_queries(ctx: AppContext, size: int, runs: int, rng: random.Random) -> dict:
    handlers = [name for name, role in DEMO_AGENTS if role.value in ("agent", "supervisor")]
    desks = [CaseDesk(ctx, actor_named(ctx, name)) for name in handlers]
    supervisor = next(d for d in desks if d.actor.sees_all_cases)
    year = ctx.calendar.local(ctx.now()).year
    ids = [rng.randint(1, size) for _ in range(runs)]
    with ctx.db.session() as s:
        found = dict(s.execute(select(Case.id, Case.customer).where(Case.id.in_(ids))).all())
    refs = [f"C-{year}-{i:05d}" for i in ids]
    customers = [found[i] for i in ids]

    def urgent(desk: CaseDesk) -> None:
        rows = desk.list(limit=50)
        assert len(rows) == min(50, size), len(rows)

    def urgent_sql(desk: CaseDesk) -> None:
        """The same statement without the service around it: the database's share."""
        stmt = (
            CaseDesk.summary_query()
            .where(visible_filter(desk.actor))
            .order_by(Case.queue_bucket, Case.queue_at, Case.id)
            .limit(50)
        )
        with ctx.db.engine.connect() as conn:
            assert len(conn.execute(stmt).all()) == min(50, size)

    def by_ref(ref: str) -> None:
        stmt = CaseDesk.summary_query().where(Case.ref == ref, visible_filter(supervisor.actor))
        with ctx.db.session() as s:
            assert len(CaseDesk.summaries(s, stmt)) == 1

    def view(ref: str) -> None:
        assert supervisor.get(ref).summary.ref == ref

    def by_customer(customer: str) -> None:
        stmt = (
            CaseDesk.summary_query()
            .where(Case.customer == customer, visible_filter(supervisor.actor))
            .order_by(Case.received_at.desc(), Case.id.desc())
            .limit(50)
        )
        with ctx.db.session() as s:
            assert CaseDesk.summaries(s, stmt)

    def search(word: str, expect_rows: bool) -> None:
        query = QueueQuery(view=QueueView.ALL_OPEN, search=word)
        rows = QueueService(supervisor).first(query, 120).rows
        assert bool(rows) == expect_rows, (word, len(rows))

    common = "nguyen"  # in about one case in fifty
    open_refs = [r.ref for r in supervisor.list(limit=runs) if r.queue_bucket != QueueBucket.DONE]
    return {
        "urgent": timed(urgent, [(desks[i % len(desks)],) for i in range(runs)]),
        "urgent_sql": timed(urgent_sql, [(desks[i % len(desks)],) for i in range(runs)]),
        "ref": timed(by_ref, [(r,) for r in refs]),
        "view": timed(view, [(r,) for r in refs]),
        "customer": timed(by_customer, [(c,) for c in customers]),
        "search_common": timed(search, [(common, True)] * runs),
        "search_ref": timed(search, [(open_refs[i % len(open_refs)], True) for i in range(runs)]),
        "search_none": timed(search, [(f"zqx{i}", False) for i in range(runs)]),
    }


def deadline_rate(ctx: AppContext, seconds: float = 3.0, seed: int = 7) -> tuple[float, int]:
    """Deadline computations per second: ack_due, resolve_due and band on random instants over
    two years (holidays, weekends and evenings included), each a fresh computation."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    span = 2 * 365 * 86400
    instants = [start + timedelta(seconds=rng.randrange(span)) for _ in range(50_000)]
    later = [t + timedelta(seconds=rng.randrange(10 * 86400)) for t in instants]
    sla = ctx.sla
    done = 0
    began = time.perf_counter()
    while True:
        for received, now in zip(instants, later, strict=True):
            due = sla.ack_due(received)
            sla.resolve_due(received)
            sla.band(due, now)
            done += 3
            if done % 3000 == 0 and time.perf_counter() - began >= seconds:
                return done / (time.perf_counter() - began), done


def run_one(kind: str, size: int, args) -> Result:
    target = SqliteTarget(size) if kind == "sqlite" else PostgresTarget(size, args.pg_url)
    try:
        ctx = AppContext.build(Settings(), target.url, FixedClock(NOW))
        # On SQLite the first admin is named; on PostgreSQL it is the connecting role.
        init_database(ctx, "it.admin" if kind == "sqlite" else None)
        started = time.perf_counter()
        seeded = seed_demo(
            ctx, resolve_actor(ctx, "it.admin" if kind == "sqlite" else None), size, args.seed
        )
        seed_s = time.perf_counter() - started
        phases = seeded.phases
        result = Result(target.name, size, seed_s, phases)
        result.timings = bench_queries(ctx, size, args.runs, random.Random(args.seed))
        ctx.db.dispose()
        return result
    finally:
        target.cleanup()


# ---- report ---------------------------------------------------------------------------------
def ms(values: list[float], q: str) -> str:
    if q == "median":
        v = statistics.median(values)
    else:
        v = statistics.quantiles(values, n=20, method="inclusive")[18]
    return f"{v * 1000:.2f}"


def report(results: list[Result], mach, rate: tuple[float, int], args) -> str:
    lines = ["## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in mach]
    lines += [
        "",
        f"## Store ({args.runs} runs per query, varied keys; times in ms, median / p95)",
        "",
        "| database | cases | seed s | cases/s | 50 most urgent | … its SQL alone | by ref | by customer | case view |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        t = r.timings
        cells = [
            r.db,
            f"{r.size:,}",
            f"{r.seed_s:.1f}",
            f"{r.size / r.seed_s:,.0f}",
        ] + [
            f"{ms(t[k], 'median')} / {ms(t[k], 'p95')}"
            for k in ("urgent", "urgent_sql", "ref", "customer", "view")
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Search, the queue's first page of all open cases (ms, median / p95):",
        "",
        '| database | cases | common word ("nguyen") | a ref | no match |',
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        t = r.timings
        cells = [r.db, f"{r.size:,}"] + [
            f"{ms(t[k], 'median')} / {ms(t[k], 'p95')}"
            for k in ("search_common", "search_ref", "search_none")
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Seeding time by phase (s):" if results else ""]
    for r in results:
        lines.append(
            f"- {r.db} {r.size:,}: " + ", ".join(f"{name} {s:.1f}" for name, s in r.phases)
        )
    lines += [
        "",
        f"Deadline computations (Sla.ack_due / resolve_due / band on random instants): "
        f"{rate[0]:,.0f} per second ({rate[1]:,} computed).",
        "",
        "- 50 most urgent: `CaseDesk.list(limit=50)` as each demo agent and the supervisor in turn "
        "(ORDER BY queue_bucket, queue_at, id; index `ix_cases_queue`); its SQL alone: the same "
        "statement through a bare SQLAlchemy Core connection (no services query, no objects).",
        "- by ref: the summary row of one case by its unique ref.",
        "- case view: `CaseDesk.get(ref)`: the case, its timeline and clocks, and the access-log "
        "row the view writes (a committed write transaction).",
        "- by customer: that customer's 50 newest cases (index `ix_cases_customer`).",
        "- search: `QueueService.first` (120 rows of all open cases, a fresh service per run, so "
        "each run also counts the matches to choose its plan) as the supervisor.",
    ]
    return "\n".join(lines) + "\n"


# ---- shared by the benchmarks' command lines ---------------------------------------------------
def add_database_options(parser: argparse.ArgumentParser, database: str) -> None:
    """--db and --pg-url; ``database`` names what the benchmark creates and drops on the server."""
    parser.add_argument(
        "--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("COMPLAINT_TUI_BENCH_PG", DEFAULT_PG_URL),
        help=f"a PostgreSQL server URL; the benchmark creates and drops {database} on it",
    )


def save_report(path: Path, title: str, mach: list[tuple[str, str]], report_text) -> None:
    """Adds the load average at the end to ``mach``, then prints and writes the report that
    ``report_text()`` builds from it."""
    try:
        mach.append(("Load average at end", " ".join(f"{x:.2f}" for x in os.getloadavg())))
    except OSError:
        pass
    out = report_text()
    print()
    print(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(f"# {title}\n\n" + out, encoding="utf-8")
    tmp.replace(path)
    print(f"Written to {path}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    add_database_options(parser, "ct_bench_<size>")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    mach = machine(args.pg_url if "postgresql" in args.db else None)
    for k, v in mach:
        print(f"{k}: {v}", flush=True)
    results = []
    for size in args.sizes:
        for kind in args.db:
            print(f"… {kind} {size:,} cases", file=sys.stderr, flush=True)
            r = run_one(kind, size, args)
            print(
                f"  seeded in {r.seed_s:.1f} s ("
                + ", ".join(f"{n} {s:.1f}" for n, s in r.phases)
                + ")",
                file=sys.stderr,
                flush=True,
            )
            results.append(r)
    rate = deadline_rate(AppContext.build(Settings(), "sqlite://", FixedClock(NOW)))
    save_report(args.out, "Store benchmark", mach, lambda: report(results, mach, rate, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
