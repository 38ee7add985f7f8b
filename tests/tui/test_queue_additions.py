"""Issue 9 item 4 in the queue, by keys: the priority column, the "Next update due" view, a
search over every case one may see (ctrl+t), and `:` to go to a ref."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input, Static

from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.domain.labels import priority_glyph, priority_label
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import actor_named
from complaint_tui.services.queue import VIEW_ORDER, QueueQuery, QueueView
from complaint_tui.tui.commands import keys_for
from complaint_tui.tui.screens.case_detail import CaseDetailScreen
from complaint_tui.tui.screens.goto_ref import GotoRefScreen
from complaint_tui.tui.screens.queue import QueueScreen
from complaint_tui.tui.widgets.queue_table import QueueTable
from tests.tui.conftest import settle
from tests.tui.fixtures import new_case


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def row_line(app, ref: str) -> str:
    (line,) = [line for line in screen_lines(app) if ref in line]
    return line


def words(line: str) -> str:
    return " ".join(line.split())


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", ":": "colon"}.get(ch, ch) for ch in text])


async def to_view(pilot, view: QueueView) -> None:
    screen = pilot.app.screen
    steps = (VIEW_ORDER.index(view) - VIEW_ORDER.index(screen.query_state.view)) % len(VIEW_ORDER)
    await pilot.press(*["]"] * steps)
    await settle(pilot)
    assert screen.query_state.view is view


# ---- priority ---------------------------------------------------------------------------------
async def test_the_priority_reads_as_glyph_and_word_at_120_columns(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        critical = new_case(app, priority="critical", subject="Whole rack down")
        low = new_case(app, priority="low", subject="Typo in an invoice")
        app.screen.refresh_in_place()
        await settle(pilot)
        app.screen.query_one("#search", Input).value = "rack"
        await pilot.press("/", "enter")
        await settle(pilot)
        assert f"{critical.ref} {priority_label('critical')} " in words(row_line(app, critical.ref))
        assert "⇈ critical" in row_line(app, critical.ref)
        assert any(line.split()[2:3] == ["Priority"] for line in screen_lines(app))
        app.screen.query_one("#search", Input).value = "invoice"
        await pilot.press("/", "enter")
        await settle(pilot)
        assert "↓ low" in row_line(app, low.ref)


async def test_at_80_columns_the_priority_is_its_glyph_and_the_subject_stays(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        for row in table.rows[:10]:
            line = row_line(app, row.ref)
            assert f"{row.ref} {priority_glyph(row.priority)} " in words(line)
            assert row.priority not in line.split()  # no word: no room
            assert row.subject[:12] in line
            assert row.ref in line and line.split()[0] in "✖▲●○⏸✓"


# ---- Next update due ----------------------------------------------------------------------------
async def test_next_update_due_lists_the_cases_owed_an_update_with_their_update_clock(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await to_view(pilot, QueueView.NEXT_UPDATE)
        screen = app.screen
        table = screen.query_one(QueueTable)
        now = app.backend.now()
        assert table.rows, "the demo data has cases owed an update"
        assert all(
            r.next_update_due_at is not None and r.next_update_due_at <= now for r in table.rows
        )
        assert all(r.status.value in ("acknowledged", "investigating") for r in table.rows)
        assert table.total == screen.counts.views[QueueView.NEXT_UPDATE] == screen.counts.total
        expected = app.backend.queue.first(QueueQuery(view=QueueView.NEXT_UPDATE), len(table.rows))
        assert [r.ref for r in table.rows] == [r.ref for r in expected.rows]
        # The badge is the update clock's, under its own title.
        lines = screen_lines(app)
        assert any(line.startswith("Update ") for line in lines)
        first = table.rows[0]
        assert row_line(app, first.ref).startswith(
            first.update_badge(app.backend.ctx.sla, now).text
        )
        assert "Next update due" in screen.query_one("#queue-title", Static).render().plain
        # Updating the customer takes the case out of the view.
        app.backend.desk.update(first.ref, "We are still working on it.")
        screen.refresh_in_place()
        await settle(pilot)
        assert first.ref not in [r.ref for r in table.rows]
        # `[` / `]` go round: back to All open.
        await pilot.press("]")
        await settle(pilot)
        assert screen.query_state.view is VIEW_ORDER[0]


async def test_the_palette_reaches_next_update_due(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "View: Next update")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_state.view is QueueView.NEXT_UPDATE


# ---- search everywhere --------------------------------------------------------------------------
async def test_ctrl_t_searches_everywhere_and_says_so(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 40)) as pilot:
        done = new_case(app, subject="Zebracorn invoice resolved")
        app.backend.desk.acknowledge(done.ref)
        app.backend.desk.resolve(done.ref, "Refunded.", "Billing error")
        open_one = new_case(app, subject="Zebracorn invoice still open")
        sue = new_case(app, take=False, subject="Zebracorn secret", confidential=True)
        await settle(pilot)
        screen = app.screen
        await pilot.press("/")
        scope = screen.query_one("#search-scope", Static)
        key = keys_for(screen, "queue.search_scope")  # as the terminal shows it: ^t
        assert key and f"This view ({key}: everywhere)" in scope.render().plain
        await type_text(pilot, "zebracorn")
        await pilot.press("enter")
        await settle(pilot)
        table = screen.query_one(QueueTable)
        assert [r.ref for r in table.rows] == [open_one.ref]  # All open: not the resolved one
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert screen.query_state.everywhere
        assert "Everywhere" in scope.render().plain
        assert screen.query_one("#queue-title", Static).render().plain.startswith(" Everywhere")
        found = [r.ref for r in table.rows]
        assert found == [open_one.ref, done.ref]  # the resolved case too, after the open one
        # An agent never finds another agent's confidential case (the supervisor made it and
        # gave it to nobody: only supervisors and managers see it).
        assert sue.ref not in found
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "This view" in scope.render().plain
        assert [r.ref for r in table.rows] == [open_one.ref]


async def test_the_key_that_clears_the_search_is_named_as_bound(make_app, tui_ctx):
    """The search's hint names the clearing key from its binding: esc by default, and whatever
    the settings' keymap moves it to (then esc no longer clears)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("/")
        search = app.screen.query_one("#search", Input)
        assert search.placeholder == "Search ref, customer, subject, description (esc clears)"
    tui_ctx.settings = replace(
        tui_ctx.settings, ui=replace(tui_ctx.settings.ui, keys={"queue.clear_search": "ctrl+l"})
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        case = new_case(app, subject="Zebracorn outage")
        await settle(pilot)
        screen = app.screen
        await pilot.press("/")
        search = screen.query_one("#search", Input)
        assert search.placeholder.endswith("(^l clears)"), search.placeholder
        await type_text(pilot, "zebracorn")
        await pilot.press("enter")
        await settle(pilot)
        assert [r.ref for r in screen.query_one(QueueTable).rows] == [case.ref]
        await pilot.press("escape")
        await settle(pilot)
        assert screen.query_state.search == "zebracorn"
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert screen.query_state.search == "" and not screen.query_one("#search-bar").display


# ---- go to ref ----------------------------------------------------------------------------------
async def test_colon_opens_a_case_by_its_ref(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        case = new_case(app, subject="Go to me")
        await settle(pilot)
        await pilot.press("colon")
        await settle(pilot)
        assert isinstance(app.screen, GotoRefScreen)
        await type_text(pilot, case.ref.lower())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert app.screen.ref == case.ref and app.screen.detail is not None


async def test_an_unknown_or_hidden_ref_says_so_in_one_sentence_and_changes_nothing(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        supervisor = CaseDesk(app.backend.ctx, actor_named(app.backend.ctx, "anh.vo"))
        secret = supervisor.create(
            IntakeDraft(
                customer="hidden.co",
                services=["VPS"],
                channel="email",
                subject="Confidential matter",
                description="Not for every agent.",
                confidential=True,
            )
        )
        stack = list(app.screen_stack)
        await pilot.press("colon")
        await type_text(pilot, "C-2026-99999")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GotoRefScreen)
        error = app.screen.query_one("#goto-error", Static)
        assert error.display and error.render().plain == "No case 'C-2026-99999'."
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, secret.ref)
        assert not error.display  # typing again clears the old sentence
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, GotoRefScreen)
        sentence = error.render().plain
        assert error.display and secret.ref in sentence and sentence.endswith(".")
        assert "\n" not in sentence
        await pilot.press("ctrl+a", "ctrl+k", "enter")
        await settle(pilot)
        assert error.render().plain.startswith("Type a case ref in full")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen_stack == stack
        assert isinstance(app.screen, QueueScreen)
