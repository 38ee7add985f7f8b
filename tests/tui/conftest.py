"""TUI fixtures: a seeded database, a frozen clock and an app that is deterministic to render."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.settings import Settings
from complaint_tui.services.admin import init_database
from complaint_tui.services.context import AppContext
from complaint_tui.services.demo import seed_demo
from complaint_tui.services.identity import actor_named
from complaint_tui.tui.app import ComplaintApp
from tests.conftest import DEFAULT_NOW

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

SEED_CASES = 60


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    """A demo database seeded once (60 cases, fixed seed and clock) and copied per test."""
    path = tmp_path_factory.mktemp("tui") / "seeded.db"
    ctx = AppContext.build(Settings(), f"sqlite:///{path}", FixedClock(DEFAULT_NOW))
    init_database(ctx, "it.admin")
    seed_demo(ctx, SEED_CASES, seed=3, login=None)
    ctx.db.dispose()
    return path


@pytest.fixture
def tui_ctx(seeded_template, tmp_path):
    import shutil

    target = tmp_path / "tui.db"
    shutil.copy(seeded_template, target)
    ctx = AppContext.build(Settings(), f"sqlite:///{target}", FixedClock(DEFAULT_NOW))
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def make_app(tui_ctx, tmp_path) -> Callable[..., ComplaintApp]:
    """make_app("anh.vo") -> a ComplaintApp as that demo agent (supervisor by default)."""

    def build(agent: str = "anh.vo", theme: str = "complaint-dark", **kw) -> ComplaintApp:
        ctx = tui_ctx
        if theme != ctx.settings.ui.theme:
            from dataclasses import replace

            ctx.settings = replace(ctx.settings, ui=replace(ctx.settings.ui, theme=theme))
        kw.setdefault("watch_changes", False)
        kw.setdefault("save_theme", False)
        kw.setdefault("cursor_blink", False)
        kw.setdefault("config_path", tmp_path / "config.toml")
        return ComplaintApp(ctx, actor_named(ctx, agent), **kw)

    return build


async def settle(pilot) -> None:
    """Wait until every worker that loads data has reported back and the screen repainted."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()
