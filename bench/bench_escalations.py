"""Escalation screen benchmark: key `2` to first rows, the summary counts, each view, at scale.

    python bench/bench_escalations.py --sizes 1000000 --db sqlite postgresql [--runs 3]

Each size is a demo database (`complaint-tui demo --cases N --seed 7`: about 2% of the cases
escalated, at both levels, pending and decided), seeded once and reused. Two measurements:

- the screen, in a fresh process per run (bench/escalation_probe.py): from the key to the first
  rows painted and to the summary line's counts, for "Mine to decide" (key 2), "All pending"
  and "Decided" (key ]), as the demo supervisor and the demo manager; medians of the runs;
- the service calls alone (services/escalations.py), in this process: a first page of 120 rows
  and the counts of each view, median and worst of 20 calls.

On PostgreSQL the bench connects as the server's superuser (row-level security is not applied;
the supervisor's and manager's policies are `true`) and acts as the demo people by name.
Results go to stdout and bench/results/escalations.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_tui import seeded_url  # noqa: E402 - the same set-up as the queue's bench

PEOPLE = (("anh.vo", "supervisor"), ("thao.dang", "manager"))


def screen_runs(url: str, agent: str, runs: int) -> list[dict]:
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, str(HERE / "escalation_probe.py"), "--db", url, "--as", agent],
            env=dict(os.environ, TEXTUAL_ANIMATIONS="none"),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def service_times(url: str, agent: str, calls: int = 20) -> dict[str, tuple[float, float, int]]:
    """view -> (first page median ms, counts median ms, rows in the view)."""
    from complaint_tui.domain.settings import Settings
    from complaint_tui.services.cases import CaseDesk
    from complaint_tui.services.context import AppContext
    from complaint_tui.services.escalations import EscalationService, views_for
    from complaint_tui.services.identity import actor_named

    ctx = AppContext.build(Settings(), url)
    service = EscalationService(CaseDesk(ctx, actor_named(ctx, agent)))
    out = {}
    for view in views_for(service.actor):
        pages, counts = [], []
        for _ in range(calls):
            started = time.perf_counter()
            service.first(view, 120)
            pages.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            total = service.counts(view).total
            counts.append((time.perf_counter() - started) * 1000)
        out[view.value] = (statistics.median(pages), statistics.median(counts), total)
    ctx.db.dispose()
    return out


def _median(runs: list[dict], key: str) -> str:
    values = [r[key] for r in runs if r.get(key) is not None]
    return f"{statistics.median(values):.1f}" if values else "—"


def machine() -> list[str]:
    load = os.getloadavg()
    return [
        f"- CPU cores: {os.cpu_count()}; Python {platform.python_version()}; "
        f"load average at the start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lines = ["# Escalation screen benchmark", "", *machine(), ""]
    lines += [
        "## Key `2` (then `]`) to the screen, fresh process per run (median of runs, ms)",
        "",
        "| database | cases | who | view | rows in view | first rows painted | counts shown "
        "| j | PgDn | peak RSS |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    service_lines = [
        "## The service calls alone (median of 20, ms)",
        "",
        "| database | cases | who | view | first page (120 rows) | counts |",
        "|---|---:|---|---|---:|---:|",
    ]
    for kind in args.db:
        for size in args.sizes:
            url = seeded_url(kind, size, "escalations", "ct_bench_esc")
            for agent, role in PEOPLE:
                runs = screen_runs(url, agent, args.runs)
                for i, first in enumerate(runs[0]["views"]):

                    def med(key: str, i=i, runs=runs) -> float:
                        return statistics.median(r["views"][i][key] for r in runs)

                    extra = (
                        f"{_median(runs, 'j_ms')} | {_median(runs, 'pagedown_ms')} | "
                        f"{statistics.median(r['peak_rss_mb'] for r in runs):.0f} MB"
                        if i == len(runs[0]["views"]) - 1
                        else " | | "
                    )
                    lines.append(
                        f"| {kind} | {size:,} | {role} | {first['view']} | {first['total']:,} "
                        f"| {med('rows_ms'):.0f} | {med('counts_ms'):.0f} | {extra} |"
                    )
                    print(lines[-1], flush=True)
                for view, (page, counts, total) in service_times(url, agent).items():
                    service_lines.append(
                        f"| {kind} | {size:,} | {role} | {view} | {page:.1f} | {counts:.1f} |"
                    )
                    print(service_lines[-1], f"({total:,} rows)", flush=True)
    lines += ["", *service_lines, ""]
    out = HERE / "results" / "escalations.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
