"""The team screen (key 4): snapshots at 80×24 and 120×40, in colour and with NO_COLOR, for a
supervisor and for an agent; enter opens the queue filtered to that person; the queue's filter
offers the assignee; and the screen shows the figures `complaint-tui team --json` and
`case list --assignee NAME --json` print, for a fixed data set, on SQLite and PostgreSQL.

Snapshots use the story database of tests/tui/fixtures.py (frozen at Wed 2026-11-25 10:00).
Update after an intended change with ``--snapshot-update`` on this file, then look at the SVGs.
"""

# ruff: noqa: F811 - the story fixtures are imported from test_snapshots and used as arguments
from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner
from textual.widgets import Select, Static

from complaint_tui.cli import cli
from complaint_tui.services.cases import UNASSIGNED
from complaint_tui.services.queue import QueueView
from complaint_tui.tui.screens.filter import FilterScreen
from complaint_tui.tui.screens.queue import QueueScreen
from complaint_tui.tui.screens.team import TeamScreen, TeamTable
from complaint_tui.tui.widgets.queue_table import QueueTable
from tests.team_data import EXPECTED, TEAM_NOW, build_team
from tests.tui.conftest import settle
from tests.tui.fixtures import build_app
from tests.tui.test_snapshots import (  # noqa: F401 - fixtures, used as arguments
    SIZES,
    app_for,
    expect,
    steps,
    story,
    story_ctx,
    story_template,
)

COLOURS = [pytest.param(False, id="colour"), pytest.param(True, id="no_color")]
WHO = [pytest.param("anh.vo", id="supervisor"), pytest.param("lan.nguyen", id="agent")]


def loaded(screen: TeamScreen) -> None:
    assert screen.rows is not None or not screen.allowed


def shown_rows(screen: TeamScreen) -> dict[str, tuple[int, ...]]:
    """What the table shows: name -> (open, breached, urgent, waiting, escalations)."""
    table = screen.query_one(TeamTable)
    keys = [str(c.label) for c in table.ordered_columns]
    wanted = ("Open", "Breached", "Urgent", "Waiting", "Escal.")
    out = {}
    for i in range(table.row_count):
        cells = table.get_row_at(i)
        name = str(cells[0])
        out[name] = tuple(
            int(str(cells[keys.index(k)]).split()[-1].replace(",", "")) for k in wanted
        )
    return out


# ---- snapshots --------------------------------------------------------------------------------
@pytest.mark.parametrize("no_color", COLOURS)
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("size", SIZES)
def test_team_screen(snap_compare, app_for, monkeypatch, who, size, no_color):
    """A supervisor: one row per person with their figures; an agent: one line saying whom
    the view is for."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")  # read when the app is built
    app = app_for(who)
    assert app.no_color is no_color
    assert snap_compare(app, terminal_size=size, run_before=steps("4", expect(TeamScreen, loaded)))


# ---- behaviour --------------------------------------------------------------------------------
async def test_four_then_enter_opens_the_queue_of_that_person(app_for):
    app = app_for("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        rows = app.backend.team.rows()
        assert shown_rows(screen) == {
            r.name: (r.open, r.breached, r.urgent, r.waiting, r.escalations) for r in rows
        }
        target = next(i for i, r in enumerate(rows) if r.open and r.breached)
        for _ in range(target):
            await pilot.press("j")
        name = rows[target].name
        assert screen.current_name() == name
        await pilot.press("enter")
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        assert queue.query_state.view is QueueView.ALL_OPEN
        assert queue.query_state.filter.assignee == name
        table = queue.query_one(QueueTable)
        assert table.rows and {r.assignee for r in table.rows} == {name}
        assert queue.counts is not None and queue.counts.total == rows[target].open
        title = str(queue.query_one("#queue-title", Static).render())
        assert f"assignee {name}" in title
        # 4 again: the team screen, and esc back to the queue.
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_an_agent_reads_whom_the_team_view_is_for(app_for):
    app = app_for("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TeamScreen) and screen.rows is None
        line = str(screen.query_one("#team-summary", Static).render())
        assert "The team view is for supervisors and managers" in line
        assert not screen.query_one(TeamTable).display
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TeamScreen)


async def test_the_filter_offers_the_assignee(app_for):
    app = app_for("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FilterScreen)
        select = form.query_one("#f-assignee", Select)
        offered = [value for _label, value in select._options if value is not Select.NULL]
        assert offered[0] == UNASSIGNED and "lan.nguyen" in offered and "it.admin" not in offered
        select.value = "lan.nguyen"
        await pilot.press("ctrl+s")
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        assert queue.query_state.filter.assignee == "lan.nguyen"
        rows = queue.query_one(QueueTable).rows
        assert rows and {r.assignee for r in rows} == {"lan.nguyen"}
        # And nobody's: the unassigned cases.
        await pilot.press("f")
        await settle(pilot)
        app.screen.query_one("#f-assignee", Select).value = UNASSIGNED
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = app.screen.query_one(QueueTable).rows
        assert rows and {r.assignee for r in rows} == {None}


async def test_the_assign_form_shows_each_candidate_workload(app_for, story):
    from complaint_tui.tui.screens.action_form import ActionForm
    from tests.tui.test_snapshots import open_case

    app = app_for("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        open_case(story.new)(pilot)
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ActionForm)
        labels = dict(
            (value, label) for label, value in form.spec.fields[0].options if value != "-"
        )
        rows = {r.name: r for r in app.backend.team.rows()}
        assert labels and set(labels) == set(rows)
        for name, label in labels.items():
            assert label == f"{name} · {rows[name].open:,} open, {rows[name].breached:,} breached"


# ---- the same figures everywhere (done means) -------------------------------------------------
def figures_printed(run, names: dict[str, str]) -> dict[str, tuple[int, ...]]:
    """`team --json` and `case list --assignee NAME --json` (``run`` parses a command's JSON),
    by each person's name in EXPECTED; the list's open cases counted by their urgency."""
    team = {r["agent"]: r for r in run("team", "--json")}
    printed = {}
    for logical, real in names.items():
        r = team[real]
        printed[logical] = (
            r["open"],
            r["breached"],
            r["urgent"],
            r["waiting_on_customer"],
            r["escalations_pending"],
        )
        listed = run("case", "list", "--assignee", real, "--json")
        bands = Counter(c["urgency"] for c in listed if c["status"] not in ("resolved", "closed"))
        assert sum(bands.values()) == r["open"], logical
        assert (bands["breached"], bands["urgent"], bands["paused"]) == printed[logical][1:4]
    return printed


async def figures_shown(app, names: dict[str, str]) -> dict[str, tuple[int, ...]]:
    """The team screen's rows, by each person's name in EXPECTED."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        shown = shown_rows(app.screen)
    return {logical: shown[real] for logical, real in names.items()}


async def test_the_cli_prints_the_figures_the_team_screen_shows(
    settings, clock, tmp_path, sqlite_template
):
    """For a fixed data set (tests/team_data.py) on SQLite: `team --json`,
    `case list --assignee NAME --json` and the team screen agree, and agree with EXPECTED.
    (PostgreSQL, as real login roles: tests/test_pg_team_roles.py.)"""
    import shutil

    from complaint_tui.services.context import AppContext
    from tests.conftest import add_agent

    target = tmp_path / "team.db"
    shutil.copy(sqlite_template, target)
    ctx = AppContext.build(settings, f"sqlite:///{target}", clock)
    people = {
        name: add_agent(ctx, name, role)
        for name, role in (
            ("alice", "agent"),
            ("bob", "agent"),
            ("sue", "supervisor"),
            ("max", "manager"),
            ("ada", "admin"),
        )
    }
    build_team(ctx, people)
    config = tmp_path / "config.toml"
    config.touch()
    env = {
        "COMPLAINT_TUI_DB": ctx.db.url,
        "COMPLAINT_TUI_CONFIG": str(config),
        "COMPLAINT_TUI_NOW": TEAM_NOW.isoformat(),
        "NO_COLOR": "1",
    }

    def run(*args: str):
        result = CliRunner().invoke(cli, ["--as", "sue", *args], env=env)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    names = {n: n for n in EXPECTED}
    assert figures_printed(run, names) == EXPECTED
    app = build_app(ctx, "sue", config_path=config)
    assert await figures_shown(app, names) == EXPECTED
    ctx.db.dispose()
