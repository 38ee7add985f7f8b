"""Team screen benchmark: key `4` to the first rows, and `enter` to that person's queue, at scale.

    python bench/bench_team.py --sizes 1000000 --db sqlite postgresql [--runs 3]

Each size is a demo database (`complaint-tui demo --cases N --seed 7`, about half the cases
open, spread over the demo's seven people), seeded once and reused (bench_tui.seeded_url, files
team_N.db and databases ct_bench_team_N). Two measurements:

- the screen, in a fresh process per run (bench/team_probe.py): from the key `4` to the team
  table's first rows painted, and from `enter` on the first person to their queue's first rows
  (the queue filtered to that assignee); medians of the runs;
- the service call alone (services/team.py TeamService.rows, one grouped query over the partial
  index ix_cases_open_workload), in this process: median and worst of 10 calls, wall time and
  this process's CPU time (the machine is shared: wall time includes waiting for a core).

On PostgreSQL the bench connects as the server's superuser (the supervisor's policies are
`true`, so row-level security changes nothing here) and acts as the demo supervisor by name.
Results go to stdout and bench/results/team.md.
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

AGENT = "anh.vo"  # the demo supervisor


def screen_runs(url: str, runs: int) -> list[dict]:
    out = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, str(HERE / "team_probe.py"), "--db", url, "--as", AGENT],
            env=dict(os.environ, TEXTUAL_ANIMATIONS="none"),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def service_times(url: str, calls: int = 10) -> tuple[list[float], list[float], int]:
    """Wall and CPU milliseconds of each call, and the open cases counted."""
    from complaint_tui.domain.settings import Settings
    from complaint_tui.services.cases import CaseDesk
    from complaint_tui.services.context import AppContext
    from complaint_tui.services.identity import actor_named
    from complaint_tui.services.team import TeamService

    ctx = AppContext.build(Settings(), url)
    service = TeamService(CaseDesk(ctx, actor_named(ctx, AGENT)))
    wall, cpu, total = [], [], 0
    for _ in range(calls):
        started, started_cpu = time.perf_counter(), time.process_time()
        rows = service.rows()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        total = sum(r.open for r in rows)
    ctx.db.dispose()
    return wall, cpu, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()
    lines = [
        "# Team screen benchmark",
        "",
        f"- CPU cores: {os.cpu_count()}; Python {platform.python_version()}; "
        f"load average at the start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        "",
        "## Key `4` to the team's first rows, `enter` to that person's queue "
        "(fresh process per run, median of runs, ms)",
        "",
        "| database | cases | open cases | people | `4` to first rows | `enter` to their queue "
        "| peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    service_lines = [
        "## TeamService.rows() alone (10 calls, ms)",
        "",
        "| database | cases | wall median | wall worst | CPU median (this process) |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in args.db:
        for size in args.sizes:
            url = seeded_url(kind, size, "team", "ct_bench_team")
            runs = screen_runs(url, args.runs)

            def med(key: str, runs=runs) -> float:
                return statistics.median(r[key] for r in runs)

            lines.append(
                f"| {kind} | {size:,} | {runs[0]['open_cases']:,} | {runs[0]['people']} "
                f"| {med('team_rows_ms'):.0f} | {med('their_queue_ms'):.0f} "
                f"| {med('peak_rss_mb'):.0f} MB |"
            )
            print(lines[-1], flush=True)
            wall, cpu, _total = service_times(url)
            service_lines.append(
                f"| {kind} | {size:,} | {statistics.median(wall):.0f} | {max(wall):.0f} "
                f"| {statistics.median(cpu):.0f} |"
            )
            print(service_lines[-1], flush=True)
    lines += ["", *service_lines, ""]
    out = HERE / "results" / "team.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
