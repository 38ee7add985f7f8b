"""80 columns and plain words: with counts in the thousands nothing is cut, no raw enum or class
name reaches the screen, and a date reads the same in the TUI and in the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from textual.widgets import Static

from complaint_tui.cli import cli
from complaint_tui.domain.enums import CustomerResponse, EventKind, Status
from complaint_tui.services.queue import VIEW_ORDER, QueueCounts, QueueFilter
from complaint_tui.tui.screens.case_detail import CaseDetailScreen
from complaint_tui.tui.screens.help import HelpScreen
from complaint_tui.tui.screens.queue import VIEW_SHORT_NAMES, QueueScreen
from tests.conftest import DEFAULT_NOW
from tests.tui.conftest import settle
from tests.tui.fixtures import build_app, new_case, open_case

# Stored values that are not words: none may reach the screen.
RAW_NAMES = [
    v.value for enum in (Status, CustomerResponse, EventKind) for v in enum if "_" in v.value
]


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


# ---- 80 columns --------------------------------------------------------------------------------
async def test_every_view_count_shows_at_80_columns_at_demo_volume(volume_ctx, tmp_path):
    app = build_app(volume_ctx, "anh.vo", config_path=tmp_path / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert screen.counts.views[screen.query_state.view] > 1_000  # a realistic volume
        line = shown(app, "#queue-views")
        assert len(line) <= 80
        for view in VIEW_ORDER:
            assert f"{VIEW_SHORT_NAMES[view]} {screen.counts.views[view]:,}" in line, line


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((9_999, 23_456, 131_286, 12_198, 871_719, 4_321), "Updates 4,321"),
        ((173, 215, 1_286_000, 198, 2_719_000, 96_512), "Updates 96k"),
    ],
)
async def test_the_views_line_still_fits_at_a_million_cases(make_app, counts, expected):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.counts = QueueCounts(dict(zip(VIEW_ORDER, counts, strict=True)), {}, counts[2])
        screen._render_header()
        await pilot.pause()
        line = shown(app, "#queue-views")
        assert len(line) <= 80 and "…" not in line
        assert line.rstrip().endswith(expected), line


async def test_the_case_header_shows_channel_and_services_at_80_columns(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(
            app,
            customer="chloe.danangtravel",
            services=["Email hosting", "DNS", "Web hosting"],
            channel="phone",
            priority="critical",
            confidential=True,
        )
        app.backend.desk.assign(case.ref, "lan.nguyen")
        app.backend.desk.start(case.ref)
        app.backend.desk.resolve(case.ref, "Mail flows again.", "Configuration error")
        app.backend.desk.reopen(case.ref, "Mail bounces again.")
        app.backend.desk.escalate(case.ref, "I want a supervisor.")
        await open_case(app, pilot, case.ref)
        header = screen_lines(app)[:4]
    assert "CONFIDENTIAL" in header[0] and "L1 review pending" in header[0]
    assert "priority critical" in header[1] and "customer chloe.danangtravel" in header[1]
    assert "assignee lan.nguyen" in header[1]
    assert header[2].split() == [
        "via",
        "phone",
        "services",
        "Email",
        "hosting,",
        "DNS,",
        "Web",
        "hosting",
    ]
    assert header[3].strip() == "VPS unreachable since the morning"
    assert not any("…" in line for line in header), header


# ---- words, not names --------------------------------------------------------------------------
async def test_statuses_answers_and_screens_are_named_in_words(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        waiting = new_case(app)
        app.backend.desk.start(waiting.ref)
        app.backend.desk.wait(waiting.ref, "Please send the error log.")
        closed = new_case(app)
        app.backend.desk.start(closed.ref)
        app.backend.desk.resolve(closed.ref, "Fixed the firewall rule.", "Configuration error")
        app.backend.desk.close(closed.ref, CustomerResponse.NO_RESPONSE)

        app.screen.apply_filter(QueueFilter(status=Status.WAITING_ON_CUSTOMER))
        await settle(pilot)
        assert "filter: status waiting on the customer" in shown(app, "#queue-title")

        await open_case(app, pilot, waiting.ref)
        assert "waiting on the customer" in screen_lines(app)[0]
        await pilot.press("G")  # the timeline
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        assert "under investigation → waiting on the customer" in text
        assert not [name for name in RAW_NAMES if name in text]
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Keys: Case" in "\n".join(screen_lines(app))
        assert "CaseDetail" not in "\n".join(screen_lines(app))
        await pilot.press("escape")
        await open_case(app, pilot, closed.ref)
        assert "customer response no response" in "\n".join(screen_lines(app))
        await pilot.press("G")
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        assert "resolved → closed (customer response: no response)" in text
        assert not [name for name in RAW_NAMES if name in text]


async def test_a_saved_action_is_announced_in_words(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        messages = [n.message for n in app._notifications]
    assert messages[-1] == f"{case.ref} acknowledged."
    assert not any("saved." in m and "acknowledged saved" in m for m in messages)


# ---- one date format ---------------------------------------------------------------------------
async def test_a_date_reads_the_same_in_the_tui_and_the_cli(make_app, tui_ctx, tmp_path):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        text = "\n".join(screen_lines(app))
    assert "received Wed 2026-11-25 10:00" in text  # DEFAULT_NOW, local time
    config = tmp_path / "cli-config.toml"
    config.write_text("")
    result = CliRunner().invoke(
        cli,
        ["case", "show", case.ref],
        env={
            "COMPLAINT_TUI_DB": tui_ctx.db.url,
            "COMPLAINT_TUI_CONFIG": str(config),
            "COMPLAINT_TUI_AGENT": "anh.vo",
            "COMPLAINT_TUI_NOW": DEFAULT_NOW.isoformat(),
        },
    )
    assert result.exit_code == 0, result.output
    assert "Received:   Wed 2026-11-25 10:00" in result.stdout
    assert "Acknowledgement    due Thu 2026-11-26 17:00" in result.stdout
