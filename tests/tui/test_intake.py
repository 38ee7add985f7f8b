"""IntakeScreen driven by keys: what the agent types is what the database holds, and nothing is
saved while a field is wrong.

Typing is slow to drive (the pilot waits for the app to go idle after every key), so only the
tests about typing type: the rest put a field's text in at once, as a paste does, which sends the
same Changed messages the form validates on.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select
from textual.widgets import Input, OptionList, SelectionList, Static, TextArea

from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import Unavailable
from complaint_tui.services.identity import actor_named
from complaint_tui.store.models import Case
from complaint_tui.tui.commands import screen_commands
from complaint_tui.tui.screens.case_detail import CaseDetailScreen
from complaint_tui.tui.screens.confirm import ConfirmScreen
from complaint_tui.tui.screens.escalations import EscalationScreen
from complaint_tui.tui.screens.intake import IntakeScreen, complete_path
from complaint_tui.tui.screens.queue import QueueScreen
from tests.conftest import DEFAULT_NOW, VN
from tests.tui.conftest import settle

HOSTILE = "[bold red]x[/] [link=https://evil.example]y[/link]"


def case_count(ctx) -> int:
    with ctx.db.session() as s:
        return s.scalar(select(func.count()).select_from(Case))


def newest_ref(ctx) -> str:
    with ctx.db.session() as s:
        return s.scalar(select(Case.ref).order_by(Case.id.desc()).limit(1))


async def open_intake(pilot) -> IntakeScreen:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, IntakeScreen)
    return screen


async def focus(pilot, selector: str) -> None:
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["enter" if ch == "\n" else ch for ch in text])


async def type_into(pilot, selector: str, text: str) -> None:
    await focus(pilot, selector)
    await type_text(pilot, text)


async def put(pilot, selector: str, text: str) -> None:
    """Focus a field and set its whole text at once (where typing is not what is tested)."""
    await focus(pilot, selector)
    widget = pilot.app.screen.query_one(selector)
    if isinstance(widget, TextArea):
        widget.load_text(text)
    elif isinstance(widget, Input):
        widget.value = text
        widget.cursor_position = len(text)  # where typing or pasting leaves it
    else:
        widget.value = text
    await pilot.pause()


async def choose(pilot, selector: str, option: str) -> None:
    """Open a Select with enter, type to find the option, enter to pick it."""
    await focus(pilot, selector)
    await pilot.press("enter")
    await type_text(pilot, option)
    await pilot.press("enter")
    await pilot.pause()


def error_of(screen, field: str) -> str | None:
    static = screen.query_one(f"#err-{field}", Static)
    return str(static.render()) if static.display else None


def shown_errors(screen) -> dict[str, str]:
    from complaint_tui.tui.screens.intake import FIELDS

    return {f: e for f in FIELDS if (e := error_of(screen, f))}


def list_lines(screen, selector: str) -> list[str]:
    listing = screen.query_one(selector, OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def fill_minimum(pilot, *, customer: str = "kh-20931") -> None:
    """The required fields, in screen order, each left for the next as the agent would."""
    await put(pilot, "#in-customer", customer)
    await put(pilot, "#in-channel", "email")
    await focus(pilot, "#in-services")
    pilot.app.screen.query_one("#in-services", SelectionList).select("VPS")
    await put(pilot, "#in-subject", "Site down")
    await put(pilot, "#in-description", "It is down.")


# ---- saving ----------------------------------------------------------------------------------
async def test_every_field_typed_is_saved(make_app, tui_ctx, tmp_path, monkeypatch):
    payload = b"kernel: panic\x00\xff binary ok\n"
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "panic.log").write_bytes(payload)
    monkeypatch.chdir(tmp_path)  # a relative path is read from the working directory
    app = make_app("lan.nguyen")
    before = case_count(tui_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        assert screen.focused is screen.query_one("#in-customer")
        await type_text(pilot, "kh-20931")
        await choose(pilot, "#in-channel", "phone")
        await type_into(pilot, "#in-received", "2026-11-24 09:15")
        await focus(pilot, "#in-services")
        await pilot.press("space", "down", "down", "down", "down", "space")  # VPS and DNS
        await type_into(pilot, "#in-subject", "VPS rebooted twice")
        await type_into(pilot, "#in-description", "Rebooted at 8.\nAnd at 14:30.")
        await type_into(pilot, "#in-event", "2026-11-23 14:30 second reboot")
        await pilot.press("enter")
        await type_text(pilot, "2026-11-23T08:00+07:00 first reboot")
        await pilot.press("ctrl+t")
        assert list_lines(screen, "#in-events") == [
            "Mon 2026-11-23 08:00  first reboot",
            "Mon 2026-11-23 14:30  second reboot",
        ]
        await type_into(pilot, "#in-attach", "logs/panic.log")
        await pilot.press("enter")
        await settle(pilot)
        assert list_lines(screen, "#in-attachments")[0].startswith("panic.log  ")
        await type_into(pilot, "#in-desired", "A credit for the downtime")
        await choose(pilot, "#in-priority", "high")
        await choose(pilot, "#in-category", "Outage")
        await focus(pilot, "#in-confidential")
        await pilot.press("space")
        assert shown_errors(screen) == {}
        await pilot.press("ctrl+s")
        await settle(pilot)
        # confidential and not assigned to this agent: recorded, but not opened for them
        assert isinstance(app.screen, QueueScreen)
        ref = newest_ref(tui_ctx)
        assert any(f"{ref} recorded" in n.message for n in app._notifications)

    assert case_count(tui_ctx) == before + 1
    desk = CaseDesk(tui_ctx, actor_named(tui_ctx, "anh.vo"))
    detail = desk.get(ref)
    s = detail.summary
    assert s.customer == "kh-20931"
    assert s.services == ("VPS", "DNS")
    assert s.channel == "phone"
    assert s.subject == "VPS rebooted twice"
    assert detail.description == "Rebooted at 8.\nAnd at 14:30."
    assert detail.desired_outcome == "A credit for the downtime"
    assert s.priority == "high"
    assert s.category == "Outage"
    assert s.confidential is True
    assert s.received_at == datetime(2026, 11, 24, 9, 15, tzinfo=VN)
    assert [(e.at, e.note) for e in detail.reported_events] == [
        (datetime(2026, 11, 23, 8, 0, tzinfo=VN), "first reboot"),
        (datetime(2026, 11, 23, 14, 30, tzinfo=VN), "second reboot"),
    ]
    [att] = detail.attachments
    assert (att.name, att.size) == ("panic.log", len(payload))
    assert att.sha256 == hashlib.sha256(payload).hexdigest()
    assert desk.attachment_data(ref, att.id)[1] == payload


async def test_saving_opens_the_new_case_and_defaults_apply(make_app, tui_ctx):
    app = make_app("lan.nguyen")
    before = case_count(tui_ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_intake(pilot)
        await fill_minimum(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        ref = newest_ref(tui_ctx)
        assert isinstance(app.screen, CaseDetailScreen) and app.screen.ref == ref
        assert not any(isinstance(s, IntakeScreen) for s in app.screen_stack)
    assert case_count(tui_ctx) == before + 1
    detail = app.backend.desk.get(ref)
    assert detail.summary.received_at == DEFAULT_NOW
    assert detail.summary.priority == "normal"
    assert detail.summary.category is None
    assert detail.summary.confidential is False
    assert detail.summary.services == ("VPS",)
    assert detail.reported_events == () and detail.attachments == ()


async def test_tab_and_shift_tab_walk_the_fields_in_order(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        order = []
        for _ in range(12):
            order.append(screen.focused.id)
            await pilot.press("tab")
        assert order == [
            "in-customer",
            "in-channel",
            "in-received",
            "in-services",
            "in-subject",
            "in-description",
            "in-event",
            "in-attach",
            "in-desired",
            "in-priority",
            "in-category",
            "in-confidential",
        ]
        await pilot.press("shift+tab")
        assert screen.focused.id == "in-confidential"
        await pilot.press("shift+tab", "shift+tab")
        assert screen.focused.id == "in-priority"


# ---- validation ------------------------------------------------------------------------------
async def test_missing_required_fields_are_shown_next_to_them_and_nothing_is_saved(
    make_app, tui_ctx
):
    app = make_app("lan.nguyen")
    before = case_count(tui_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        assert shown_errors(screen) == {}  # nothing is wrong before the agent has done anything
        await pilot.press("ctrl+s")
        await settle(pilot)
        errors = shown_errors(screen)
        assert set(errors) == {"customer", "channel", "services", "subject", "description"}
        assert errors["customer"].startswith("customer:")
        assert errors["services"].startswith("services:")
        assert screen.focused.id == "in-customer"
        assert "Not saved" in str(screen.query_one("#intake-status", Static).render())
        # fixing a field clears its message at once, the others stay
        await type_text(pilot, "kh-1")
        assert "customer" not in shown_errors(screen)
        assert "subject" in shown_errors(screen)
        assert isinstance(app.screen, IntakeScreen)
    assert case_count(tui_ctx) == before


async def test_a_field_is_checked_when_the_agent_leaves_it(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await type_text(pilot, "x")
        assert error_of(screen, "customer") is None  # not while typing the first letters
        await pilot.press("tab")
        await pilot.pause()
        assert "2-64 letters" in error_of(screen, "customer")
        assert error_of(screen, "channel") is None  # the next field is not judged yet
        await focus(pilot, "#in-customer")
        await pilot.press("end", "y")
        assert screen.query_one("#in-customer", Input).value == "xy"
        assert error_of(screen, "customer") is None


async def test_a_key_revalidates_only_the_field_it_changed(make_app, monkeypatch):
    """A key in a field not yet left validates nothing; in a judged field it re-checks the form
    once and redraws that field's message only (the others cannot change)."""
    from complaint_tui.tui.screens import intake

    checks = []
    real = intake.validate_intake
    monkeypatch.setattr(intake, "validate_intake", lambda *a: checks.append(1) or real(*a))
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        checks.clear()
        await type_text(pilot, "kh-2093")
        assert checks == []  # nothing is judged while typing into a fresh field
        await pilot.press("tab")  # leaving it judges it
        await pilot.pause()
        assert error_of(screen, "customer") is None
        await focus(pilot, "#in-customer")
        await pilot.pause()  # the blur of the field left behind is judged before counting
        redrawn = []
        monkeypatch.setattr(screen, "query_one", _recording(screen.query_one, redrawn))
        checks.clear()
        await pilot.press("end", "!", "backspace")
        assert len(checks) == 2  # one check per key
        assert {s for s in redrawn if s.startswith("#err-")} == {"#err-customer"}
        assert error_of(screen, "customer") is None


def _recording(query_one, seen: list[str]):
    def recorded(selector, *args, **kwargs):
        seen.append(selector if isinstance(selector, str) else repr(selector))
        return query_one(selector, *args, **kwargs)

    return recorded


async def test_bad_dates_are_refused(make_app, tui_ctx):
    app = make_app("lan.nguyen")
    before = case_count(tui_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await fill_minimum(pilot)
        await put(pilot, "#in-received", "2026-13-40 25:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert set(shown_errors(screen)) == {"received_at"}
        assert screen.focused.id == "in-received"
        # in the future
        await put(pilot, "#in-received", "2026-11-25 10:01")
        await pilot.press("tab")
        await pilot.pause()
        assert "future" in error_of(screen, "received_at")
        await focus(pilot, "#in-received")
        await pilot.press("ctrl+u")
        assert error_of(screen, "received_at") is None
        # events: no time, no note, in the future
        for bad, words in (
            ("yesterday the server died", "start with the date and time"),
            ("2026-11-20 14:30", "say what happened"),
            ("2026-11-26 09:00 tomorrow", "future"),
            ("2026-02-30 09:00 no such day", "start with the date and time"),
            ("0001-01-01 00:00 long ago", "outside the years 2000 to 2099"),
        ):
            await put(pilot, "#in-event", bad)
            await pilot.press("enter")
            assert words in error_of(screen, "events"), bad
            assert screen.events_list == []
            assert screen.query_one("#in-event", Input).value == bad  # kept for correcting
            await pilot.press("ctrl+u")
            assert error_of(screen, "events") is None
        # a typed but not added bad event stops the save too
        await put(pilot, "#in-event", "soon")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert set(shown_errors(screen)) == {"events"}
        assert isinstance(app.screen, IntakeScreen)
    assert case_count(tui_ctx) == before


async def test_events_can_be_removed(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        for event in ("2026-11-20 10:00 one", "2026-11-21 10:00 two", "2026-11-22 10:00 three"):
            await put(pilot, "#in-event", event)
            await pilot.press("enter")
        await focus(pilot, "#in-events")
        await pilot.press("home", "down")
        await pilot.press("ctrl+r")
        assert [e.note for e in screen.events_list] == ["one", "three"]
        assert len(list_lines(screen, "#in-events")) == 2


async def test_oversize_attachment_is_refused_before_saving(
    make_app, tui_ctx, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    settings = tui_ctx.settings
    tui_ctx.settings = replace(settings, intake=replace(settings.intake, max_attachment_bytes=100))
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 101)
    ok = tmp_path / "ok.txt"
    ok.write_bytes(b"y" * 100)
    app = make_app("lan.nguyen")
    before = case_count(tui_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await fill_minimum(pilot)
        await put(pilot, "#in-attach", big.name)
        await pilot.press("enter")
        await settle(pilot)
        assert "over the 100-byte limit" in error_of(screen, "attachments")
        assert screen.attachments == []
        await pilot.press("ctrl+s")  # the path is still typed: not saved
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert case_count(tui_ctx) == before
        # not a file
        await put(pilot, "#in-attach", "missing.txt")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "'missing.txt' cannot be read" in error_of(screen, "attachments")
        # a file at the limit is fine; attaching it twice is not
        for _ in range(2):
            await put(pilot, "#in-attach", ok.name)
            await pilot.press("enter")
            await settle(pilot)
        assert "already attached" in error_of(screen, "attachments")
        await pilot.press("ctrl+u")
        assert [a.name for _p, a in screen.attachments] == ["ok.txt"]
        assert list_lines(screen, "#in-attachments") == ["ok.txt  100 B  text/plain"]
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert case_count(tui_ctx) == before + 1
    detail = app.backend.desk.get(newest_ref(tui_ctx))
    assert [(a.name, a.size) for a in detail.attachments] == [("ok.txt", 100)]


async def test_attachment_can_be_removed(make_app, tmp_path, monkeypatch):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(name)
    monkeypatch.chdir(tmp_path)
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        for name in ("a.txt", "b.txt"):
            await put(pilot, "#in-attach", name)
            await pilot.press("enter")
            await settle(pilot)
        await focus(pilot, "#in-attachments")
        await pilot.press("home")
        await pilot.press("ctrl+l")
        assert [a.name for _p, a in screen.attachments] == ["b.txt"]


async def test_path_completion_suggests_from_the_filesystem(make_app, tmp_path, monkeypatch):
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "screenshot-01.png").write_bytes(b"png")
    (tmp_path / "evidence" / "screenshot-02.png").write_bytes(b"png")
    (tmp_path / "evidence" / ".hidden").write_bytes(b"h")
    base = str(tmp_path)
    assert complete_path(f"{base}/evi") == f"{base}/evidence/"
    assert complete_path(f"{base}/evidence/scr") == f"{base}/evidence/screenshot-0"
    assert complete_path(f"{base}/evidence/screenshot-0") == f"{base}/evidence/screenshot-01.png"
    assert complete_path(f"{base}/evidence/") == f"{base}/evidence/screenshot-0"
    assert complete_path(f"{base}/evidence/.h") == f"{base}/evidence/.hidden"
    assert complete_path(f"{base}/nothing-here") is None
    assert complete_path(f"{base}/evidence/screenshot-02.png") is None

    monkeypatch.chdir(tmp_path)
    assert complete_path("ev") == "evidence/"
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await type_into(pilot, "#in-attach", "ev")
        await settle(pilot)
        await pilot.press("right")  # accept the suggestion
        await settle(pilot)
        await pilot.press("right")  # the part both screenshots share
        await type_text(pilot, "2")
        await settle(pilot)
        await pilot.press("right")
        assert screen.query_one("#in-attach", Input).value == "evidence/screenshot-02.png"
        await pilot.press("enter")
        await settle(pilot)
        assert [a.name for _p, a in screen.attachments] == ["screenshot-02.png"]
        assert screen.attachments[0][1].content_type == "image/png"


# ---- failures --------------------------------------------------------------------------------
async def test_failed_save_keeps_everything_typed(make_app, tui_ctx, monkeypatch):
    app = make_app("lan.nguyen")
    before = case_count(tui_ctx)

    def gone(draft: IntakeDraft):
        raise Unavailable("The database did not answer: unable to open database file.")

    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await fill_minimum(pilot)
        await put(pilot, "#in-event", "2026-11-20 10:00 it broke")
        await pilot.press("enter")
        monkeypatch.setattr(app.backend.desk, "create", gone)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        status = str(screen.query_one("#intake-status", Static).render())
        assert status == "The database did not answer: unable to open database file."
        assert screen.query_one("#in-customer", Input).value == "kh-20931"
        assert screen.query_one("#in-description", TextArea).text == "It is down."
        assert [e.note for e in screen.events_list] == ["it broke"]
        # the database is back: the same form saves
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, IntakeScreen)
    assert case_count(tui_ctx) == before + 1


async def test_service_field_errors_are_shown_next_to_their_fields(make_app, tui_ctx, monkeypatch):
    from complaint_tui.domain.intake import FieldError
    from complaint_tui.services.errors import ValidationFailed

    def refuse(draft: IntakeDraft):
        raise ValidationFailed(
            [FieldError("subject", "subject: already used today."), FieldError("x", "other.")]
        )

    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await fill_minimum(pilot)
        monkeypatch.setattr(app.backend.desk, "create", refuse)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert shown_errors(screen) == {"subject": "subject: already used today."}
        assert "other." in str(screen.query_one("#intake-status", Static).render())
        assert screen.focused.id == "in-subject"
        await pilot.press("end", "!")
        assert shown_errors(screen) == {}


# ---- leaving ---------------------------------------------------------------------------------
async def test_escape_asks_before_dropping_typed_text(make_app, tui_ctx):
    app = make_app("lan.nguyen")
    before = case_count(tui_ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await type_text(pilot, "kh-9")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#in-customer", Input).value == "kh-9"
        await focus(pilot, "#in-services")  # a list: the app's one-letter keys must not leak
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    assert case_count(tui_ctx) == before


async def test_escape_on_an_untouched_form_just_closes_it(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_intake(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_app_keys_on_a_list_do_not_drop_the_form(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await type_text(pilot, "kh-9")
        await focus(pilot, "#in-services")
        await pilot.press("n")
        assert app.screen is screen
        await pilot.press("1")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is screen and app.is_running
        await pilot.press("4")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("2", "y")
        await settle(pilot)
        assert isinstance(app.screen, EscalationScreen)
        assert [type(s) for s in app.screen_stack[1:]] == [QueueScreen, EscalationScreen]


async def test_q_on_the_form_asks_before_going_back(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_intake(pilot)
        await type_text(pilot, "kh-9")
        await focus(pilot, "#in-confidential")
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, QueueScreen)


async def test_ctrl_q_on_the_form_asks_before_quitting(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_intake(pilot)
        await type_text(pilot, "kh-9")
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question.startswith("Quit")
        await pilot.press("n")
        assert app.is_running and isinstance(app.screen, IntakeScreen)
        await pilot.press("ctrl+q", "y")
        await settle(pilot)
        assert not app.is_running


# ---- hostile text ----------------------------------------------------------------------------
async def test_hostile_text_is_stored_verbatim_and_shown_literally(make_app, tui_ctx):
    app = make_app("lan.nguyen")
    subject = f"{HOSTILE} \x1b[31mred\x1b[0m"
    description = f"{HOSTILE}\n\x1b]8;;https://evil.example\x07click\x1b]8;;\x07 Nguyễn\x00 end"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_intake(pilot)
        await fill_minimum(pilot)
        await focus(pilot, "#in-subject")
        subject_input = screen.query_one("#in-subject", Input)
        subject_input.value = ""
        subject_input.insert_text_at_cursor(subject)
        await focus(pilot, "#in-description")
        area = screen.query_one("#in-description", TextArea)
        area.clear()
        area.insert(description)
        await put(pilot, "#in-event", f"2026-11-20 10:00 {HOSTILE}")
        await pilot.press("enter")
        await pilot.pause()
        # the list shows the note literally, not as markup
        assert list_lines(screen, "#in-events") == [f"Fri 2026-11-20 10:00  {HOSTILE}"]
        rendered = "".join(s.text for s in screen.query_one("#in-events").render_line(0))
        assert HOSTILE in rendered
        # and no escape sequence reaches the terminal from the inputs
        lines = app.screen._compositor.render_update(full=True).render_segments(app.console)
        assert "\x1b[31mred" not in lines and "\x1b]8;;https://evil" not in lines
        assert "[31mred" in lines
        await pilot.press("ctrl+s")
        await settle(pilot)
    detail = app.backend.desk.get(newest_ref(tui_ctx))
    assert detail.summary.subject == subject
    assert detail.description == description.replace("\x00", "")
    assert detail.reported_events[0].note == HOSTILE


async def test_the_palette_offers_the_form_actions(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        titles = [c.title for c in screen_commands(screen)]
        assert "New complaint: Save" in titles and "New complaint: Attach file" in titles
        await type_text(pilot, "kh-9")
        [cancel] = [c for c in screen_commands(screen) if c.title.endswith("Cancel")]
        await cancel.run()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
