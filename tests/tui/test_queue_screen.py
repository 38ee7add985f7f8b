"""QueueScreen behaviour driven by keys; each test checks what the database or screen shows."""

from __future__ import annotations

from complaint_tui.services.queue import QueueView
from complaint_tui.tui.screens.queue import QueueScreen
from complaint_tui.tui.widgets.queue_table import QueueTable
from tests.tui.conftest import SEED_CASES, settle


async def test_queue_opens_most_urgent_first(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        table = screen.query_one(QueueTable)
        assert table.rows, "the queue shows rows"
        keys = [app.backend.queue.key_of(screen.query_state, r) for r in table.rows]
        assert keys == sorted(keys)
        assert table.total == screen.counts.views[QueueView.ALL_OPEN]


async def test_j_k_g_G_move_the_cursor(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        first = table.current()
        await pilot.press("j", "j")
        assert table.cursor == 2
        await pilot.press("k")
        assert table.cursor == 1
        await pilot.press("G")
        await settle(pilot)
        assert table.current().id != first.id
        assert table.position_text().startswith(f"{table.total:,} /")
        await pilot.press("g")
        await settle(pilot)
        assert table.current().id == first.id


async def test_views_switch_with_brackets(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("]")
        await settle(pilot)
        assert screen.query_state.view is QueueView.WAITING
        table = screen.query_one(QueueTable)
        assert all(r.status.value == "waiting_on_customer" for r in table.rows)
        await pilot.press("[", "[")
        await settle(pilot)
        assert screen.query_state.view is QueueView.UNASSIGNED
        assert all(r.assignee is None for r in screen.query_one(QueueTable).rows)


async def test_take_next_assigns_the_most_urgent_unassigned_case(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        expected = app.backend.queue.first(
            app.screen.query_state.with_view(QueueView.UNASSIGNED), 1
        ).rows
        await pilot.press("t")
        await settle(pilot)
        detail = app.backend.desk.get(expected[0].ref)
        assert detail.summary.assignee == "lan.nguyen"


async def test_search_narrows_the_queue(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("/")
        for ch in "vps":
            await pilot.press(ch)
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        assert 0 < (table.total or 0) < SEED_CASES
        found = {r.ref for r in table.rows}
        # The same search through the service gives the same cases: the screen shows its result.
        expected = app.backend.queue.first(app.screen.query_state, 100).rows
        assert found == {r.ref for r in expected}
        await pilot.press("/", "ctrl+a", "z", "z", "q", "enter")
        await settle(pilot)
        assert app.screen.query_one(QueueTable).rows == []


async def test_palette_switches_view(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "View: Waiting":
            await pilot.press("space" if ch == " " else ch)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_state.view is QueueView.WAITING


async def test_keymap_from_settings_remaps_a_binding(make_app, tui_ctx):
    from dataclasses import replace

    tui_ctx.settings = replace(
        tui_ctx.settings, ui=replace(tui_ctx.settings.ui, keys={"queue.next_view": "v"})
    )
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert app.screen.query_state.view is QueueView.WAITING


async def test_notifications_never_read_markup(make_app):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.notify("Attachment [bold red]x[/] \x1b[31mred")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages[-1] == "Attachment [bold red]x[/] red"
        assert all(not n.markup for n in app._notifications)
