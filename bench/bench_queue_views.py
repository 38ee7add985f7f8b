"""Queue views benchmark: each view's first page, the next page and its counts, at scale.

    python bench/bench_queue_views.py --sizes 1000000 --db sqlite postgresql

Each size is a demo database (`complaint-tui demo --cases N --seed 7`), seeded once and reused
(bench_tui.seeded_url: the file bench/.data/queue_i9_N.db, or the PostgreSQL database
ct_bench_queue_N; --name and --database change them). For each view of the queue (services/queue.py), as the demo supervisor
and the demo agent: the first page of 120 rows (what the screen paints first), the page after
it (PgDn past the window), the view's band counts (the summary line) and every view's count
(the views line), median and worst of 20 calls each, in ms; then a search everywhere.

On PostgreSQL the bench connects as the server's superuser (row-level security is not applied;
the app's own need-to-know filter is) and acts as the demo people by name.
Results go to stdout and bench/results/queue_views.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_tui import seeded_url  # noqa: E402 - the same set-up as the queue's bench

PEOPLE = (("anh.vo", "supervisor"), ("lan.nguyen", "agent"))
CALLS = 20


def timed(call: Callable[[], object], calls: int = CALLS) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(calls):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), result


def plan(ctx, service, query) -> str:
    """The database's plan of the view's first page, one line per step (PostgreSQL's EXPLAIN;
    SQLite's EXPLAIN QUERY PLAN)."""
    from sqlalchemy import text

    from complaint_tui.services.cases import CaseDesk
    from complaint_tui.services.paging import keyset

    cols, desc = service._order(query)
    stmt = keyset(
        CaseDesk.summary_query().where(*service._conditions(query)), cols, None, not desc
    ).limit(121)
    compiled = stmt.compile(ctx.db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if ctx.db.is_sqlite else "EXPLAIN "
    with ctx.db.engine.connect() as conn:
        rows = conn.execute(text(prefix + str(compiled))).all()
    return "\n".join(str(r[-1]) for r in rows)


def measure(url: str, agent: str) -> tuple[list[tuple], str]:
    from complaint_tui.domain.settings import Settings
    from complaint_tui.services.cases import CaseDesk
    from complaint_tui.services.context import AppContext
    from complaint_tui.services.identity import actor_named
    from complaint_tui.services.queue import VIEW_ORDER, QueueQuery, QueueService, QueueView

    ctx = AppContext.build(Settings(), url)
    service = QueueService(CaseDesk(ctx, actor_named(ctx, agent)))
    rows = []
    queries = [(v.title, QueueQuery(view=v)) for v in VIEW_ORDER]
    queries.append(
        (
            "search everywhere: nguyen",
            QueueQuery(view=QueueView.MINE, search="nguyen", everywhere=True),
        )
    )
    for title, query in queries:
        first_ms, first_max, page = timed(lambda q=query: service.first(q, 120))
        if page.rows and not page.at_end:
            key = service.key_of(query, page.rows[-1])
            next_ms, next_max, _ = timed(lambda q=query, k=key: service.after(q, k, 120))
        else:
            next_ms = next_max = float("nan")
        bands_ms, bands_max, (_, total) = timed(lambda q=query: service.band_counts(q))
        views_ms, views_max, _ = timed(service.view_counts, 5)
        rows.append(
            (title, total, first_ms, first_max, next_ms, next_max, bands_ms, bands_max, views_ms)
        )
    shown = plan(ctx, service, QueueQuery(view=QueueView.NEXT_UPDATE))
    ctx.db.dispose()
    return rows, shown


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--name", default="queue_i9", help="SQLite file name stem")
    parser.add_argument("--database", default="ct_bench_queue", help="PostgreSQL name stem")
    args = parser.parse_args()
    load = os.getloadavg()
    lines = [
        "# Queue views benchmark",
        "",
        f"- CPU cores: {os.cpu_count()}; Python {platform.python_version()}; "
        f"load average at the start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        "",
        f"Median / worst of {CALLS} calls, ms (every view's count: median of 5).",
        "",
        "| database | cases | who | view | rows in view | first page (120) | next page "
        "| band counts | every view's count |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    plans = []
    for kind in args.db:
        for size in args.sizes:
            url = seeded_url(kind, size, args.name, args.database)
            for agent, role in PEOPLE:
                rows, shown = measure(url, agent)
                for title, total, f, fm, n, nm, b, bm, v in rows:
                    lines.append(
                        f"| {kind} | {size:,} | {role} | {title} | {total:,} | {f:.1f} / {fm:.1f} "
                        f"| {n:.1f} / {nm:.1f} | {b:.1f} / {bm:.1f} | {v:.1f} |"
                    )
                    print(lines[-1], flush=True)
                plans.append(
                    f"{kind} {size:,} {role}, Next update due, first page:\n\n```\n{shown}\n```\n"
                )
    lines += ["", "## Plans", "", *plans]
    out = HERE / "results" / "queue_views.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
