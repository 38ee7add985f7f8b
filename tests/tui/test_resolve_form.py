"""The resolve form (R): the root cause is chosen from the configured list, or "Other" opens a
line for what it was; keyboard only, and what is stored is what the service stores for the CLI."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from complaint_tui.domain.enums import Status
from complaint_tui.domain.settings import DEFAULT_ROOT_CAUSES
from complaint_tui.tui.screens.action_form import OTHER_CHOICE, ActionForm
from tests.tui.conftest import settle
from tests.tui.fixtures import new_case, open_case


async def type_text(pilot, text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def open_resolve_form(app, pilot):
    case = new_case(app)
    app.backend.desk.start(case.ref)
    await open_case(app, pilot, case.ref)
    await pilot.press("R")
    await pilot.pause()
    assert isinstance(app.screen, ActionForm) and app.screen.spec.action == "resolve"
    await type_text(pilot, "Host replaced")
    await pilot.press("tab")  # to the root cause select
    assert app.screen.focused is app.screen.query_one("#f-root_cause", Select)
    return case


async def pick(pilot, steps: int) -> None:
    """Open the focused select with enter, go `steps` options down from the prompt, pick."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*(["down"] * steps), "enter")
    await pilot.pause()


async def test_the_root_cause_is_picked_from_the_configured_list(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = await open_resolve_form(app, pilot)
        shown = [v for _label, v in app.screen.query_one("#f-root_cause", Select)._options]
        assert shown[1:] == [*DEFAULT_ROOT_CAUSES, OTHER_CHOICE]  # after the blank prompt
        assert not app.screen.query_one("#f-root_cause-other", Input).display
        await pick(pilot, 5)  # the fifth cause
        await pilot.press("ctrl+s")
        await settle(pilot)
        after = app.backend.desk.get(case.ref)
        assert after.status is Status.RESOLVED
        assert after.outcome == "Host replaced"
        assert after.root_cause == DEFAULT_ROOT_CAUSES[4]


async def test_other_opens_a_line_and_stores_other_with_the_typed_text(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = await open_resolve_form(app, pilot)
        await pick(pilot, len(DEFAULT_ROOT_CAUSES) + 1)  # the last option: Other
        line = app.screen.query_one("#f-root_cause-other", Input)
        assert line.display and app.screen.focused is line  # the cursor is on the new line

        await pilot.press("ctrl+s")  # nothing typed yet: refused at the field, nothing saved
        await settle(pilot)
        assert isinstance(app.screen, ActionForm)
        error = str(app.screen.query_one("#err-root_cause", Static).render())
        assert "Type what it was" in error
        assert app.backend.desk.get(case.ref).status is Status.INVESTIGATING

        await type_text(pilot, "expired card on file")
        await pilot.press("ctrl+s")
        await settle(pilot)
        after = app.backend.desk.get(case.ref)
        assert after.status is Status.RESOLVED
        assert after.root_cause == "Other: expired card on file"


async def test_choosing_a_listed_cause_again_hides_the_other_line(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = await open_resolve_form(app, pilot)
        await pick(pilot, len(DEFAULT_ROOT_CAUSES) + 1)
        await type_text(pilot, "something else")
        await pilot.press("shift+tab")  # back to the select
        await pilot.press("enter")  # it opens on the current option, Other
        await pilot.pause()
        await pilot.press("up", "enter")  # the last listed cause
        await pilot.pause()
        assert not app.screen.query_one("#f-root_cause-other", Input).display
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.backend.desk.get(case.ref).root_cause == DEFAULT_ROOT_CAUSES[-1]
