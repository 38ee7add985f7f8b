"""Write SVG screenshots of the TUI's screens into screenshots/, for the README.

    .venv/bin/python screenshots/make_screenshots.py [OUTPUT_DIR]

They are made from the same fixtures as the snapshot tests (tests/tui/fixtures.py): the demo
database seeded with a fixed seed, the story cases, and the clock frozen at Wed 2026-11-25 10:00
in Ho Chi Minh City, so running the script again gives the same pictures unless the UI changed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["TEXTUAL_ANIMATIONS"] = "none"  # before Textual is first imported

from tests.tui.fixtures import (  # noqa: E402 - needs the path above
    BANDS_CUSTOMER,
    Story,
    add_hostile_case,
    build_app,
    copy_database,
    open_context,
    seed_database,
    settle,
    story_database,
)

Step = str | Callable[..., Awaitable[None] | None]


@dataclass(frozen=True)
class Shot:
    name: str  # file name without .svg
    size: tuple[int, int]
    steps: Callable[[Story], list[Step]]  # what to do after the queue has loaded
    theme: str = "complaint-dark"
    agent: str = "anh.vo"
    no_color: bool = False
    hostile: bool = False  # add the case full of hostile customer text first


def open_case(ref: str) -> Step:
    def run(pilot) -> None:
        pilot.app.open_case(ref)

    return run


def typed(text: str) -> Step:
    async def run(pilot) -> None:
        await pilot.press(*text)

    return run


def search(words: str) -> Step:
    def run(pilot) -> None:
        pilot.app.screen.query_one("#search").value = words

    return run


def to_charts(pilot) -> None:
    """Scroll the report screen so that its first chart is at the top."""
    from complaint_tui.tui.widgets.report_charts import WeeklyVolumeChart

    pilot.app.screen.query_one(WeeklyVolumeChart).scroll_visible(top=True, animate=False)


SHOTS = [
    Shot("queue-120x40", (120, 40), lambda s: []),
    Shot("queue-80x24", (80, 24), lambda s: []),
    Shot("queue-search-80x24", (80, 24), lambda s: ["/", typed("vps"), "enter"]),
    Shot("case-detail", (120, 40), lambda s: [open_case(s.investigating)]),
    Shot("case-timeline", (120, 40), lambda s: [open_case(s.investigating), "G"]),
    Shot("case-escalated-80x24", (80, 24), lambda s: [open_case(s.escalated)]),
    Shot(
        "action-form",
        (120, 40),
        lambda s: [
            open_case(s.investigating),
            "R",
            typed("We cleared the stale snapshots and refunded one month of backup fees."),
        ],
    ),
    Shot("intake", (120, 40), lambda s: ["n"]),
    Shot("intake-errors-80x24", (80, 24), lambda s: ["n", "ctrl+s"]),
    Shot("help", (120, 40), lambda s: [open_case(s.investigating), "question_mark"]),
    Shot(
        "urgency-bands-colorblind",
        (120, 16),
        lambda s: ["/", search(BANDS_CUSTOMER), "enter"],
        theme="complaint-colorblind",
    ),
    Shot("escalations-80x24", (80, 24), lambda s: ["2"]),
    Shot("escalations-decided-120x40", (120, 40), lambda s: ["2", "]", "]"]),
    Shot("escalations-agent-80x24", (80, 24), lambda s: ["2"], agent="lan.nguyen"),
    Shot("reports-80x24", (80, 24), lambda s: ["3"]),
    Shot("reports-charts-80x24", (80, 24), lambda s: ["3", to_charts]),
    Shot("reports-year-120x40", (120, 40), lambda s: ["3", "]", "]", "]", to_charts]),
    Shot("reports-no-color-80x24", (80, 24), lambda s: ["3"], no_color=True),
    Shot("queue-light", (120, 24), lambda s: [], theme="complaint-light"),
    Shot("no-color-80x24", (80, 24), lambda s: [], no_color=True),
    Shot(
        "hostile-text",
        (120, 40),
        lambda s: ["/", search("kh-hostile-01"), "enter", "enter"],
        hostile=True,
    ),
]


async def take(shot: Shot, story: Story, template: Path, workdir: Path, out: Path) -> Path:
    db = copy_database(template, workdir / f"{shot.name}.db")
    ctx = open_context(db)
    try:
        if shot.hostile:
            add_hostile_case(ctx)
        if shot.no_color:
            os.environ["NO_COLOR"] = "1"  # Textual reads it when the app is built
        try:
            app = build_app(ctx, shot.agent, shot.theme, config_path=workdir / "config.toml")
        finally:
            os.environ.pop("NO_COLOR", None)
        async with app.run_test(size=shot.size) as pilot:
            await settle(pilot)
            for step in shot.steps(story):
                if isinstance(step, str):
                    await pilot.press(step)
                else:
                    result = step(pilot)
                    if result is not None:
                        await result
                await settle(pilot)
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            path = Path(app.save_screenshot(f"{shot.name}.svg", str(out)))
    finally:
        ctx.db.dispose()
    return path


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    os.environ.pop("NO_COLOR", None)
    with tempfile.TemporaryDirectory(prefix="complaint-tui-shots-") as tmp:
        workdir = Path(tmp)
        seeded = seed_database(workdir / "seeded.db")
        template, story = story_database(seeded, workdir / "story.db")
        for shot in SHOTS:
            path = await take(shot, story, template, workdir, out)
            print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent))
