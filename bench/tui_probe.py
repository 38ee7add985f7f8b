"""One measured run of the queue screen, in its own process, the way an agent feels it.

    python bench/tui_probe.py --db URL --as NAME [--naive] [--search WORD]

Prints one JSON line: seconds from process start to the first queue rows painted, key-to-repaint
for j, PgDn and G, search to first results, and peak RSS. ``--naive`` runs the same on a screen
that loads every case into Textual's built-in DataTable (what this project avoids).
"""

from __future__ import annotations

import time

# The parent stamps the wall clock just before it spawns this process, so interpreter start-up
# counts too; run by hand, the clock starts here, before the heavy imports.
PROCESS_START = time.perf_counter() - (
    time.time() - float(__import__("os").environ.get("PROBE_SPAWNED_AT", time.time()))
)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from complaint_tui.domain.settings import Settings  # noqa: E402
from complaint_tui.services.context import AppContext  # noqa: E402
from complaint_tui.services.identity import actor_named  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PaintClock:
    """Records when a widget class last rendered a line: the repaint the agent sees."""

    def __init__(self, widget_class, has_rows) -> None:
        self.last = 0.0
        self.first_rows = 0.0  # the first line drawn while the widget holds rows
        original = widget_class.render_line
        clock = self

        def render_line(widget, y):
            clock.last = time.perf_counter()
            if not clock.first_rows and has_rows(widget):
                clock.first_rows = clock.last
            return original(widget, y)

        widget_class.render_line = render_line


async def send_key(app, key: str) -> float:
    """Deliver a key as the terminal driver would (no test-harness idle waits); returns the time."""
    from textual import events

    char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    start = time.perf_counter()
    app._driver.send_message(event)
    return start


async def repainted(
    paint: PaintClock,
    start: float,
    done,
    timeout: float = float(os.environ.get("PROBE_TIMEOUT", "600")),
) -> float:
    deadline = start + timeout
    while not (done() and paint.last > start):
        if time.perf_counter() > deadline:
            raise TimeoutError("no repaint")
        # Poll with a real sleep: a busy loop here would hold the GIL against the app's worker
        # threads (up to 5 ms per switch), slowing what is measured. The paint time is taken
        # by the render itself, so the poll interval does not add to it.
        await asyncio.sleep(0.001)
    return (paint.last - start) * 1000


async def wait_until(
    pilot, predicate, timeout: float = float(os.environ.get("PROBE_TIMEOUT", "600"))
) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not get there in time")
        await asyncio.sleep(0.001)
    await pilot.pause()


async def probe_app(url: str, agent: str, search: str, size) -> dict:
    from complaint_tui.tui.app import ComplaintApp
    from complaint_tui.tui.widgets.queue_table import QueueTable

    ctx = AppContext.build(Settings(), url)
    app = ComplaintApp(
        ctx, actor_named(ctx, agent), watch_changes=False, save_theme=False, cursor_blink=False
    )
    out: dict = {}
    paint = PaintClock(QueueTable, lambda w: bool(w.rows))
    async with app.run_test(size=size) as pilot:

        def table():
            try:
                return app.screen.query_one(QueueTable)
            except Exception:  # noqa: BLE001 - not mounted yet
                return None

        await wait_until(
            pilot, lambda: table() is not None and bool(table().rows) and paint.first_rows > 0
        )
        out["first_paint_s"] = paint.first_rows - PROCESS_START
        t = table()

        async def timed(key: str, done) -> float:
            await pilot.pause()
            start = await send_key(app, key)
            return await repainted(paint, start, done)

        def moved(before: int):
            return lambda: t.cursor != before

        out["j_ms"] = [await timed("j", moved(t.cursor)) for _ in range(30)]
        out["pagedown_ms"] = [await timed("pagedown", moved(t.cursor)) for _ in range(15)]
        g_times = []
        for _ in range(3):
            await pilot.press("g")
            await wait_until(pilot, lambda: t.at_start and t.cursor == 0)
            g_times.append(
                await timed("G", lambda: t.at_end and t.cursor == len(t.rows) - 1 and not t.reading)
            )
        out["G_ms"] = g_times
        searches = []
        for _ in range(3):
            await pilot.press("/")
            app.screen.query_one("#search").value = ""
            for ch in search:
                await pilot.press(ch)
            generation = t.generation
            await pilot.pause()
            start = await send_key(app, "enter")
            searches.append(
                await repainted(
                    paint,
                    start,
                    lambda g=generation: t.generation > g and t.loaded and bool(t.rows),
                )
            )
        out["search_ms"] = searches
        out["search_hits"] = t.total
    out["peak_rss_mb"] = peak_rss_mb()
    return out


class NaiveQueue(App):
    """Everything in a DataTable: one SELECT of all cases, one add_rows."""

    def __init__(self, ctx) -> None:
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        yield DataTable(id="t")

    def on_mount(self) -> None:
        from sqlalchemy import select

        from complaint_tui.store.models import Case

        table = self.query_one(DataTable)
        table.add_columns("Due", "Ref", "Customer", "Subject", "Status", "Channel")
        with self.ctx.db.session() as s:
            rows = s.execute(
                select(
                    Case.queue_at, Case.ref, Case.customer, Case.subject, Case.status, Case.channel
                ).order_by(Case.queue_bucket, Case.queue_at, Case.id)
            ).all()
        table.add_rows([tuple(str(v) for v in r) for r in rows])
        table.focus()


async def probe_naive(url: str, size) -> dict:
    ctx = AppContext.build(Settings(), url)
    app = NaiveQueue(ctx)
    out: dict = {}
    paint = PaintClock(DataTable, lambda w: w.row_count > 0)
    async with app.run_test(size=size) as pilot:
        table = app.query_one(DataTable)
        await wait_until(pilot, lambda: paint.first_rows > 0)
        out["first_paint_s"] = paint.first_rows - PROCESS_START

        async def timed(key: str) -> float:
            await pilot.pause()
            before = table.cursor_row
            start = await send_key(app, key)
            return await repainted(paint, start, lambda: table.cursor_row != before)

        out["j_ms"] = [await timed("down") for _ in range(30)]
        out["pagedown_ms"] = [await timed("pagedown") for _ in range(15)]
        out["G_ms"] = [await timed("ctrl+end")]
        out["search_ms"] = None  # the built-in table has no search
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def summarise(result: dict) -> dict:
    for key in ("j_ms", "pagedown_ms", "G_ms", "search_ms"):
        values = result.get(key)
        if values:
            result[key] = {"median": statistics.median(values), "max": max(values)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--as", dest="agent", default="anh.vo")
    parser.add_argument("--naive", action="store_true")
    parser.add_argument("--search", default="nguyen")
    parser.add_argument("--size", default="120x40")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    if args.naive:
        result = asyncio.run(probe_naive(args.db, size))
    else:
        result = asyncio.run(probe_app(args.db, args.agent, args.search, size))
    print(json.dumps(summarise(result)))


if __name__ == "__main__":
    main()
