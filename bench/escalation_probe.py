"""One measured run of the escalation screen, in its own process, the way a reviewer feels it.

    python bench/escalation_probe.py --db URL --as NAME

The app starts on the queue; once its rows are painted the probe presses `2` and times, from
the key, the escalation screen's first rows painted and its summary counts shown, then `]` to
each further view (All pending, Decided) the same way, and j / PgDn in the last one (as far as it has rows). Prints one
JSON line (milliseconds; "views" in screen order).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
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
    from complaint_tui.tui.screens.escalations import EscalationScreen
    from complaint_tui.tui.widgets.queue_table import QueueTable

    ctx = AppContext.build(Settings(), url)
    app = ComplaintApp(
        ctx, actor_named(ctx, agent), watch_changes=False, save_theme=False, cursor_blink=False
    )
    painted: dict[str, float] = {}

    def escalation_rows(widget) -> bool:
        screen = widget.screen
        if isinstance(screen, EscalationScreen) and widget.rows and widget.loaded:
            painted.setdefault(screen.view.value, time.perf_counter())
        return False  # PaintClock's own first_rows is the queue's; these are kept above

    paint = PaintClock(QueueTable, escalation_rows)
    out: dict = {"views": []}
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: bool(getattr(app.screen, "counts", None)))

        def screen():
            return app.screen if isinstance(app.screen, EscalationScreen) else None

        for key in ("2", "right_square_bracket", "right_square_bracket"):
            await pilot.pause()
            before = screen().view if screen() else None
            start = await send_key(app, key)
            await wait_until(
                pilot,
                lambda b=before: (
                    screen() is not None
                    and screen().view is not b
                    and screen().view.value in painted
                    and screen().counts is not None
                ),
            )
            counted = time.perf_counter()
            view = screen()
            out["views"].append(
                {
                    "view": view.view.value,
                    "rows_ms": (painted[view.view.value] - start) * 1000,
                    "counts_ms": (counted - start) * 1000,
                    "total": view.counts.total,
                }
            )
        table = screen().query_one(QueueTable)

        async def timed(key: str, times: int) -> float | None:
            """Median ms from the key to the repaint, while the cursor can still move."""
            spent = []
            for _ in range(times):
                if table.at_end and table.cursor >= len(table.rows) - table.page_height:
                    break
                await pilot.pause()
                before = table.cursor
                start = await send_key(app, key)
                await wait_until(
                    pilot, lambda b=before, t=start: table.cursor != b and paint.last > t
                )
                spent.append((paint.last - start) * 1000)
            return statistics.median(spent) if spent else None

        await send_key(app, "g")
        out["j_ms"] = await timed("j", 20)
        out["pagedown_ms"] = await timed("pagedown", 10)
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
