"""TUI fixtures: a seeded database, a frozen clock and an app that is deterministic to render.

The builders live in tests/tui/fixtures.py, shared with the snapshot tests and
screenshots/make_screenshots.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import textual._wait as _wait

from complaint_tui.tui.app import ComplaintApp
from tests.tui.fixtures import (
    SEED_CASES,
    VOLUME_CASES,
    build_app,
    copy_database,
    open_context,
    seed_database,
    settle,
)

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

# Textual's pilot waits for the app to be idle after every key it presses, sleeping in steps of
# 20 ms until a step passes without the process working (textual/_wait.py): a test typing a
# sentence slept a second, and the TUI tests' two workers spent more time asleep than working.
# Steps of 4 ms (idle: under 0.2 ms of CPU in one) decide the same thing five times sooner.
_wait.SLEEP_GRANULARITY = 0.004
_wait.SLEEP_IDLE = _wait.SLEEP_GRANULARITY / 20

__all__ = ["SEED_CASES", "settle"]


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    """A demo database seeded once (60 cases, fixed seed and clock) and copied per test."""
    return seed_database(tmp_path_factory.mktemp("tui") / "seeded.db")


@pytest.fixture
def tui_ctx(seeded_template, tmp_path):
    ctx = open_context(copy_database(seeded_template, tmp_path / "tui.db"))
    yield ctx
    ctx.db.dispose()


@pytest.fixture(scope="session")
def volume_template(tmp_path_factory):
    """The demo volume (2,000 cases, as `complaint-tui --demo` seeds), built once per session."""
    return seed_database(tmp_path_factory.mktemp("volume") / "volume.db", VOLUME_CASES)


@pytest.fixture
def volume_ctx(volume_template, tmp_path):
    ctx = open_context(copy_database(volume_template, tmp_path / "volume.db"))
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def make_app(tui_ctx, tmp_path) -> Callable[..., ComplaintApp]:
    """make_app("anh.vo") -> a ComplaintApp as that demo agent (supervisor by default)."""

    def build(agent: str = "anh.vo", theme: str = "complaint-dark", **kw) -> ComplaintApp:
        kw.setdefault("config_path", tmp_path / "config.toml")
        return build_app(tui_ctx, agent, theme, **kw)

    return build
