"""Every "drop what you typed?" question is the one ConfirmScreen, and `enter` there keeps the
text: a reflex enter must never lose a complaint (it did on the intake form)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Input, Static, TextArea

from complaint_tui.tui.screens.action_form import ActionForm
from complaint_tui.tui.screens.case_detail import CaseDetailScreen
from complaint_tui.tui.screens.confirm import ConfirmScreen
from complaint_tui.tui.screens.intake import IntakeScreen
from complaint_tui.tui.screens.queue import QueueScreen
from tests.tui.conftest import settle
from tests.tui.fixtures import new_case, open_case


async def intake_with_text(app, pilot):
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, IntakeScreen)
    screen.query_one("#in-customer", Input).value = "kh-20931"
    await pilot.pause()
    return screen, lambda: screen.query_one("#in-customer", Input).value


async def note_form_with_text(app, pilot):
    await settle(pilot)
    await open_case(app, pilot, new_case(app).ref)
    await pilot.press("c")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ActionForm)
    screen.query_one("#f-text", TextArea).load_text("half a thought")
    await pilot.pause()
    return screen, lambda: screen.query_one("#f-text", TextArea).text


FORMS = [
    pytest.param(intake_with_text, "kh-20931", QueueScreen, id="intake"),
    pytest.param(note_form_with_text, "half a thought", CaseDetailScreen, id="action-form"),
]


@pytest.mark.parametrize(("open_form", "typed", "underneath"), FORMS)
async def test_enter_on_the_discard_question_keeps_the_text(make_app, open_form, typed, underneath):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        form, text = await open_form(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen) is ConfirmScreen
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form and text() == typed
        # n and esc keep it too; only y drops it
        for key in ("n", "escape"):
            await pilot.press("escape")
            await pilot.pause()
            assert type(app.screen) is ConfirmScreen
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is form and text() == typed
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, underneath)


async def test_the_question_names_the_keys_as_bound_now(make_app, tui_ctx):
    tui_ctx.settings = replace(
        tui_ctx.settings, ui=replace(tui_ctx.settings.ui, keys={"confirm.yes": "d"})
    )
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        form, text = await intake_with_text(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        hint = str(app.screen.query_one("#confirm-hint", Static).render())
        assert hint == "d: drop it   ·   n / esc / ⏎: keep editing"
        await pilot.press("y")  # no longer bound: nothing happens
        await pilot.pause()
        assert type(app.screen) is ConfirmScreen
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
