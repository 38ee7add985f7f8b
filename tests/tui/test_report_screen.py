"""The report screen (key 3, issue 10 item 3): the period picker and filters, the figures, the
charts, the export, and the done-means "the report screen shows the same figures as the CLI"
(on the seeded demo database, clock frozen at Wed 2026-11-25 10:00 Ho Chi Minh City).

Snapshots use the story database of tests/tui/fixtures.py, at 80×24 and 120×40, in colour and
with NO_COLOR; the charts are in view at 80×24 one page down.
"""

# ruff: noqa: F811 - the story fixtures are imported from test_snapshots and used as arguments
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Input, Select

from complaint_tui.cli import cli
from complaint_tui.domain.report_period import PeriodPreset
from complaint_tui.services.identity import actor_named
from complaint_tui.services.report_format import render_report, report_sections
from complaint_tui.services.reports import (
    ReportQuery,
    build_report,
    resolve_hours_distribution,
)
from complaint_tui.tui.screens import case_actions
from complaint_tui.tui.screens import report as report_screen
from complaint_tui.tui.screens.action_form import ActionForm
from complaint_tui.tui.screens.report import ReportScreen
from complaint_tui.tui.screens.report_filter import ReportFilterScreen
from complaint_tui.tui.widgets.report_charts import (
    ResolveHoursChart,
    WeeklyOnTimeChart,
    WeeklyVolumeChart,
    hour_bucket_edges,
)
from tests.conftest import DEFAULT_NOW
from tests.tui.conftest import settle
from tests.tui.test_snapshots import (  # noqa: F401 - fixtures, used as arguments
    SIZES,
    SMALL,
    app_for,
    expect,
    steps,
    story,
    story_ctx,
    story_template,
)

THIS_MONTH = (date(2026, 11, 1), date(2026, 11, 25))
LAST_MONTH = (date(2026, 10, 1), date(2026, 10, 31))


def cli_report(ctx, agent: str, *args: str) -> str:
    """`complaint-tui report ARGS` as ``agent`` on the test's database, at the frozen now."""
    config = Path(ctx.db.engine.url.database).with_suffix(".toml")
    config.write_text("")
    result = CliRunner().invoke(
        cli,
        ["report", *args],
        env={
            "COMPLAINT_TUI_DB": str(ctx.db.engine.url),
            "COMPLAINT_TUI_CONFIG": str(config),
            "COMPLAINT_TUI_AGENT": agent,
            "COMPLAINT_TUI_NOW": DEFAULT_NOW.isoformat(),
            "NO_COLOR": "1",
        },
    )
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def period_args(first: date, last: date) -> list[str]:
    return ["--from", first.isoformat(), "--to", last.isoformat()]


async def open_reports(app, pilot) -> ReportScreen:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ReportScreen)
    assert screen.report is not None, screen.error
    return screen


def expected_tables(report: dict) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The tables as the CLI's formatter makes them from a report (empty tables show "none")."""
    return {
        title: (header, rows or [["none"] + [""] * (len(header) - 1)])
        for title, header, rows in report_sections(report)
    }


@pytest.mark.parametrize("agent", ["anh.vo", "thao.dang", "lan.nguyen"])
async def test_the_screen_shows_the_same_figures_as_the_cli(make_app, tui_ctx, agent):
    """Every table, the verdicts and the charts' numbers equal `complaint-tui report --format
    json` for the same period, as a supervisor, a manager and an agent (no per-agent table)."""
    app = make_app(agent)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_reports(app, pilot)
        assert screen.period is not None
        assert (screen.period.start, screen.period.end) == THIS_MONTH  # the default preset
        cli_json = json.loads(
            cli_report(tui_ctx, agent, *period_args(*THIS_MONTH), "--format", "json")
        )
        assert screen.report == cli_json
        shown = screen.shown_tables()
        assert shown == expected_tables(cli_json)
        assert ("By agent" in shown) is (agent != "lan.nguyen")
        assert shown["Summary"][1][0] == ["Cases received", str(cli_json["cases_received"])]
        # the verdicts against the targets (95% and 90% by default)
        targets = screen.query_one("#report-targets").judged
        assert [(what, j.pct, j.target) for what, j in targets] == [
            ("Acknowledged on time", cli_json["ack"]["on_time_pct"], 95.0),
            ("Resolved on time", cli_json["resolve"]["on_time_pct"], 90.0),
        ]
        # the charts draw the report's weekly numbers
        weekly = cli_json["weekly"]
        assert screen.query_one(WeeklyVolumeChart).data == (
            [w["week"] for w in weekly],
            [w["received"] for w in weekly],
        )
        assert screen.query_one(WeeklyOnTimeChart).data[1:3] == (
            [w["ack_on_time_pct"] for w in weekly],
            [w["resolve_on_time_pct"] for w in weekly],
        )
        ctx, actor = tui_ctx, actor_named(tui_ctx, agent)
        edges = hour_bucket_edges(9.0, 5)  # the default calendar: 08:00-17:00, 5 days
        assert edges == [9, 18, 27, 36, 45, 90]
        counts = resolve_hours_distribution(ctx, actor, ReportQuery(*THIS_MONTH), edges)
        assert screen.query_one(ResolveHoursChart).data == (
            ["<9", "9-18", "18-27", "27-36", "36-45", "45-90", "≥90"],
            counts,
        )
        assert sum(counts) > 0


async def test_key_3_then_a_new_period_changes_the_figures(make_app, tui_ctx):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reports(app, pilot)
        before = screen.shown_tables()
        await pilot.press("]")  # this month -> last month
        await settle(pilot)
        assert screen.choice.preset is PeriodPreset.LAST_MONTH
        assert (screen.period.start, screen.period.end) == LAST_MONTH
        actor = actor_named(tui_ctx, "anh.vo")
        october = build_report(tui_ctx, actor, ReportQuery(*LAST_MONTH))
        assert screen.report == october
        assert screen.shown_tables() == expected_tables(october)
        assert screen.shown_tables() != before
        await pilot.press("[")  # and back
        await settle(pilot)
        assert screen.choice.preset is PeriodPreset.THIS_MONTH
        assert screen.shown_tables() == before


async def test_period_presets_step_round(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reports(app, pilot)
        seen = []
        for _ in range(6):
            await pilot.press("]")
            await settle(pilot)
            seen.append(screen.choice.preset)
        assert seen == [
            PeriodPreset.LAST_MONTH,
            PeriodPreset.THIS_QUARTER,
            PeriodPreset.LAST_12_MONTHS,
            PeriodPreset.THIS_WEEK,
            PeriodPreset.LAST_WEEK,
            PeriodPreset.THIS_MONTH,
        ]


async def test_filters_and_a_custom_period(make_app, tui_ctx):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reports(app, pilot)
        await pilot.press("f")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReportFilterScreen)
        form.query_one("#rf-period", Select).value = PeriodPreset.CUSTOM.value
        await pilot.pause()
        form.query_one("#rf-from", Input).value = "2026-09-01"
        form.query_one("#rf-to", Input).value = "2026-11-25"
        form.query_one("#rf-channel", Select).value = "email"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        query = ReportQuery(date(2026, 9, 1), date(2026, 11, 25), channel="email")
        expected = build_report(tui_ctx, actor_named(tui_ctx, "anh.vo"), query)
        assert screen.report == expected
        assert {k for k, n in expected["by_channel"].items() if n} == {"email"}
        assert "channel email" in str(screen.query_one("#report-choice").render())


async def test_a_reversed_custom_period_is_one_sentence_and_keeps_the_form(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_reports(app, pilot)
        await pilot.press("f")
        await settle(pilot)
        form = app.screen
        form.query_one("#rf-period", Select).value = PeriodPreset.CUSTOM.value
        await pilot.pause()
        form.query_one("#rf-from", Input).value = "2026-11-20"
        form.query_one("#rf-to", Input).value = "2026-11-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#rf-error").render())
        assert error == "The period starts on 2026-11-20, after its end on 2026-11-01."
        form.query_one("#rf-to", Input).value = "20 Nov"
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = str(form.query_one("#rf-error").render())
        assert error.startswith("The end date is not a date") and error.count(".") >= 1


@pytest.mark.parametrize("fmt", ["csv", "md", "json"])
async def test_export_writes_what_the_cli_writes(make_app, tui_ctx, tmp_path, fmt):
    app = make_app("anh.vo")
    folder = tmp_path / "exports"
    folder.mkdir()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_reports(app, pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ActionForm)
        form.query_one("#f-format", Select).value = fmt
        form.query_one("#f-path", Input).value = str(folder)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ActionForm)
    written = folder / f"complaint-report-2026-11-01-2026-11-25.{fmt}"
    assert written.read_text(encoding="utf-8") == cli_report(
        tui_ctx, "anh.vo", *period_args(*THIS_MONTH), "--format", fmt
    )


async def test_export_never_overwrites_and_says_so_in_one_sentence(make_app, tmp_path):
    app = make_app("anh.vo")
    existing = tmp_path / "report.csv"
    existing.write_text("keep me")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_reports(app, pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-path", Input).value = str(existing)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # kept open, with the typed path
        error = str(form.query_one("#form-error").render())
        assert error == f"{existing} exists already; give another file name or a folder."
    assert existing.read_text() == "keep me"


async def test_export_to_a_new_file_name(make_app, tui_ctx, tmp_path):
    app = make_app("anh.vo")
    target = tmp_path / "november.md"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_reports(app, pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-format", Select).value = "md"
        form.query_one("#f-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert target.read_text(encoding="utf-8") == render_report(
        build_report(tui_ctx, actor_named(tui_ctx, "anh.vo"), ReportQuery(*THIS_MONTH)), "md"
    )


async def test_an_admin_is_refused_in_one_sentence(make_app):
    app = make_app("it.admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        assert screen.report is None
        assert screen.error and screen.error.endswith(".") and "\n" not in screen.error
        assert not screen.query_one("#report-figures").display


async def test_last_review_date_is_shown(make_app, tui_ctx):
    from complaint_tui.services.policy import add_review

    add_review(
        tui_ctx,
        actor_named(tui_ctx, "thao.dang"),
        "Acknowledgements slip on Mondays.",
        "A second agent on Monday mornings.",
        date(2026, 10, 15),
    )
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reports(app, pilot)
        line = str(screen.query_one("#report-choice").render())
        assert "Last procedure review 2026-10-15" in line


async def test_3_is_in_the_help_and_the_palette(make_app):
    from complaint_tui.tui.commands import ComplaintCommands

    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_reports(app, pilot)
        ids = {b.binding.id for b in screen.active_bindings.values()}
        assert {"app.reports", "reports.next_period", "reports.filter", "reports.export"} <= ids
        commands = ComplaintCommands(screen)._commands()
        titles = [c.title for c in commands]
        assert "Go to reports" in titles
        assert "Reports: Export the shown report (CSV, Markdown, JSON)" in titles
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ReportScreen)


def test_default_export_folder_is_home_or_downloads(monkeypatch, tmp_path):
    # The module's autouse fixture below fixes the screen's name; the function itself is shared.
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    assert case_actions.default_folder() == str(tmp_path)
    (tmp_path / "Downloads").mkdir()
    assert case_actions.default_folder() == str(tmp_path / "Downloads")


# ---- snapshots ------------------------------------------------------------------------------------
def loaded(screen: ReportScreen) -> None:
    assert screen.report is not None, screen.error


@pytest.fixture(autouse=True)
def _fixed_export_folder(monkeypatch):
    """The export form suggests ~/Downloads: make it the same on every machine."""
    monkeypatch.setattr(report_screen, "default_folder", lambda: "/home/agent/Downloads")


@pytest.mark.parametrize("colours", ["colour", "no_color"])
@pytest.mark.parametrize("size", SIZES)
def test_report_snapshot(snap_compare, app_for, monkeypatch, size, colours):
    """The key figures first: the verdicts against the targets, the clocks, the summary."""
    if colours == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")  # read when the app is built
    app = app_for()
    assert app.no_color is (colours == "no_color")
    assert snap_compare(
        app, terminal_size=size, run_before=steps("3", expect(ReportScreen, loaded))
    )


@pytest.mark.parametrize("colours", ["colour", "no_color"])
@pytest.mark.parametrize("pages", [1, 2])
def test_report_charts_snapshot_80x24(snap_compare, app_for, monkeypatch, pages, colours):
    """One page down: the weekly charts; two: the resolution-hours histogram and tables."""
    if colours == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps("3", expect(ReportScreen, loaded), *["pagedown"] * pages),
    )


def to_charts(pilot) -> None:
    """Scroll the report so that the weekly volume chart is at the top."""
    pilot.app.screen.query_one(WeeklyVolumeChart).scroll_visible(top=True, animate=False)


def test_report_last_12_months_120x40(snap_compare, app_for):
    """A year of weeks in the charts."""
    assert snap_compare(
        app_for(),
        terminal_size=(120, 40),
        run_before=steps("3", "]", "]", "]", expect(ReportScreen, loaded), to_charts),
    )


def test_report_agent_80x24(snap_compare, app_for):
    """An agent's report: the cases they may see, no per-agent table."""
    assert snap_compare(
        app_for("lan.nguyen"),
        terminal_size=SMALL,
        run_before=steps("3", expect(ReportScreen, loaded), "G"),
    )


def test_report_filter_form_80x24(snap_compare, app_for):
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps("3", expect(ReportScreen, loaded), "f", expect(ReportFilterScreen)),
    )


def test_report_export_form_80x24(snap_compare, app_for):
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps("3", expect(ReportScreen, loaded), "e", expect(ActionForm)),
    )


async def test_figures_load_in_a_worker_behind_a_loading_indicator(make_app, monkeypatch):
    """The screen stays responsive while the report is read; an older query's answer that
    arrives after a newer one is dropped."""
    import threading

    from textual.widgets import LoadingIndicator

    release = threading.Event()
    real = report_screen.build_report

    def slow(ctx, actor, query):
        release.wait(10)
        return real(ctx, actor, query)

    monkeypatch.setattr(report_screen, "build_report", slow)
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        for _ in range(3):
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        body = screen.query_one("#report-body")
        assert body.loading  # Textual covers the widget with a LoadingIndicator meanwhile
        assert isinstance(body.get_loading_widget(), LoadingIndicator)
        assert screen.report is None
        await pilot.press("]")  # asks again before the first answer came
        await pilot.pause()
        release.set()
        await settle(pilot)
        assert not body.loading
        assert screen.choice.preset is PeriodPreset.LAST_MONTH
        assert screen.report is not None
        assert screen.report["period"] == {"from": "2026-10-01", "to": "2026-10-31"}
