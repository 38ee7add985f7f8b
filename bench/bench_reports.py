"""Report benchmark: a 12-month report over a seeded demo database, computed in SQL by
services/reports.py, against the same figures computed by loading the rows into Python.

    python bench/bench_reports.py --size 1000000 --db sqlite postgresql

Each database is seeded once (bench_tui.seeded_url: bench/.data/report_N.db, or the
PostgreSQL database ct_bench_report_N) and reused. The SQL report runs ``--runs`` times (the
table shows the first, a cold one, and the median); the naive path runs once. Both must give
equal figures, or the bench fails. Results go to stdout and bench/results/reports.md.
"""

from __future__ import annotations

import argparse
import bisect
import os
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_tui import seeded_url  # noqa: E402

from complaint_tui.domain.clock import FixedClock, SystemClock  # noqa: E402
from complaint_tui.domain.enums import (  # noqa: E402
    Channel,
    CustomerResponse,
    EscalationOutcome,
    Priority,
    QueueBucket,
    Status,
    Urgency,
)
from complaint_tui.domain.reports import (  # noqa: E402
    AGE_BUCKETS,
    ESCALATION_LEVELS,
    NO_CATEGORY,
    PENDING,
    hours,
    iso_week_label,
    nearest_rank,
    on_time_pct,
    week_mondays,
)
from complaint_tui.domain.settings import Settings  # noqa: E402
from complaint_tui.services.context import AppContext  # noqa: E402
from complaint_tui.services.identity import actor_named  # noqa: E402
from complaint_tui.services.reports import ReportQuery, build_report  # noqa: E402
from complaint_tui.store.models import (  # noqa: E402
    Agent,
    Case,
    CaseService,
    Escalation,
    EscalationDecision,
)

MANAGER = "thao.dang"  # a demo manager (services/demo.py DEMO_AGENTS)


def naive_report(ctx: AppContext, query: ReportQuery) -> dict:
    """The report's figures from every row of the period loaded into Python (a manager's view:
    every case). The definitions are the README's, written out a second time on purpose."""
    from sqlalchemy import select

    cal, sla = ctx.calendar, ctx.sla
    as_of = ctx.now()
    start = cal.day_start(query.date_from)
    end = cal.day_start(query.date_to + timedelta(days=1))
    with ctx.db.session() as s:
        rows = s.execute(
            select(
                Case.id,
                Case.channel,
                Case.category,
                Case.priority,
                Case.status,
                Case.received_at,
                Case.acknowledged_at,
                Case.ack_due_at,
                Case.resolved_at,
                Case.resolve_due_at,
                Case.paused_at,
                Case.paused_remaining_s,
                Case.queue_bucket,
                Case.queue_at,
                Case.extension_count,
                Case.reopen_count,
                Case.referred_to,
                Case.customer_response,
                Case.root_cause,
                Case.ack_business_s,
                Case.resolve_business_s,
                Agent.name,
            )
            .outerjoin(Agent, Agent.id == Case.assignee_id)
            .where(Case.received_at >= start, Case.received_at < end)
        ).all()
        ids = {r.id for r in rows}
        services = [
            sv
            for cid, sv in s.execute(select(CaseService.case_id, CaseService.service))
            if cid in ids
        ]
        escalations = [
            lv for cid, lv in s.execute(select(Escalation.case_id, Escalation.level)) if cid in ids
        ]
        decisions = [
            o
            for cid, o in s.execute(select(EscalationDecision.case_id, EscalationDecision.outcome))
            if cid in ids
        ]

    def ack_state(r) -> str:
        if r.acknowledged_at is not None:
            return "on" if r.acknowledged_at <= r.ack_due_at else "late"
        return "late" if r.ack_due_at < as_of else "pending"

    def resolve_state(r) -> str:
        if r.resolved_at is not None:
            return "on" if r.resolved_at <= r.resolve_due_at else "late"
        if r.status == Status.WAITING_ON_CUSTOMER.value:
            return "late" if r.paused_at is not None and r.paused_remaining_s is None else "pending"
        return "late" if r.resolve_due_at < as_of else "pending"

    def clock(states: Counter) -> dict:
        return {
            "on_time": states["on"],
            "late": states["late"],
            "pending": states["pending"],
            "on_time_pct": on_time_pct(states["on"], states["late"]),
        }

    def most_first(c: Counter) -> dict:
        return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))

    def percentiles(values: list[float]) -> dict:
        if not values:
            return {"median": None, "p90": None}
        values.sort()
        return {
            "median": hours(values[nearest_rank(len(values), 50) - 1]),
            "p90": hours(values[nearest_rank(len(values), 90) - 1]),
        }

    urgent_until, soon_until = sla.band_limits(as_of)
    mondays = week_mondays(query.date_from, query.date_to)
    week_starts = [cal.day_start(m) for m in mondays[1:]]
    acks, resolves = Counter(), Counter()
    channels, categories, priorities, statuses = Counter(), Counter(), Counter(), Counter()
    root_causes, responses, ages, bands = Counter(), Counter(), Counter(), Counter()
    weekly = [[0, Counter(), Counter()] for _ in mondays]
    agents: dict[str, list] = {}
    ack_s, resolve_s = [], []
    extended = reopened = referred = 0
    age_limits = [(label, as_of - timedelta(days=days)) for label, days in AGE_BUCKETS]
    for r in rows:
        a, z = ack_state(r), resolve_state(r)
        acks[a] += 1
        resolves[z] += 1
        channels[r.channel] += 1
        categories[r.category or NO_CATEGORY] += 1
        priorities[r.priority] += 1
        statuses[r.status] += 1
        extended += r.extension_count > 0
        reopened += r.reopen_count > 0
        referred += r.referred_to is not None
        if r.customer_response:
            responses[r.customer_response] += 1
        if r.resolved_at is not None and r.root_cause is not None:
            root_causes[r.root_cause] += 1
        if r.ack_business_s is not None:
            ack_s.append(r.ack_business_s)
        if r.resolve_business_s is not None:
            resolve_s.append(r.resolve_business_s)
        w = weekly[bisect.bisect_right(week_starts, r.received_at)]
        w[0] += 1
        w[1][a] += 1
        w[2][z] += 1
        if r.name is not None:
            entry = agents.setdefault(r.name, [0, Counter(), Counter()])
            entry[0] += 1
            entry[1][a] += 1
            entry[2][z] += 1
        if Status(r.status).is_open:
            label = next(
                lb for lb, limit in reversed(age_limits) if r.received_at <= limit or lb == "<1d"
            )
            ages[label] += 1
            if r.queue_bucket != QueueBucket.ACTIVE:
                band = Urgency.PAUSED
            elif r.queue_at <= as_of:
                band = Urgency.BREACHED
            elif r.queue_at <= urgent_until:
                band = Urgency.URGENT
            elif r.queue_at <= soon_until:
                band = Urgency.SOON
            else:
                band = Urgency.OK
            bands[band.value] += 1
    levels = Counter(str(lv) for lv in escalations)
    outcomes = Counter(decisions)
    return {
        "period": {"from": query.date_from.isoformat(), "to": query.date_to.isoformat()},
        "as_of": as_of.astimezone(cal.tz).isoformat(),
        "cases_received": len(rows),
        "by_channel": {c.value: channels[c.value] for c in Channel},
        "by_service": most_first(Counter(services)),
        "by_category": most_first(categories),
        "by_priority": {p.value: priorities[p.value] for p in Priority},
        "by_status": {st.value: statuses[st.value] for st in Status},
        "ack": clock(acks),
        "resolve": clock(resolves),
        "ack_business_hours": percentiles(ack_s),
        "resolve_business_hours": percentiles(resolve_s),
        "extensions": extended,
        "reopened": reopened,
        "escalations": {
            "requested": len(escalations),
            "by_level": {lv: levels[lv] for lv in ESCALATION_LEVELS},
            "by_decision": {
                **{o.value: outcomes[o.value] for o in EscalationOutcome},
                PENDING: len(escalations) - len(decisions),
            },
        },
        "referrals": referred,
        "closing_responses": {r.value: responses[r.value] for r in CustomerResponse},
        "root_causes": most_first(root_causes),
        "backlog": {
            "by_age": {label: ages[label] for label, _ in AGE_BUCKETS},
            "by_band": {
                u.value: bands[u.value]
                for u in (
                    Urgency.BREACHED,
                    Urgency.URGENT,
                    Urgency.SOON,
                    Urgency.OK,
                    Urgency.PAUSED,
                )
            },
        },
        "weekly": [
            {
                "week": iso_week_label(m),
                "received": w[0],
                "ack_on_time_pct": on_time_pct(w[1]["on"], w[1]["late"]),
                "resolve_on_time_pct": on_time_pct(w[2]["on"], w[2]["late"]),
            }
            for m, w in zip(mondays, weekly, strict=True)
        ],
        "by_agent": [
            {
                "agent": name,
                "handled": e[0],
                "ack_on_time_pct": on_time_pct(e[1]["on"], e[1]["late"]),
                "resolve_on_time_pct": on_time_pct(e[2]["on"], e[2]["late"]),
            }
            for name, e in sorted(agents.items())
        ],
    }


def measure(kind: str, size: int, runs: int, name: str, database: str) -> dict:
    url = seeded_url(kind, size, name=name, database=database)
    clock = FixedClock(SystemClock().now())  # one as_of for both paths
    ctx = AppContext.build(Settings(), url, clock)
    try:
        actor = actor_named(ctx, MANAGER)
        today = ctx.calendar.local(clock.now()).date()
        query = ReportQuery(today.replace(year=today.year - 1) + timedelta(days=1), today)
        times, cpu, report = [], [], None
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            report = build_report(ctx, actor, query)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        started = time.perf_counter()
        naive = naive_report(ctx, query)
        naive_s = time.perf_counter() - started
        if naive != report:
            diff = [k for k in report if report[k] != naive.get(k)]
            raise SystemExit(f"{kind}: the SQL and naive reports differ in {diff}")
        return {
            "kind": kind,
            "cases": report["cases_received"],
            "first": times[0],
            "median": statistics.median(times),
            "cpu": statistics.median(cpu),
            "naive": naive_s,
        }
    finally:
        ctx.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--name", default="report", help="SQLite file bench/.data/NAME_SIZE.db")
    parser.add_argument(
        "--database", default="ct_bench_report", help="PostgreSQL database DATABASE_SIZE"
    )
    args = parser.parse_args()
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"| database | cases in the period | SQL report, first | SQL report, median of {args.runs} "
        "| of which this process's CPU | naive (rows into Python) | speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in args.db:
        r = measure(kind, args.size, args.runs, args.name, args.database)
        lines.append(
            f"| {kind} | {r['cases']:,} | {r['first']:.2f} s | {r['median']:.2f} s | "
            f"{r['cpu']:.2f} s | {r['naive']:.1f} s | {r['naive'] / r['median']:.1f}× |"
        )
        print(lines[-1], flush=True)
    out = HERE / "results" / "reports.md"
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines.insert(0, f"Load average at the start: {load_start}.\n")
    out.write_text(
        "# Reports: a 12-month report, SQL against rows loaded into Python\n\n"
        + f"{os.cpu_count()} CPUs, load average at the end {load}.\n\n"
        + "\n".join(lines)
        + "\n\nFigures equal on both paths (checked by the bench).\n",
        encoding="utf-8",
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
