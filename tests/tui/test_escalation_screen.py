"""The escalation screen (key 2) and the case's escalation panel: snapshots of every view at
80×24 and 120×40, in colour and with NO_COLOR; the summary line against the rows' badges; and
a full escalation driven by keys alone, one app per person on the same database.

Snapshots use the story database of tests/tui/fixtures.py (frozen at Wed 2026-11-25 10:00).
Update after an intended change with ``--snapshot-update`` on this file, then look at the SVGs.
"""

# ruff: noqa: F811 - the story fixtures are imported from test_snapshots and used as arguments
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from textual.widgets import Static

from complaint_tui.domain.enums import EventKind, Status, Urgency
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.escalations import WHO_REVIEWS, EscalationView
from complaint_tui.services.identity import actor_named
from complaint_tui.tui.screens.action_form import ActionForm
from complaint_tui.tui.screens.case_detail import CaseDetailScreen
from complaint_tui.tui.screens.escalations import EscalationScreen
from complaint_tui.tui.widgets.queue_table import QueueTable
from tests.conftest import DEFAULT_NOW
from tests.helpers_db import draft
from tests.tui.conftest import settle
from tests.tui.fixtures import build_app, local
from tests.tui.test_case_detail import choose, type_text
from tests.tui.test_snapshots import (  # noqa: F401 - fixtures, used as arguments
    SIZES,
    SMALL,
    app_for,
    case_loaded,
    expect,
    open_case,
    steps,
    story,
    story_ctx,
    story_template,
)

MINE, PENDING, DECIDED, MY_CASES = (
    EscalationView.MINE,
    EscalationView.PENDING,
    EscalationView.DECIDED,
    EscalationView.MY_CASES,
)
# (who, the view, `]` presses from the first view)
VIEWS = [
    pytest.param("anh.vo", MINE, 0, id="supervisor-mine"),
    pytest.param("anh.vo", PENDING, 1, id="supervisor-pending"),
    pytest.param("anh.vo", DECIDED, 2, id="supervisor-decided"),
    pytest.param("lan.nguyen", MY_CASES, 0, id="agent-my_cases"),
]
COLOURS = [pytest.param(False, id="colour"), pytest.param(True, id="no_color")]


def on_view(view: EscalationView):
    def check(screen: EscalationScreen) -> None:
        assert screen.view is view
        assert screen.counts is not None
        assert summary_agrees(screen)

    return expect(EscalationScreen, check)


def summary_agrees(screen: EscalationScreen) -> bool:
    """The summary line's counts are the rows' badges, band by band (every row is loaded)."""
    table = screen.query_one(QueueTable)
    assert table.at_start and table.at_end, "the story's lists fit one page"
    now = screen.backend.now()
    badges = Counter(row.badge(screen.backend.ctx.sla, now).band for row in table.rows)
    counts = screen.counts
    for band in set(badges) | {b for b, n in counts.bands.items() if n}:
        assert counts.bands.get(band, 0) == badges.get(band, 0), band
    summary = str(screen.query_one("#esc-bands", Static).render())
    for band, n in counts.bands.items():
        if n:
            assert f"{n:,} " in summary, (band, summary)
    if screen.view is DECIDED:
        late = sum("late" in row.badge(screen.backend.ctx.sla, now).text for row in table.rows)
        assert counts.late == late and f"of which {late} late" in summary
    return True


# ---- snapshots --------------------------------------------------------------------------------
@pytest.mark.parametrize("no_color", COLOURS)
@pytest.mark.parametrize(("who", "view", "presses"), VIEWS)
@pytest.mark.parametrize("size", SIZES)
def test_escalation_view(
    snap_compare,
    app_for,
    monkeypatch,
    who,
    view,
    presses,
    size,
    no_color,
):
    """Each view: the views line (or the agent's line), the review clock's summary, the rows."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")  # read when the app is built
    app = app_for(who)
    assert app.no_color is no_color
    assert snap_compare(
        app, terminal_size=size, run_before=steps("2", *["]"] * presses, on_view(view))
    )


def test_manager_mine_to_decide(snap_compare, app_for, story):
    """A manager's "Mine to decide": the level-2 requests only."""

    def level_2(screen: EscalationScreen) -> None:
        rows = screen.query_one(QueueTable).rows
        assert rows and {r.level for r in rows} == {2}
        assert story.level2 in {r.ref for r in rows}

    assert snap_compare(
        app_for("thao.dang"),
        terminal_size=SMALL,
        run_before=steps("2", on_view(MINE), expect(EscalationScreen, level_2)),
    )


@pytest.mark.parametrize("no_color", COLOURS)
@pytest.mark.parametrize("size", SIZES)
def test_case_escalation_panel(
    snap_compare,
    app_for,
    monkeypatch,
    story,
    size,
    no_color,
):
    """Enter on a row: the case, with the request and the decision key on top."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")

    def first_is_panel(screen: CaseDetailScreen) -> None:
        case_loaded(screen)
        assert screen.query_one("#case-escalation").display

    assert snap_compare(
        app_for("anh.vo"),
        terminal_size=size,
        run_before=steps(
            "2", *go_to(story.escalated), "enter", expect(CaseDetailScreen, first_is_panel)
        ),
    )


@pytest.mark.parametrize("which", ["level2", "rejected_after_decision", "referred"])
def test_case_escalation_panel_with_decisions(snap_compare, app_for, story, which):
    """Earlier decisions with their explanations and internal notes, and what may follow."""
    assert snap_compare(
        app_for("anh.vo"),
        terminal_size=(120, 40),
        run_before=steps(open_case(getattr(story, which)), expect(CaseDetailScreen, case_loaded)),
    )


def test_decide_form_after_a_rejected_closing(snap_compare, app_for, story):
    """The one decision left after the customer rejected the outcome: refer to level 2."""

    def refer_only(screen: ActionForm) -> None:
        assert screen.spec.action == "decide"
        assert [v for _shown, v in screen.spec.fields[0].options] == ["refer-up"]

    assert snap_compare(
        app_for("anh.vo"),
        terminal_size=SMALL,
        run_before=steps(
            open_case(story.rejected_after_decision), "d", expect(ActionForm, refer_only)
        ),
    )


def go_to(ref: str):
    """A step that moves the cursor down to the row of ``ref`` with j (keys only)."""

    async def run(pilot) -> None:
        table = pilot.app.screen.query_one(QueueTable)
        for _ in range(len(table.rows)):
            if table.current().ref == ref:
                return
            await pilot.press("j")
        raise AssertionError(f"{ref} is not listed")

    return [run]


# ---- the summary line at every band -----------------------------------------------------------
# Review deadlines in the story at the frozen day: review_breached Fri 20 17:00, review_soon
# Wed 25 17:00 (today), the rest later. 10:00 shows soon; 15:00 urgent; Thursday breached.
@pytest.mark.parametrize(
    ("hour", "bands"),
    [
        (10, {Urgency.BREACHED, Urgency.SOON, Urgency.OK}),
        (15, {Urgency.BREACHED, Urgency.URGENT, Urgency.OK}),
    ],
)
async def test_summary_counts_agree_with_badges_as_time_passes(
    story_ctx, story, tmp_path, hour, bands
):
    story_ctx.clock.set(local(25, hour))
    app = build_app(story_ctx, "anh.vo", config_path=tmp_path / "config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "]")  # All pending
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EscalationScreen) and screen.view is PENDING
        now = app.backend.now()
        shown = {r.badge(app.backend.ctx.sla, now).band for r in screen.query_one(QueueTable).rows}
        assert shown == bands
        assert summary_agrees(screen)
        # The clock moves on while the screen is open: a tick re-reads the counts.
        story_ctx.clock.set(local(26, 16))
        screen.tick()
        await settle(pilot)
        assert summary_agrees(screen)
        assert screen.counts.bands[Urgency.URGENT] >= 1  # the ones due Thursday at 17:00


# ---- an agent presses 2 -----------------------------------------------------------------------
async def test_an_agent_reads_who_reviews_and_sees_their_own_escalated_cases(app_for, story):
    app = app_for("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EscalationScreen) and screen.views == (MY_CASES,)
        line = str(screen.query_one("#esc-views", Static).render())
        assert "Supervisors decide level-1 escalations, managers level 2" in line
        assert len(line.rstrip()) <= 80 and "…" not in line
        refs = [r.ref for r in screen.query_one(QueueTable).rows]
        assert story.escalated in refs and story.referred in refs
        assert story.urgent_escalated not in refs  # anh.vo's case
        assert all(r.assignee == "lan.nguyen" for r in screen.query_one(QueueTable).rows)
        await pilot.press("]")  # one list: nothing to switch to
        assert screen.view is MY_CASES
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, EscalationScreen)


async def test_the_agent_line_names_the_case_screens_escalation_key_as_bound(app_for, story_ctx):
    """The service says who reviews, with no key in it; the screen adds the case screen's key
    for recording a request, after the settings' keymap."""
    assert WHO_REVIEWS == "Supervisors decide level-1 escalations, managers level 2."
    story_ctx.settings = replace(
        story_ctx.settings, ui=replace(story_ctx.settings.ui, keys={"case.escalate": "E"})
    )
    app = app_for("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        line = str(app.screen.query_one("#esc-views", Static).render())
        assert line.strip() == (
            "Supervisors decide level-1 escalations, managers level 2; record one with E."
        )


# ---- a full escalation, keys only, one app per person ------------------------------------------
async def test_a_full_escalation_by_keys_across_roles(tui_ctx, tmp_path):
    """The agent records the request; the supervisor sees it under "Mine to decide" with a
    running review clock and reopens it; the agent resolves; the customer rejects at closing;
    the supervisor refers it to level 2; the manager confirms; the agent records the referral.
    Every step is in the timeline, by the person who took it."""
    ctx, clock = tui_ctx, tui_ctx.clock
    lan = CaseDesk(ctx, actor_named(ctx, "lan.nguyen"))
    clock.set(DEFAULT_NOW - timedelta(days=2))  # Mon 23 10:00: received, investigated, resolved
    ref = lan.create(draft(customer="kh-pilot-01", subject="Website down after migration")).ref
    lan.assign(ref, "lan.nguyen")
    lan.start(ref)
    lan.resolve(ref, "We fixed the web server's configuration.", "Software defect")
    start = len(lan.get(ref).timeline)

    def person(name: str):
        return build_app(ctx, name, config_path=tmp_path / "config.toml")

    async def keys(pilot, *pressed: str) -> None:
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    async def find_in_queue(pilot, view_presses: int) -> None:
        """From the queue: switch view, search for the case's customer, open it."""
        await keys(pilot, *["]"] * view_presses, "/")
        await type_text(pilot, "kh-pilot-01")
        await keys(pilot, "enter", "enter")
        assert isinstance(pilot.app.screen, CaseDetailScreen) and pilot.app.screen.ref == ref

    async def find_on_escalations(pilot, view_presses: int) -> None:
        await keys(pilot, "2", *["]"] * view_presses)
        for step in go_to(ref):
            await step(pilot)
        await keys(pilot, "enter")
        assert isinstance(pilot.app.screen, CaseDetailScreen) and pilot.app.screen.ref == ref

    # 1. The agent records the customer's request (the case is in Recently resolved: `]` twice).
    clock.set(DEFAULT_NOW)
    async with person("lan.nguyen").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await find_in_queue(pilot, 2)
        await keys(pilot, "e")
        await type_text(pilot, "The site is slow since the migration, I want a supervisor.")
        await keys(pilot, "ctrl+s")
        assert pilot.app.screen.detail.summary.escalation_pending

    # 2. The supervisor: under "Mine to decide", with the review clock running; reopens it.
    clock.advance(timedelta(hours=1))
    async with person("anh.vo").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await keys(pilot, "2")
        screen = pilot.app.screen
        assert isinstance(screen, EscalationScreen) and screen.view is MINE
        row = next(r for r in screen.query_one(QueueTable).rows if r.ref == ref)
        badge = row.badge(ctx.sla, clock.now())
        # Due Fri 27 17:00: 6 + 9 + 9 business hours left, two business days.
        assert badge.text == "○ 2d left" and badge.band is Urgency.OK
        await find_on_escalations(pilot, 0)
        assert pilot.app.screen.query_one("#case-escalation").display
        await keys(pilot, "d")
        await choose(pilot, 2)  # reopened for investigation
        await pilot.press("tab")
        await type_text(pilot, "We will measure the site's speed again.")
        await pilot.press("tab")
        await type_text(pilot, "Check the PHP workers.")
        await keys(pilot, "ctrl+s")
        assert pilot.app.screen.detail.status is Status.INVESTIGATING

    # 3. and 4. The agent resolves again; the customer rejects the outcome at closing.
    clock.advance(timedelta(hours=3))
    async with person("lan.nguyen").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await find_in_queue(pilot, 0)  # All open
        await keys(pilot, "R")
        await type_text(pilot, "We added PHP workers; pages load in a second.")
        await pilot.press("tab")
        await choose(pilot, 3)  # root cause: Capacity shortfall
        await keys(pilot, "ctrl+s")
        assert pilot.app.screen.detail.status is Status.RESOLVED
        await keys(pilot, "x")
        await choose(pilot, 2)  # rejected
        await keys(pilot, "ctrl+s")
        assert pilot.app.screen.detail.status is Status.CLOSED

    # 5. The supervisor refers it to level 2, from the Decided view (its level-1 decision).
    clock.advance(timedelta(hours=1))
    async with person("anh.vo").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await find_on_escalations(pilot, 2)
        await keys(pilot, "d")  # refer to level 2 is the one decision left, already chosen
        await pilot.press("tab")
        await type_text(pilot, "Our support manager will review your case.")
        await keys(pilot, "ctrl+s")
        summary = pilot.app.screen.detail.summary
        assert (summary.escalation_level, summary.escalation_pending) == (2, True)

    # 6. The manager confirms the resolution from "Mine to decide".
    clock.advance(timedelta(hours=1))
    async with person("thao.dang").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await keys(pilot, "2")
        assert ref in {r.ref for r in pilot.app.screen.query_one(QueueTable).rows}
        await find_on_escalations(pilot, 0)
        await keys(pilot, "d")
        await choose(pilot, 1)  # resolution confirmed
        await pilot.press("tab")
        await type_text(pilot, "The site is fast again; the resolution stands.")
        await keys(pilot, "ctrl+s")
        assert pilot.app.screen.detail.summary.escalation_pending is False

    # 7. The agent records the referral to the external body.
    clock.advance(timedelta(hours=1))
    async with person("lan.nguyen").run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await find_in_queue(pilot, 2)
        await keys(pilot, "F")
        await type_text(pilot, "The customer will write to the dispute body.")
        await keys(pilot, "ctrl+s")
        assert pilot.app.screen.detail.referred_to == ctx.settings.external.name

    timeline = [
        (e.kind, e.actor, e.text) for e in CaseDesk(ctx, lan.actor).get(ref).timeline[start:]
    ]
    steps_taken = [(kind, actor) for kind, actor, _text in timeline]
    assert steps_taken == [
        (EventKind.ESCALATION_REQUEST, "lan.nguyen"),
        (EventKind.ESCALATION_DECISION, "anh.vo"),
        (EventKind.NOTE, "anh.vo"),
        (EventKind.STATUS_CHANGE, "anh.vo"),  # reopened by the decision
        (EventKind.STATUS_CHANGE, "lan.nguyen"),  # resolved
        (EventKind.OUTCOME, "lan.nguyen"),
        (EventKind.STATUS_CHANGE, "lan.nguyen"),  # closed: rejected
        (EventKind.ESCALATION_DECISION, "anh.vo"),  # referred to level 2
        (EventKind.ESCALATION_REQUEST, "anh.vo"),
        (EventKind.ESCALATION_DECISION, "thao.dang"),
        (EventKind.REFERRAL, "lan.nguyen"),
    ]
    texts = [text for _kind, _actor, text in timeline]
    assert texts[0].startswith("level 1 (supervisor): The site is slow")
    assert (
        texts[1] == "level 1, reopened for investigation: We will measure the site's speed again."
    )
    assert "customer response: rejected" in texts[6]
    assert texts[7].startswith("level 1, referred to level 2: ")
    assert texts[9].startswith("level 2, resolution confirmed: ")


def test_volume_escalations_80x24(snap_compare, volume_ctx, tmp_path):
    """At demo volume (2,000 cases) the counts and the columns still fit 80 columns."""

    def counted(screen: EscalationScreen) -> None:
        assert screen.counts is not None and screen.counts.views[PENDING] > 20
        line = str(screen.query_one("#esc-views", Static).render())
        assert len(line.rstrip()) <= 80 and "…" not in line

    app = build_app(volume_ctx, "anh.vo", config_path=tmp_path / "config.toml")
    assert snap_compare(
        app, terminal_size=SMALL, run_before=steps("2", "]", expect(EscalationScreen, counted))
    )


@pytest.mark.parametrize("no_color", COLOURS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("who", ["lan.nguyen", "anh.vo"], ids=["agent", "supervisor"])
def test_case_footer_on_an_escalated_case(
    snap_compare, app_for, monkeypatch, story, who, size, no_color
):
    """Issue 9 §7: the footer offers what this person may do now; d only to the supervisor."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")

    def footer_fits(screen: CaseDetailScreen) -> None:
        case_loaded(screen)
        offered = {a.binding.key for a in screen.active_bindings.values() if a.binding.show}
        assert ("d" in offered) is (who == "anh.vo"), offered

    assert snap_compare(
        app_for(who),
        terminal_size=size,
        run_before=steps(open_case(story.escalated), expect(CaseDetailScreen, footer_fits)),
    )


def escalated_elsewhere(story_ctx):
    """A step: another session (the agent) records an escalation; the desk hears of it."""

    async def run(pilot) -> None:
        agent = CaseDesk(story_ctx, actor_named(story_ctx, "lan.nguyen"))
        ref = agent.create(draft(customer="vo.thi.mai", subject="[b]Backup[/b] restore failed")).ref
        agent.assign(ref, "lan.nguyen")
        agent.start(ref)
        agent.resolve(ref, "Restored from the previous night's backup.", "Software defect")
        agent.escalate(ref, "The customer wants a supervisor to review the lost day of data.")
        pilot.app._broadcast_change()  # what the change watcher does after their commit
        await settle(pilot)
        assert [n.message for n in pilot.app._notifications] == [
            f"{ref}: a level-1 escalation awaits your decision."
        ]

    return run


@pytest.mark.parametrize("no_color", COLOURS)
@pytest.mark.parametrize("size", SIZES)
def test_alert_notification(snap_compare, app_for, story_ctx, monkeypatch, size, no_color):
    """Issue 9 §6: a supervisor is told of an escalation arriving at their level."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(
        app_for("anh.vo"), terminal_size=size, run_before=steps(escalated_elsewhere(story_ctx))
    )
