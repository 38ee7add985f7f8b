"""Snapshot tests (pytest-textual-snapshot) of every screen and modal of the TUI.

Every snapshot is taken on the seeded demo database plus the story cases of tests/tui/fixtures.py,
with the clock frozen at Wed 2026-11-25 10:00 (Asia/Ho_Chi_Minh), no change watcher, no cursor
blink and no animations, after every data worker has reported back (``settle``). Nothing in them
depends on the wall clock, so each run renders the same SVG.

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``,
then look at the changed SVGs in tests/tui/__snapshots__/test_snapshots/ before committing.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

import pytest
from textual.command import CommandPalette
from textual.widgets import Checkbox, Input, SelectionList, TextArea

from complaint_tui.domain.enums import Status, Urgency
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import actor_named
from complaint_tui.services.queue import VIEW_ORDER, QueueFilter, QueueView
from complaint_tui.tui.screens import case_actions
from complaint_tui.tui.screens.action_form import ActionForm, TextViewer
from complaint_tui.tui.screens.case_detail import AttachmentPicker, CaseDetailScreen
from complaint_tui.tui.screens.confirm import ConfirmScreen
from complaint_tui.tui.screens.filter import FilterScreen
from complaint_tui.tui.screens.goto_ref import GotoRefScreen
from complaint_tui.tui.screens.help import HelpScreen
from complaint_tui.tui.screens.intake import IntakeScreen
from complaint_tui.tui.screens.queue import QueueScreen
from complaint_tui.tui.widgets.queue_table import QueueTable
from tests.tui.fixtures import (
    BANDS_CUSTOMER,
    HOSTILE_CUSTOMER,
    add_hostile_case,
    build_app,
    copy_database,
    in_sixteen_colours,
    open_context,
    settle,
    story_database,
)

SMALL = (80, 24)
LARGE = (120, 40)
SIZES = [pytest.param(SMALL, id="80x24"), pytest.param(LARGE, id="120x40")]
THEMES = ["complaint-dark", "complaint-light", "complaint-high-contrast", "complaint-colorblind"]

Step = str | Callable[..., Awaitable[None] | None]


# ---- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def story_template(seeded_template, tmp_path_factory):
    """The seeded demo database plus the story cases, built once per session."""
    return story_database(seeded_template, tmp_path_factory.mktemp("story") / "story.db")


@pytest.fixture
def story(story_template):
    return story_template[1]


@pytest.fixture
def story_ctx(story_template, tmp_path):
    ctx = open_context(copy_database(story_template[0], tmp_path / "story.db"))
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def app_for(story_ctx, tmp_path):
    """app_for("anh.vo", theme=...) -> a deterministic ComplaintApp on the story database."""

    def build(agent: str = "anh.vo", theme: str = "complaint-dark"):
        return build_app(story_ctx, agent, theme, config_path=tmp_path / "config.toml")

    return build


@pytest.fixture(autouse=True)
def _fixed_download_folder(monkeypatch):
    """The save-attachment form suggests ~/Downloads: make it the same on every machine."""
    monkeypatch.setattr(case_actions, "default_folder", lambda: "/home/agent/Downloads")


# ---- steps ------------------------------------------------------------------------------------
def steps(*actions: Step) -> Callable[..., Awaitable[None]]:
    """A run_before for snap_compare: wait for the data, then run each step and wait again.

    A step is a key name (``"enter"``, ``"]"``, ``"ctrl+s"``) or a callable of the pilot.
    """

    async def run_before(pilot) -> None:
        await settle(pilot)
        for action in actions:
            if isinstance(action, str):
                await pilot.press(action)
            else:
                result = action(pilot)
                if inspect.isawaitable(result):
                    await result
            await settle(pilot)

    return run_before


def typed(text: str) -> Step:
    """Type text key by key into the focused widget."""

    async def run(pilot) -> None:
        await pilot.press(*text)

    return run


def open_case(ref: str) -> Step:
    def run(pilot) -> None:
        pilot.app.open_case(ref)

    return run


def expect(screen_type: type, check: Callable[..., None] | None = None) -> Step:
    """Fail early (with a clear message) when the screen is not what the snapshot should show."""

    def run(pilot) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, screen_type), f"expected {screen_type.__name__}, got {screen}"
        if check is not None:
            check(screen)

    return run


def view_keys(view: QueueView) -> list[str]:
    """The `]` presses that go from the start view (All open) to ``view``."""
    start = VIEW_ORDER.index(QueueView.ALL_OPEN)
    return ["]"] * ((VIEW_ORDER.index(view) - start) % len(VIEW_ORDER))


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def case_loaded(screen: CaseDetailScreen) -> None:
    assert screen.detail is not None, f"{screen.ref} did not load: {screen.error}"


def on_form(action: str) -> Step:
    return expect(ActionForm, lambda s: _form_is(s, action))


def _form_is(screen: ActionForm, action: str) -> None:
    assert screen.spec.action == action


# ---- queue ------------------------------------------------------------------------------------
@pytest.mark.parametrize("view", list(QueueView), ids=[v.value for v in QueueView])
@pytest.mark.parametrize("size", SIZES)
def test_queue_view(snap_compare, app_for, view, size):
    """Each view of the queue, reached with `]` from All open."""

    def right_view(screen: QueueScreen) -> None:
        assert screen.query_state.view is view
        assert screen.counts is not None

    assert snap_compare(
        app_for(),
        terminal_size=size,
        run_before=steps(*view_keys(view), expect(QueueScreen, right_view)),
    )


def search_bands(pilot) -> None:
    """Search All open for the customer with a case in every open band (done is the Recently
    resolved view's)."""
    pilot.app.screen.query_one("#search", Input).value = BANDS_CUSTOMER


EVERY_BAND = ("/", search_bands, "enter")  # steps


def test_queue_every_urgency_band(snap_compare, app_for, story):
    """One customer's cases in every open band: breached, urgent, soon, ok, paused."""

    def every_band(screen: QueueScreen) -> None:
        app = screen.app
        now = app.backend.now()
        rows = screen.query_one(QueueTable).rows
        bands = {app.backend.ctx.sla.urgency(r.status, r.active_due_at, now) for r in rows}
        assert bands == set(Urgency) - {Urgency.DONE}, bands
        assert [r.ref for r in rows] == list(story.bands)  # most urgent first

    assert snap_compare(
        app_for(),
        terminal_size=(120, 16),
        run_before=steps(*EVERY_BAND, expect(QueueScreen, every_band)),
    )


@pytest.mark.parametrize("size", SIZES)
def test_queue_search(snap_compare, app_for, size):
    """`/` opens the search bar; enter applies it (the title says what is searched)."""
    assert snap_compare(
        app_for(),
        terminal_size=size,
        run_before=steps(
            "/",
            typed("vps"),
            "enter",
            expect(QueueScreen, lambda s: _searched(s, "vps")),
        ),
    )


def _searched(screen: QueueScreen, words: str) -> None:
    assert screen.query_state.search == words
    assert screen.query_one(QueueTable).rows


def test_queue_search_bar_open(snap_compare, app_for):
    """The search bar while typing, before enter."""
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps("/", typed("nguyen")),
    )


@pytest.mark.parametrize("size", SIZES)
def test_queue_search_everywhere(snap_compare, app_for, size):
    """ctrl+t: the search covers every case one may see; the bar and the title say so."""

    def everywhere(screen: QueueScreen) -> None:
        assert screen.query_state.searching_everywhere
        assert any(not r.status.is_open for r in screen.query_one(QueueTable).rows)

    assert snap_compare(
        app_for(),
        terminal_size=size,
        run_before=steps(
            "/", typed("nguyen"), "ctrl+t", "enter", "/", expect(QueueScreen, everywhere)
        ),
    )


@pytest.mark.parametrize("size", SIZES)
def test_goto_ref_unknown(snap_compare, app_for, size):
    """`:` and a ref that is no case's: one sentence, the input kept."""

    def refused(screen: GotoRefScreen) -> None:
        assert screen.query_one("#goto-error").display

    assert snap_compare(
        app_for(),
        terminal_size=size,
        run_before=steps("colon", typed("C-2026-99999"), "enter", expect(GotoRefScreen, refused)),
    )


def test_queue_filter_applied(snap_compare, app_for):
    def apply(pilot) -> None:
        pilot.app.screen.apply_filter(QueueFilter(status=Status.INVESTIGATING, priority="high"))

    assert snap_compare(app_for(), terminal_size=SMALL, run_before=steps(apply))


@pytest.mark.parametrize("size", SIZES)
def test_filter_modal(snap_compare, app_for, size):
    assert snap_compare(app_for(), terminal_size=size, run_before=steps("f", expect(FilterScreen)))


@pytest.mark.parametrize("size", SIZES)
def test_help_modal_on_queue(snap_compare, app_for, size):
    assert snap_compare(
        app_for(), terminal_size=size, run_before=steps("question_mark", expect(HelpScreen))
    )


def test_command_palette_on_queue(snap_compare, app_for):
    assert snap_compare(
        app_for(), terminal_size=SMALL, run_before=steps("ctrl+p", expect(CommandPalette))
    )


def test_command_palette_searching(snap_compare, app_for):
    assert snap_compare(
        app_for(),
        terminal_size=LARGE,
        run_before=steps("ctrl+p", typed("view"), expect(CommandPalette)),
    )


# ---- case detail ------------------------------------------------------------------------------
CASES = ["new", "investigating", "waiting", "escalated", "resolved"]


@pytest.mark.parametrize("which", CASES)
@pytest.mark.parametrize("size", SIZES)
def test_case_detail(snap_compare, app_for, story, which, size):
    """Header, every clock, and the top of the body, for a case in each state."""
    ref = getattr(story, which)
    assert snap_compare(
        app_for(),
        terminal_size=size,
        run_before=steps(open_case(ref), expect(CaseDetailScreen, case_loaded)),
    )


@pytest.mark.parametrize("size", SIZES)
def test_case_detail_timeline(snap_compare, app_for, story, size):
    """`G` scrolls to the end: internal notes and customer updates look different."""
    assert snap_compare(
        app_for(),
        terminal_size=size,
        run_before=steps(open_case(story.investigating), "G", expect(CaseDetailScreen)),
    )


def test_case_detail_urgent_and_escalated(snap_compare, app_for, story):
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps(open_case(story.urgent_escalated), expect(CaseDetailScreen, case_loaded)),
    )


def test_help_modal_on_case(snap_compare, app_for, story):
    assert snap_compare(
        app_for(),
        terminal_size=LARGE,
        run_before=steps(open_case(story.investigating), "question_mark", expect(HelpScreen)),
    )


def test_command_palette_on_case(snap_compare, app_for, story):
    assert snap_compare(
        app_for(),
        terminal_size=LARGE,
        run_before=steps(open_case(story.investigating), "ctrl+p", expect(CommandPalette)),
    )


def test_attachment_picker(snap_compare, app_for, story):
    """`v` on a case with two attachments asks which one."""
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps(open_case(story.investigating), "v", expect(AttachmentPicker)),
    )


def test_attachment_viewer(snap_compare, app_for, story):
    """enter in the picker shows the text attachment, as text."""
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps(open_case(story.investigating), "v", "enter", expect(TextViewer)),
    )


# ---- action forms -----------------------------------------------------------------------------
# (case in the story, key, action name, text typed into the first field or None)
FORMS = [
    ("new", "a", "acknowledge", None),
    ("new", "i", "investigate", None),
    ("investigating", "c", "note", "Customer called: the restores work."),
    ("investigating", "u", "update", None),
    ("investigating", "w", "wait", None),
    ("investigating", "R", "resolve", None),
    ("resolved", "x", "close", None),
    ("resolved", "o", "reopen", None),
    ("resolved", "e", "escalate", None),
    ("escalated", "d", "decide", None),
    ("investigating", "A", "assign", None),
    ("investigating", "p", "priority", None),
    ("investigating", "E", "extend", None),
    ("rejected_after_decision", "F", "refer", None),
    ("investigating", "C", "recuse", None),
    ("investigating", "s", "save_attachment", None),
    ("waiting", "i", "investigate", None),
]


@pytest.mark.parametrize(
    ("which", "key", "action", "text"),
    FORMS,
    ids=[f"{a}-{w}" if a == "investigate" else a for w, _k, a, _t in FORMS],
)
def test_action_form(snap_compare, app_for, story, which, key, action, text):
    """Each case key opens its small modal form (80×24, the smallest supported terminal)."""
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps(
            open_case(getattr(story, which)),
            key,
            *([typed(text)] if text else []),
            on_form(action),
        ),
    )


def test_action_form_large(snap_compare, app_for, story):
    assert snap_compare(
        app_for(),
        terminal_size=LARGE,
        run_before=steps(open_case(story.investigating), "R", on_form("resolve")),
    )


def _other_root_cause_chosen(screen: ActionForm) -> None:
    line = screen.query_one("#f-root_cause-other", Input)
    assert line.display and line.value == "expired card on file"


@pytest.mark.parametrize("colours", ["colour", "no_color"])
@pytest.mark.parametrize("other", [False, True], ids=["listed", "other"])
@pytest.mark.parametrize("size", SIZES)
def test_resolve_form_root_cause(snap_compare, app_for, monkeypatch, story, size, other, colours):
    """The root cause select; with "Other" chosen, the line for what it was opens under it
    (in colour and with NO_COLOR, at 80×24 and 120×40)."""
    if colours == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")
    app = app_for()
    assert app.no_color is (colours == "no_color")
    other_steps = ("enter", "up", "enter", typed("expired card on file"))
    assert snap_compare(
        app,
        terminal_size=size,
        run_before=steps(
            open_case(story.investigating),
            "R",
            typed("Refunded the charge"),
            "tab",
            *(other_steps if other else ("enter", "down", "down", "enter")),
            expect(ActionForm, _other_root_cause_chosen if other else None),
        ),
    )


def test_form_validation_errors(snap_compare, app_for, story):
    """ctrl+s with an empty required text: the error sits under the field, nothing is saved."""

    def flagged(screen: ActionForm) -> None:
        assert screen.query_one("#err-text").display

    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps(
            open_case(story.investigating), "c", "ctrl+s", expect(ActionForm, flagged)
        ),
    )


def test_form_validation_errors_two_fields(snap_compare, app_for, story):
    """Extend with 99 days and no explanation: both fields say what is wrong."""

    def flagged(screen: ActionForm) -> None:
        assert (
            screen.query_one("#err-days").display and screen.query_one("#err-explanation").display
        )

    assert snap_compare(
        app_for(),
        terminal_size=LARGE,
        run_before=steps(
            open_case(story.investigating), "E", typed("99"), "ctrl+s", expect(ActionForm, flagged)
        ),
    )


def test_form_conflict(snap_compare, app_for, story_ctx, story):
    """Another agent changed the case after the form opened: the save is refused in one sentence,
    the typed text stays, and the case underneath shows their change."""

    def someone_else(_pilot) -> None:
        manager = CaseDesk(story_ctx, actor_named(story_ctx, "thao.dang"))
        manager.note(story.investigating, "Manager: call the customer before resolving.")

    def refused(screen: ActionForm) -> None:
        assert screen.query_one("#f-text", TextArea).text == "Backups verified."
        assert "someone else" in str(screen.query_one("#form-error").render())

    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps(
            open_case(story.investigating),
            "u",
            typed("Backups verified."),
            someone_else,
            "ctrl+s",
            expect(ActionForm, refused),
        ),
    )


def test_discard_typed_text(snap_compare, app_for, story):
    """esc on a form with typed text asks before dropping it."""
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps(
            open_case(story.investigating),
            "c",
            typed("half a thought"),
            "escape",
            expect(ConfirmScreen),
        ),
    )


# ---- intake -----------------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_intake_empty(snap_compare, app_for, size):
    assert snap_compare(app_for(), terminal_size=size, run_before=steps("n", expect(IntakeScreen)))


@pytest.mark.parametrize("size", SIZES)
def test_intake_validation_errors(snap_compare, app_for, size):
    """ctrl+s on an empty form: every missing field says so, the first one has the focus."""

    def refused(screen: IntakeScreen) -> None:
        assert screen.query_one("#intake-status").display
        assert screen.query_one("#err-customer").display

    assert snap_compare(
        app_for(),
        terminal_size=size,
        run_before=steps("n", "ctrl+s", expect(IntakeScreen, refused)),
    )


def test_intake_confirm_discard(snap_compare, app_for):
    """esc on a form with typed text: the ConfirmScreen asks first."""
    assert snap_compare(
        app_for(),
        terminal_size=SMALL,
        run_before=steps("n", typed("kh-20931"), "escape", expect(ConfirmScreen)),
    )


# ---- terminals: NO_COLOR and themes -----------------------------------------------------------
@pytest.mark.parametrize(
    ("view", "size"),
    [
        pytest.param(QueueView.ALL_OPEN, SMALL, id="all_open-80x24"),
        pytest.param(QueueView.ALL_OPEN, LARGE, id="all_open-120x40"),
        pytest.param(QueueView.NEXT_UPDATE, SMALL, id="next_update-80x24"),
        pytest.param(QueueView.NEXT_UPDATE, LARGE, id="next_update-120x40"),
        pytest.param(None, (120, 16), id="every_band-120x16"),
    ],
)
def test_no_color_queue(snap_compare, app_for, monkeypatch, view, size):
    """NO_COLOR: badges still read by glyph and text, priorities by glyph (and word, at 120)."""
    monkeypatch.setenv("NO_COLOR", "1")  # before the app is built: Textual reads it in __init__
    app = app_for()
    assert app.no_color
    keys = view_keys(view) if view is not None else EVERY_BAND
    assert snap_compare(app, terminal_size=size, run_before=steps(*keys))


def test_no_color_case_detail(snap_compare, app_for, monkeypatch, story):
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_for()
    assert app.no_color
    assert snap_compare(
        app,
        terminal_size=SMALL,
        run_before=steps(open_case(story.investigating), "G", expect(CaseDetailScreen)),
    )


@pytest.mark.parametrize("theme", THEMES[1:])
def test_theme_queue(snap_compare, app_for, theme):
    """The other themes on the cases in every open band (the default theme's is
    test_queue_every_urgency_band)."""
    app = app_for(theme=theme)
    assert app.theme == theme
    assert snap_compare(app, terminal_size=(120, 16), run_before=steps(*EVERY_BAND))


@pytest.mark.parametrize("theme", THEMES)
def test_theme_case_detail(snap_compare, app_for, story, theme):
    """Every theme on a case's clocks and timeline (internal notes vs customer updates)."""
    app = app_for(theme=theme)
    assert app.theme == theme
    assert snap_compare(
        app, terminal_size=LARGE, run_before=steps(open_case(story.investigating), "G")
    )


# ---- hostile customer text --------------------------------------------------------------------
def _literal(pilot) -> None:
    text = screen_text(pilot.app)
    assert "[bold red]x[/]" in text
    assert "\x1b" not in text and "\x00" not in text


@pytest.mark.parametrize("size", SIZES)
def test_hostile_text_in_queue(snap_compare, app_for, story_ctx, size):
    """Markup, escapes, controls, emoji, combining marks and RTL text: literal in the queue."""
    add_hostile_case(story_ctx)

    def search(pilot) -> None:
        pilot.app.screen.query_one("#search", Input).value = HOSTILE_CUSTOMER

    assert snap_compare(
        app_for(),
        terminal_size=size,
        run_before=steps("/", search, "enter", _literal),
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("where", ["top", "timeline"])
def test_hostile_text_in_case_detail(snap_compare, app_for, story_ctx, size, where):
    """The same text in the header, description, events and timeline of the detail screen."""
    ref = add_hostile_case(story_ctx)
    assert snap_compare(
        app_for(),
        terminal_size=size,
        run_before=steps(
            open_case(ref),
            *(["G"] if where == "timeline" else []),
            expect(CaseDetailScreen, case_loaded),
            _literal,
        ),
    )


# ---- 16 colours and NO_COLOR: every state without colour (issue 7, item 10) --------------------
@pytest.mark.parametrize("theme", THEMES)
def test_sixteen_colours_queue(snap_compare, app_for, theme):
    """Each colour reduced to the 16 ANSI ones: every band still differs (reverse, bold, italic)."""
    app = in_sixteen_colours(app_for(theme=theme))
    assert snap_compare(app, terminal_size=(120, 16), run_before=steps(*EVERY_BAND))


def test_sixteen_colours_case_detail(snap_compare, app_for, story):
    app = in_sixteen_colours(app_for())
    assert snap_compare(
        app,
        terminal_size=SMALL,
        run_before=steps(open_case(story.urgent_escalated), expect(CaseDetailScreen, case_loaded)),
    )


def _check_boxes(pilot) -> None:
    screen = pilot.app.screen
    screen.query_one("#in-services", SelectionList).select("DNS")
    screen.query_one("#in-services", SelectionList).select("Backup")
    screen.query_one("#in-confidential", Checkbox).value = True


@pytest.mark.parametrize("colours", ["no_color", "16_colours"])
@pytest.mark.parametrize("where", ["#in-services", "#in-confidential"])
def test_intake_checked_boxes_without_colour(snap_compare, app_for, monkeypatch, colours, where):
    """A checked box reads as checked without colour: "X" against an empty box."""
    if colours == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")
    app = app_for()
    if colours == "16_colours":
        in_sixteen_colours(app)

    def focus(pilot) -> None:
        pilot.app.screen.query_one(where).focus()

    assert snap_compare(
        app, terminal_size=SMALL, run_before=steps("n", expect(IntakeScreen), _check_boxes, focus)
    )


# ---- realistic volume at 80×24 (issue 7, item 11) --------------------------------------------
@pytest.fixture
def volume_app(volume_ctx, tmp_path):
    """The app on the demo volume (2,000 cases: 1,281 open, counts in the hundreds per view)."""
    return build_app(volume_ctx, "anh.vo", config_path=tmp_path / "config.toml")


@pytest.mark.parametrize("view", [QueueView.ALL_OPEN, QueueView.RESOLVED], ids=lambda v: v.value)
def test_volume_queue_80x24(snap_compare, volume_app, view):
    """Every view's count fits the summary line, and the columns fit, at demo volume."""

    def counted(screen: QueueScreen) -> None:
        assert screen.counts is not None and screen.counts.views[QueueView.ALL_OPEN] > 1_000

    assert snap_compare(
        volume_app,
        terminal_size=SMALL,
        run_before=steps(*view_keys(view), expect(QueueScreen, counted)),
    )


@pytest.mark.parametrize("view", [QueueView.ALL_OPEN, QueueView.RESOLVED], ids=lambda v: v.value)
def test_volume_case_80x24(snap_compare, volume_app, view):
    """The first case of the view: the header keeps channel and services, every clock fits."""
    assert snap_compare(
        volume_app,
        terminal_size=SMALL,
        run_before=steps(
            *view_keys(view), expect(QueueScreen), "enter", expect(CaseDetailScreen, case_loaded)
        ),
    )
