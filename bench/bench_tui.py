"""Queue screen benchmark: process start to first rows, key-to-repaint, search, peak RSS.

    python bench/bench_tui.py --sizes 10000 100000 1000000 --db sqlite postgresql

Each measurement is a fresh process (bench/tui_probe.py) on a seeded demo database, run three
times; the table shows medians. The same probe runs a naive screen that loads every case into
Textual's DataTable, for comparison. The real program's start-up is also timed on its own, in a
pseudo-terminal (bench/cli_first_paint.py). Results go to stdout and bench/results/tui.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
PG_SERVER = os.environ.get(
    "COMPLAINT_TUI_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def cli_env(url: str) -> dict[str, str]:
    """The environment for running the CLI on ``url``: on SQLite as the bench's admin, on
    PostgreSQL as the connecting role."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINT_TUI_")}
    env["COMPLAINT_TUI_DB"] = url
    if url.startswith("sqlite"):
        env["COMPLAINT_TUI_AGENT"] = "bench.admin"
    return env


def upgraded(url: str) -> str:
    subprocess.run([sys.executable, "-m", "complaint_tui", "init"], env=cli_env(url), check=True)
    return url


def seeded_url(kind: str, size: int, name: str = "queue", database: str = "ct_bench_tui") -> str:
    """A demo database of ``size`` cases (the file ``name``_size.db, or ``database``_size on
    PostgreSQL), seeded once and reused across runs (upgraded to the current schema first)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if kind == "sqlite":
        DATA.mkdir(exist_ok=True)
        path = DATA / f"{name}_{size}.db"
        url = f"sqlite:///{path}"
        if path.exists():
            return upgraded(url)
    else:
        name = f"{database}_{size}"
        admin = create_engine(make_url(PG_SERVER), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            if exists:
                admin.dispose()
                return upgraded(
                    make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
                )
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    env = cli_env(url)
    cli = [sys.executable, "-m", "complaint_tui"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [*cli, "demo", "--cases", str(size), "--seed", "7"],
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"  seeded {kind} {size:,} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return url


def probe(url: str, naive: bool, timeout: float) -> dict | None:
    cmd = [sys.executable, str(HERE / "tui_probe.py"), "--db", url, "--size", "120x40"]
    if naive:
        cmd.append("--naive")
    env = dict(os.environ, TEXTUAL_ANIMATIONS="none", PROBE_TIMEOUT=str(timeout))
    env["PROBE_SPAWNED_AT"] = repr(time.time())
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_first_paint(kind: str, url: str, runs: int) -> float | None:
    """Median seconds for the real ``complaint-tui`` to show its first case row in a pty."""
    if kind != "sqlite":
        # On PostgreSQL the login role is the agent: give the demo supervisor its login, in the
        # desk's supervisor group (what `agent add` does), and connect as it.
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT ct_create_login('anh.vo')"))
        engine.dispose()
        url = make_url(url).set(username="anh.vo").render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, str(HERE / "cli_first_paint.py"), "--db", url, "--runs", str(runs)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    return float(done.stdout.split("median")[1].split()[0])


def median_of(runs: list[dict], key: str, sub: str | None = "median") -> float | None:
    values = []
    for r in runs:
        v = r.get(key)
        if v is None:
            return None
        values.append(v[sub] if sub and isinstance(v, dict) else v)
    return statistics.median(values)


def fmt(value: float | None, unit: str, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--naive-max", type=int, default=100_000, help="largest size for the DataTable screen"
    )
    parser.add_argument("--naive-timeout", type=float, default=240)
    args = parser.parse_args()
    header = (
        "| database | cases | screen | first rows painted | … real program in a pty | j | PgDn | G "
        "| search | peak RSS |\n"
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [header]
    for kind in args.db:
        for size in args.sizes:
            url = seeded_url(kind, size)
            runs = [probe(url, naive=False, timeout=600) for _ in range(args.runs)]
            runs = [r for r in runs if r]
            real = cli_first_paint(kind, url, max(args.runs, 5))
            lines.append(
                f"| {kind} | {size:,} | complaint-tui | {fmt(median_of(runs, 'first_paint_s', None), 's', 2)} "
                f"| {fmt(real, 's', 2)} "
                f"| {fmt(median_of(runs, 'j_ms'), 'ms', 1)} | {fmt(median_of(runs, 'pagedown_ms'), 'ms', 1)} "
                f"| {fmt(median_of(runs, 'G_ms'), 'ms', 1)} | {fmt(median_of(runs, 'search_ms'), 'ms', 0)} "
                f"| {fmt(median_of(runs, 'peak_rss_mb', None), 'MB')} |"
            )
            print(lines[-1], flush=True)
            if size <= args.naive_max:
                naive = probe(url, naive=True, timeout=args.naive_timeout)
                if naive is None:
                    lines.append(
                        f"| {kind} | {size:,} | naive DataTable | > {args.naive_timeout:.0f} s | | | | | | |"
                    )
                else:
                    lines.append(
                        f"| {kind} | {size:,} | naive DataTable | {fmt(naive['first_paint_s'], 's', 2)} | "
                        f"| {fmt(naive['j_ms']['median'], 'ms', 1)} | {fmt(naive['pagedown_ms']['median'], 'ms', 1)} "
                        f"| {fmt(naive['G_ms']['median'], 'ms', 1)} | no search | {fmt(naive['peak_rss_mb'], 'MB')} |"
                    )
                print(lines[-1], flush=True)
    out = HERE / "results" / "tui.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
