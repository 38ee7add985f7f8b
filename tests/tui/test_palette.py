"""The command palette (ctrl+p) as the agent sees it: each action once, named with the keys that
run it now (after a keymap from the settings), and only the complaint themes."""

from __future__ import annotations

from dataclasses import replace

from textual.command import CommandList, CommandPalette

from complaint_tui.services.escalations import EscalationView
from complaint_tui.tui.screens.case_actions import CASE_ACTIONS
from complaint_tui.tui.screens.case_detail import CaseDetailScreen
from complaint_tui.tui.screens.escalations import EscalationScreen
from complaint_tui.tui.screens.intake import IntakeScreen
from tests.tui.conftest import settle
from tests.tui.fixtures import new_case, open_case

COMPLAINT_THEMES = [
    "complaint-colorblind",
    "complaint-dark",
    "complaint-high-contrast",
    "complaint-light",
]


def with_keymap(ctx, keys: dict[str, str]) -> None:
    ctx.settings = replace(ctx.settings, ui=replace(ctx.settings.ui, keys=keys))


async def palette_entries(pilot, key: str = "ctrl+p") -> list[tuple[str, str]]:
    """(title, help) of every entry the palette lists before anything is typed."""
    await pilot.press(key)
    await settle(pilot)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    listing = palette.query_one(CommandList)
    hits = [listing.get_option_at_index(i).hit for i in range(listing.option_count)]
    return [(str(hit.text), str(hit.help or "")) for hit in hits]


async def open_new_case(app, pilot) -> CaseDetailScreen:
    await settle(pilot)
    return await open_case(app, pilot, new_case(app).ref)


async def test_the_case_screen_lists_each_action_once_with_its_key(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_new_case(app, pilot)
        entries = await palette_entries(pilot)
    titles = [title for title, _help in entries]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
    case_titles = [t for t in titles if t.startswith("Case: ")]
    # each case action valid now once, in the keys' (workflow) order, as the footer and the
    # help offer them; no moving, scrolling or leaving
    valid = {"acknowledge", "investigate", "note", "update", "assign", "priority", "recuse"}
    assert case_titles == [f"Case: {desc}" for _k, name, desc, _s in CASE_ACTIONS if name in valid]
    helps = dict(entries)
    assert helps["Case: Acknowledge"] == f"{screen.ref} · key a"
    assert helps["Case: Investigate / resume"] == f"{screen.ref} · key i"
    assert helps["New complaint"].endswith("key n")


async def test_palette_keys_follow_the_keymap_from_the_settings(make_app, tui_ctx):
    with_keymap(
        tui_ctx, {"case.acknowledge": "K", "app.help": "f1", "queue.take": "T", "case.back": "b"}
    )
    app = make_app("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_new_case(app, pilot)
        helps = dict(await palette_entries(pilot))
    assert helps["Case: Acknowledge"] == f"{screen.ref} · key K"
    assert helps["Help: keys of this screen"].endswith("key f1")
    assert helps["Take next case"].endswith("key T")


async def test_the_intake_form_offers_its_actions_with_their_keys(make_app, tui_ctx):
    with_keymap(tui_ctx, {"intake.save": "f2"})
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        helps = dict(await palette_entries(pilot))
    assert helps["New complaint: Save"] == "key f2"
    assert helps["New complaint: Attach file"] == "key ^o"
    assert helps["New complaint: Cancel"] == "key esc"


async def test_only_the_complaint_themes_are_offered(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "textual-dark" in app.available_themes  # registered by Textual, not offered
        titles = [title for title, _help in await palette_entries(pilot)]
        assert [t for t in titles if t.startswith("Theme: ")] == [
            f"Theme: {name}" for name in COMPLAINT_THEMES
        ]
        # Textual's own theme picker ("Theme" in the palette) offers the same four
        await pilot.press("escape")
        await settle(pilot)
        app.action_change_theme()
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, CommandPalette)
        listing = picker.query_one(CommandList)
        names = [str(listing.get_option_at_index(i).hit.text) for i in range(listing.option_count)]
        assert names == COMPLAINT_THEMES
        await pilot.press("down", "down", "enter")  # the third: complaint-high-contrast
        await settle(pilot)
        assert app.theme == "complaint-high-contrast"


async def test_form_hints_show_the_keys_as_remapped(make_app, tui_ctx):
    """Issue 7 §8: no hint hard-codes a key name; a remap in [ui.keys] shows in the hints."""
    with_keymap(
        tui_ctx,
        {"form.save": "f2", "form.cancel": "f3", "filter.apply": "f4", "intake.add_event": "f5"},
    )
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_new_case(app, pilot)
        await pilot.press("c")  # internal note
        await settle(pilot)
        hint = str(app.screen.query_one("#form-hint").render())
        assert hint.startswith("f2 ") and "f3 cancel" in hint, hint
        assert "ctrl+s" not in hint and "esc" not in hint, hint
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("escape")  # back to the queue
        await settle(pilot)
        await pilot.press("f")  # the queue's filter
        await settle(pilot)
        hints = [str(s.render()) for s in app.screen.query(".form-hint")]
        assert any("f4 apply" in h and "f3" not in h for h in hints), hints
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        hints = [str(s.render()) for s in app.screen.query(".form-hint")]
        assert any(h.startswith("enter/f5 add") for h in hints), hints


async def test_the_escalation_views_are_in_the_palette(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [title for title, _help in await palette_entries(pilot)]
        assert [t for t in titles if t.startswith("Escalations: ")] == [
            "Escalations: Mine to decide",
            "Escalations: All pending",
            "Escalations: Decided",
        ]
        await pilot.press(*("space" if ch == " " else ch for ch in "Escalations Decided"))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EscalationScreen)
        assert app.screen.view is EscalationView.DECIDED
