"""One measured run of the team screen, in its own process, the way a supervisor feels it.

    python bench/team_probe.py --db URL --as NAME

The app starts on the queue; once its rows and counts are shown the probe presses `4` and
times, from the key, the team screen's first rows painted; then `enter` on the first person
and, from that key, the queue's first rows filtered to them. Prints one JSON line (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_probe import PaintClock, peak_rss_mb, send_key, wait_until  # noqa: E402

from complaint_tui.domain.settings import Settings  # noqa: E402
from complaint_tui.services.context import AppContext  # noqa: E402
from complaint_tui.services.identity import actor_named  # noqa: E402


async def probe(url: str, agent: str, size) -> dict:
    from complaint_tui.tui.app import ComplaintApp
    from complaint_tui.tui.screens.queue import QueueScreen
    from complaint_tui.tui.screens.team import TeamScreen, TeamTable
    from complaint_tui.tui.widgets.queue_table import QueueTable

    ctx = AppContext.build(Settings(), url)
    app = ComplaintApp(
        ctx, actor_named(ctx, agent), watch_changes=False, save_theme=False, cursor_blink=False
    )
    team_paint = PaintClock(TeamTable, lambda widget: widget.row_count > 0)
    filtered: dict[str, float] = {}

    def filtered_rows(widget) -> bool:
        screen = widget.screen
        if (
            isinstance(screen, QueueScreen)
            and screen.query_state.filter.assignee is not None
            and widget.rows
            and widget.loaded
        ):
            filtered.setdefault(screen.query_state.filter.assignee, time.perf_counter())
        return False

    PaintClock(QueueTable, filtered_rows)
    out: dict = {}
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: bool(getattr(app.screen, "counts", None)))
        await pilot.pause()
        start = await send_key(app, "4")
        await wait_until(pilot, lambda: team_paint.first_rows > start)
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        out["team_rows_ms"] = (team_paint.first_rows - start) * 1000
        out["people"] = len(screen.rows or ())
        out["open_cases"] = sum(r.open for r in screen.rows or ())
        name = screen.current_name()
        await pilot.pause()
        start = await send_key(app, "enter")
        await wait_until(pilot, lambda: name in filtered)
        out["their_queue_ms"] = (filtered[name] - start) * 1000
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--as", dest="agent", default="anh.vo")
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    print(json.dumps(asyncio.run(probe(args.db, args.agent, size))))


if __name__ == "__main__":
    main()
