"""CaseDetailScreen driven by keys: each test presses the keys and re-reads the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from textual.widgets import Select, Static, TextArea

from complaint_tui.domain.enums import EventKind, Status
from complaint_tui.domain.intake import AttachmentInput, EventDate, IntakeDraft
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import PermissionDenied, Unavailable
from complaint_tui.services.identity import actor_named
from complaint_tui.store.models import AccessLog
from complaint_tui.tui.commands import screen_commands
from complaint_tui.tui.messages import CasesChanged
from complaint_tui.tui.screens.action_form import ActionForm, TextViewer
from complaint_tui.tui.screens.case_detail import CaseDetailScreen, TimelineItem
from complaint_tui.tui.screens.confirm import ConfirmScreen
from complaint_tui.tui.screens.queue import QueueScreen
from complaint_tui.tui.widgets.queue_table import QueueTable
from tests.conftest import DEFAULT_NOW
from tests.tui.conftest import settle
from tests.tui.fixtures import new_case, open_case

SIZES = [(80, 24), (120, 40)]


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def type_text(pilot, text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def choose(pilot, steps: int) -> None:
    """Pick the option `steps` below the blank prompt of the focused Select."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*(["down"] * steps), "enter")
    await pilot.pause()


async def save(pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


def form_error(app) -> str:
    return str(app.screen.query_one("#form-error", Static).render())


def last_event(detail):
    return detail.timeline[-1]


# ---- opening, moving, leaving -------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
async def test_enter_opens_the_case_and_esc_goes_back(make_app, size):
    app = make_app("anh.vo")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        row = app.screen.query_one(QueueTable).current()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseDetailScreen)
        assert screen.detail.ref == row.ref
        text = screen_text(app)
        assert row.ref in text
        assert "Acknowledgement" in text and "Resolution" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_a_case_the_agent_may_not_see_is_refused_and_the_refusal_logged(make_app, tui_ctx):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        boss = CaseDesk(tui_ctx, actor_named(tui_ctx, "anh.vo"))
        secret = boss.create(
            IntakeDraft(
                customer="vip.customer",
                services=["VPS"],
                channel="phone",
                subject="Board member's server",
                description="confidential details",
                confidential=True,
            )
        )
        app.open_case(secret.ref)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseDetailScreen) and screen.detail is None
        text = screen_text(app)
        assert "cannot be shown" in text and "confidential details" not in text
        with tui_ctx.db.session() as s:
            refused = s.scalars(
                select(AccessLog).where(
                    AccessLog.case_ref == secret.ref, AccessLog.actor == "lan.nguyen"
                )
            ).all()
        assert [(r.action, r.allowed) for r in refused] == [("view", False)]
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is screen, "no form without a case"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_header_shows_every_clock_in_local_time_and_the_confidential_mark(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app, confidential=True, priority="high")
        app.backend.desk.start(case.ref)
        app.backend.desk.resolve(case.ref, "Restarted the VPS.", "Software defect")
        app.backend.desk.reopen(case.ref, "Down again.")  # resolved once: escalation applies
        app.backend.desk.escalate(case.ref, "I want a supervisor.")
        screen = await open_case(app, pilot, case.ref)
        text = screen_text(app)
        assert "CONFIDENTIAL" in text
        assert "priority high" in text
        lines = text.split("\n")
        assert "CONFIDENTIAL" in lines[0] and "L1 review pending" in lines[0]
        assert lines[3].strip() == "VPS unreachable since the morning", "the header never wraps"
        # 10:00 Wednesday local: acknowledged now, resolution 5 business days on, at 17:00 local.
        assert "Acknowledgement" in text and "met" in text
        assert "Resolution        due Wed 2026-12-02 17:00" in text
        assert "Next update       due Fri 2026-11-27 17:00" in text
        assert "Escalation review due Fri 2026-11-27 17:00" in text
        assert len(screen.detail.clocks) == 4


async def test_clocks_recolour_on_tick_without_reloading(make_app, tui_ctx):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        screen = await open_case(app, pilot, case.ref)
        assert "○ 1d left" in screen_text(app)
        tui_ctx.clock.advance(timedelta(days=1, hours=5, minutes=30))  # Thu 15:30: 1.5h left
        screen.tick()
        await pilot.pause()
        assert "▲ 1h left" in screen_text(app)
        tui_ctx.clock.advance(timedelta(days=1))
        app._tick()
        await pilot.pause()
        assert "✖" in screen_text(app)


async def test_j_k_and_page_keys_scroll_the_body(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app, description="\n".join(f"line {i}" for i in range(200)))
        screen = await open_case(app, pilot, case.ref)
        body = screen.query_one("#case-body")
        assert body.scroll_y == 0
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert body.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert body.scroll_y == 2
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 10
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        assert body.scroll_y < body.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert body.scroll_y == 0


async def test_question_mark_lists_the_case_keys(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for words in ("Acknowledge", "Investigate / resume", "Assign", "Back"):
            assert words in text
        # a new case cannot be resolved yet, and nothing awaits a decision
        for words in ("Resolve", "Decide escalation", "Extend deadline"):
            assert words not in text


async def test_the_palette_offers_the_case_actions(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        case = new_case(app)
        screen = await open_case(app, pilot, case.ref)
        titles = [c.title for c in screen_commands(screen)]
        assert "Case: Acknowledge" in titles and "Case: Internal note" in titles
        assert "Case: Resolve" not in titles  # a new case is acknowledged or investigated first
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Case: Internal")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionForm)
        assert app.screen.spec.action == "note"


async def test_a_change_by_another_agent_appears_without_a_key(make_app, tui_ctx):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        screen = await open_case(app, pilot, case.ref)
        other = CaseDesk(tui_ctx, actor_named(tui_ctx, "anh.vo"))  # a supervisor: any case
        other.set_priority(case.ref, "critical")
        screen.post_message(CasesChanged())  # what the change watcher sends
        await settle(pilot)
        assert screen.detail.summary.priority == "critical"
        assert "priority critical" in screen_text(app)


async def test_a_save_refreshes_the_queue_underneath(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = app.screen
        refreshed = []
        original = queue.refresh_in_place
        queue.refresh_in_place = lambda: (refreshed.append(True), original())
        case = new_case(app, take=False)
        await open_case(app, pilot, case.ref)
        await pilot.press("A")
        await settle(pilot)
        await choose(pilot, 1)  # take it myself
        await save(pilot)
        assert refreshed, "the queue re-reads its rows after a save"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is queue


# ---- every case key ---------------------------------------------------------------------------
async def test_a_acknowledges_with_a_message(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ActionForm)
        await type_text(pilot, "Thanks, we are on it.")
        await save(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        after = app.backend.desk.get(case.ref)
        assert after.status is Status.ACKNOWLEDGED
        assert after.acknowledged_at is not None
        event = last_event(after)
        assert event.kind is EventKind.ACKNOWLEDGED and event.text == "Thanks, we are on it."
        assert "Thanks, we are on it." in screen_text(app) or any(
            "Thanks, we are on it." in str(item.render()) for item in app.screen.query(TimelineItem)
        )


async def test_a_is_refused_at_once_when_the_workflow_forbids_it(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        app.backend.desk.start(case.ref)
        await open_case(app, pilot, case.ref)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen), "no form for an impossible transition"
        assert app.backend.desk.get(case.ref).status is Status.INVESTIGATING


async def test_a_case_not_theirs_is_refused_at_once_in_the_services_words(make_app):
    """An agent pressing a key on an unassigned case, or on a colleague's, gets no form: the
    sentence the service would refuse the save with, at once (and may take the free one)."""
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        free = new_case(app, take=False)
        theirs = new_case(app, take=False)
        CaseDesk(app.backend.ctx, actor_named(app.backend.ctx, "anh.vo")).assign(
            theirs.ref, "minh.tran"
        )
        for case, says in (
            (free, "is unassigned; assign it to yourself first"),
            (theirs, "is assigned to someone else"),
        ):
            await open_case(app, pilot, case.ref)
            for key in ("c", "a", "i"):  # note, acknowledge, investigate
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, CaseDetailScreen), (case.ref, key)
                messages = [n.message for n in app._notifications]
                assert any(says in m and case.ref in m for m in messages), (key, messages)
                app.clear_notifications()
            await pilot.press("escape")
            await settle(pilot)
        assert len(app.backend.desk.get(free.ref).timeline) == len(free.timeline)
        await open_case(app, pilot, free.ref)
        await pilot.press("A")  # taking it is allowed: the form opens
        await settle(pilot)
        assert isinstance(app.screen, ActionForm)


async def test_i_starts_investigating_a_new_case(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("i")
        await pilot.pause()
        await save(pilot)
        after = app.backend.desk.get(case.ref)
        assert after.status is Status.INVESTIGATING
        assert after.acknowledged_at is not None  # new -> investigating also acknowledges


async def test_c_adds_an_internal_note(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        screen = await open_case(app, pilot, case.ref)
        await pilot.press("c")
        await pilot.pause()
        await type_text(pilot, "Customer is on the old kernel")
        await save(pilot)
        event = last_event(app.backend.desk.get(case.ref))
        assert event.kind is EventKind.NOTE
        assert event.text == "Customer is on the old kernel"
        assert event.customer_visible is False
        items = list(screen.query(TimelineItem))
        assert items[-1].has_class("-internal")
        assert "INTERNAL" in str(items[-1].render())


async def test_u_sends_a_customer_visible_update(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        app.backend.desk.start(case.ref)
        screen = await open_case(app, pilot, case.ref)
        await pilot.press("u")
        await pilot.pause()
        await type_text(pilot, "We rebooted the host")
        await save(pilot)
        event = last_event(app.backend.desk.get(case.ref))
        assert event.kind is EventKind.CUSTOMER_UPDATE
        assert event.customer_visible is True
        items = list(screen.query(TimelineItem))
        assert items[-1].has_class("-customer")
        assert "TO CUSTOMER" in str(items[-1].render())
        assert not items[-1].has_class("-internal")


async def test_w_waits_on_the_customer_and_i_resumes(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        app.backend.desk.start(case.ref)
        await open_case(app, pilot, case.ref)
        await pilot.press("w")
        await pilot.pause()
        await type_text(pilot, "Please send the server IP")
        await save(pilot)
        waiting = app.backend.desk.get(case.ref)
        assert waiting.status is Status.WAITING_ON_CUSTOMER
        assert waiting.paused_at is not None
        assert "paused" in screen_text(app)

        await pilot.press("i")
        await pilot.pause()
        assert "Resume" in screen_text(app)
        await type_text(pilot, "IP received")
        await save(pilot)
        resumed = app.backend.desk.get(case.ref)
        assert resumed.status is Status.INVESTIGATING
        assert resumed.paused_at is None
        assert "IP received" in last_event(resumed).text


async def test_x_closes_with_the_customer_response(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        app.backend.desk.start(case.ref)
        app.backend.desk.resolve(case.ref, "Fixed", "Configuration error")
        await open_case(app, pilot, case.ref)
        await pilot.press("x")
        await pilot.pause()
        await choose(pilot, 1)  # accepted
        await save(pilot)
        after = app.backend.desk.get(case.ref)
        assert after.status is Status.CLOSED
        assert after.customer_response == "accepted"


async def test_o_reopens_with_a_reason(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        desk = app.backend.desk
        desk.start(case.ref)
        desk.resolve(case.ref, "Fixed", "Configuration error")
        desk.close(case.ref, "rejected")
        await open_case(app, pilot, case.ref)
        await pilot.press("o")
        await pilot.pause()
        await type_text(pilot, "Still down")
        await save(pilot)
        after = desk.get(case.ref)
        assert after.status is Status.INVESTIGATING
        assert after.reopen_count == 1
        assert "Still down" in last_event(after).text


async def test_e_records_an_escalation_request(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        app.backend.desk.start(case.ref)
        app.backend.desk.resolve(case.ref, "Restarted the VPS.", "Software defect")
        await open_case(app, pilot, case.ref)
        await pilot.press("e")
        await pilot.pause()
        await type_text(pilot, "I want your manager")
        await save(pilot)
        after = app.backend.desk.get(case.ref)
        assert after.summary.escalation_pending is True
        assert after.summary.escalation_level == 1
        assert "I want your manager" in last_event(after).text
        assert "Escalation review" in screen_text(app)


async def test_d_decides_an_escalation_as_supervisor(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        desk = app.backend.desk
        desk.start(case.ref)
        desk.resolve(case.ref, "Fixed", "Configuration error")
        desk.escalate(case.ref, "Not fixed at all")
        await open_case(app, pilot, case.ref)
        await pilot.press("d")
        await pilot.pause()
        assert "Not fixed at all" in screen_text(app)  # the customer's request is quoted
        await choose(pilot, 2)  # reopened
        await pilot.press("tab")
        await type_text(pilot, "We look again")
        await save(pilot)
        after = desk.get(case.ref)
        assert after.summary.escalation_pending is False
        assert after.status is Status.INVESTIGATING
        assert any(e.kind is EventKind.ESCALATION_DECISION for e in after.timeline)


async def test_d_is_refused_at_once_for_an_agent_in_the_services_words(make_app):
    """An agent holding an escalated case gets no decision form: the sentence the service
    refuses a decision with (who decides, domain/ownership.py), at once, and nothing changes."""
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        desk = app.backend.desk
        desk.start(case.ref)
        desk.resolve(case.ref, "Restarted the VPS.", "Software defect")
        desk.escalate(case.ref, "Supervisor please")
        before = desk.get(case.ref)
        await open_case(app, pilot, case.ref)
        assert "decide" not in str(app.screen.query_one("#case-escalation").render())
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen), "no form opens"
        messages = [n.message for n in app._notifications]
        assert messages == ["Only a supervisor or manager may decide a level-1 escalation."], (
            messages
        )
        with pytest.raises(PermissionDenied) as refused:
            desk.decide(case.ref, "confirm", "I decide myself")
        assert str(refused.value) == messages[0]
        after = desk.get(case.ref)
        assert after.summary.escalation_pending is True
        assert len(after.timeline) == len(before.timeline)


async def test_A_assigns_to_any_agent_as_supervisor(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ActionForm)
        select = app.screen.query_one("#f-assignee", Select)
        names = [value for _label, value in select._options if value is not Select.NULL]
        assert "minh.tran" in names and "thao.dang" in names and "it.admin" not in names
        await choose(pilot, names.index("minh.tran") + 1)
        await save(pilot)
        assert app.backend.desk.get(case.ref).summary.assignee == "minh.tran"


async def test_A_lets_an_agent_take_a_case(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("A")
        await settle(pilot)
        await choose(pilot, 1)  # take it myself
        await save(pilot)
        assert app.backend.desk.get(case.ref).summary.assignee == "lan.nguyen"


async def test_p_changes_the_priority(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)  # normal
        await open_case(app, pilot, case.ref)
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one("#f-priority", Select).value = "critical"
        await save(pilot)
        after = app.backend.desk.get(case.ref)
        assert after.summary.priority == "critical"
        assert last_event(after).kind is EventKind.PRIORITY_CHANGE


async def test_E_extends_the_resolution_deadline(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        started = app.backend.desk.start(case.ref)
        await open_case(app, pilot, case.ref)
        await pilot.press("E")
        await pilot.pause()
        await type_text(pilot, "99")
        await save(pilot)
        assert isinstance(app.screen, ActionForm), "inline validation keeps the form"
        assert "At most 60" in str(app.screen.query_one("#err-days", Static).render())
        await pilot.press("backspace", "backspace", "3", "tab")
        await type_text(pilot, "Vendor needs a week")
        await save(pilot)
        after = app.backend.desk.get(case.ref)
        assert after.resolve_due_at > started.resolve_due_at
        assert after.extension_count == 1
        assert last_event(after).kind is EventKind.EXTENSION


async def test_F_refers_to_the_external_body(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        app.backend.desk.start(case.ref)
        app.backend.desk.resolve(case.ref, "Restarted the VPS.", "Software defect")
        app.backend.desk.close(case.ref, "rejected")  # refer follows a rejected closing
        await open_case(app, pilot, case.ref)
        await pilot.press("F")
        await pilot.pause()
        await save(pilot)
        after = app.backend.desk.get(case.ref)
        assert after.referred_to == app.backend.ctx.settings.external.name
        assert last_event(after).kind is EventKind.REFERRAL


async def test_C_recuses(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)  # hers
        await open_case(app, pilot, case.ref)
        await pilot.press("C")
        await pilot.pause()
        await type_text(pilot, "The customer is my cousin")
        await save(pilot)
        after = app.backend.desk.get(case.ref)
        assert not after.summary.assignee
        assert last_event(after).kind is EventKind.RECUSAL


# ---- forms: validation, failures, cancelling -------------------------------------------------
async def test_empty_required_text_is_flagged_inline_and_nothing_is_saved(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("c")
        await pilot.pause()
        await save(pilot)
        form = app.screen
        assert isinstance(form, ActionForm)
        err = form.query_one("#err-text", Static)
        assert err.display and "cannot be empty" in str(err.render())
        await type_text(pilot, "x")
        await pilot.pause()
        assert not err.display, "the error clears as soon as the field is valid"
        assert len(app.backend.desk.get(case.ref).timeline) == len(case.timeline)


async def test_a_stale_save_is_refused_and_keeps_the_typed_text(make_app, tui_ctx):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("u")
        await pilot.pause()
        await type_text(pilot, "My careful update")
        # Their supervisor changes the case behind the form's back.
        other = CaseDesk(tui_ctx, actor_named(tui_ctx, "anh.vo"))
        other.acknowledge(case.ref, "Minh acknowledged it")
        before = app.backend.desk.get(case.ref)
        await save(pilot)
        form = app.screen
        assert isinstance(form, ActionForm), "the form stays open"
        assert form.query_one("#f-text", TextArea).text == "My careful update"
        assert "changed by someone else" in form_error(app)
        after = app.backend.desk.get(case.ref)
        assert len(after.timeline) == len(before.timeline), "nothing was saved"
        assert not any(e.text == "My careful update" for e in after.timeline)
        # The case screen now shows their change; a second ctrl+s saves on top of it.
        await save(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert last_event(app.backend.desk.get(case.ref)).text == "My careful update"


async def test_a_database_failure_keeps_the_form_and_says_so(make_app, monkeypatch):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)

        def gone(*_a, **_k):
            raise Unavailable("The database did not answer: connection refused.")

        monkeypatch.setattr(app.backend.desk, "note", gone)
        await pilot.press("c")
        await pilot.pause()
        await type_text(pilot, "Keep me")
        await save(pilot)
        assert isinstance(app.screen, ActionForm)
        assert "did not answer" in form_error(app)
        assert app.screen.query_one("#f-text", TextArea).text == "Keep me"


async def test_esc_asks_before_dropping_typed_text(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("c")
        await pilot.pause()
        await type_text(pilot, "half a thought")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ActionForm)
        assert app.screen.query_one("#f-text", TextArea).text == "half a thought"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        assert len(app.backend.desk.get(case.ref).timeline) == len(case.timeline)
        # Nothing typed: esc closes at once.
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)


# ---- attachments ------------------------------------------------------------------------------
async def test_v_views_a_text_attachment_and_s_saves_it_into_a_folder(make_app, tmp_path):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(
            app,
            attachments=[
                AttachmentInput("server.log", "text/plain", b"boot ok\n[bold]kernel panic[/]\n"),
                AttachmentInput("../../etc/passwd", "application/octet-stream", b"\x00\x01bin"),
            ],
        )
        screen = await open_case(app, pilot, case.ref)
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("enter")  # the first attachment in the picker
        await settle(pilot)
        assert isinstance(app.screen, TextViewer)
        assert "[bold]kernel panic[/]" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen

        folder = tmp_path / "out"
        folder.mkdir()
        await pilot.press("s")
        await pilot.pause()
        await choose(pilot, 2)  # the binary one with the hostile name
        await pilot.press("tab")
        folder_input = app.screen.query_one("#f-folder")
        folder_input.value = str(folder)
        await save(pilot)
        assert app.screen is screen
        saved = list(folder.iterdir())
        assert len(saved) == 1 and saved[0].read_bytes() == b"\x00\x01bin"
        assert saved[0].parent == folder
        assert not (tmp_path / "etc").exists()


async def test_s_into_a_missing_folder_is_refused_in_the_form(make_app, tmp_path):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app, attachments=[AttachmentInput("a.txt", "text/plain", b"hi")])
        await open_case(app, pilot, case.ref)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#f-folder").value = str(tmp_path / "nope")
        await save(pilot)
        assert isinstance(app.screen, ActionForm)
        assert "is not a folder" in form_error(app)


# ---- hostile customer text --------------------------------------------------------------------
HOSTILE = (
    "[bold red]x[/] [link=https://evil.example]y[/link] \x1b[31mred\x1b[0m "
    "\x1b]8;;https://evil.example\x1b\\osc link\x1b]8;;\x1b\\ NUL\x00 bell\x07 bs\x08 "
    "emoji 😀🔥 Nguyễn Đức Thắng (combining: Nguye\u0302\u0303n) "
    "RTL: \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202eevil\u202c"
)


@pytest.mark.parametrize("size", SIZES)
async def test_hostile_text_is_shown_literally_and_the_layout_holds(make_app, size):
    app = make_app("lan.nguyen")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        huge = ("W" * 500 + " " + HOSTILE + "\n") * 2 + "z" * 990_000
        case = new_case(
            app,
            subject="[bold red]x[/] \x1b[31mred\x1b[0m 😀",
            description=huge,
            desired_outcome=HOSTILE,
            events=[EventDate(DEFAULT_NOW - timedelta(hours=1), HOSTILE)],
        )
        app.backend.desk.note(case.ref, HOSTILE)
        screen = await open_case(app, pilot, case.ref)
        text = screen_text(app)
        assert "[bold red]x[/]" in text  # the subject in the header, literally
        assert "\x1b" not in text
        lines = text.split("\n")
        assert len(lines) == size[1]
        # The body holds the literal markup, and the cut 1 MB description says so.
        body = "\n".join(str(w.render()) for w in screen.query("CaseText, TimelineItem"))
        assert "[bold red]x[/]" in body and "[link=https://evil.example]y[/link]" in body
        assert "\x1b" not in body and "\x00" not in body and "\x07" not in body
        assert "\u202e" not in body
        assert "characters; the first" in body
        assert "Nguyễn" in body and "😀" in body
        await pilot.press("G")
        await pilot.pause()
        text = screen_text(app)
        assert "\x1b" not in text
        svg = app.export_screenshot()
        assert "\x1b" not in svg
        assert "evil.example" not in svg.split("<a ")[0] or "<a " not in svg


def footer_keys(screen) -> list[str]:
    """The keys the case screen's footer offers now, in order."""
    return [
        active.binding.key
        for active in screen.active_bindings.values()
        if active.binding.show and active.binding.id and active.binding.id.startswith("case.")
    ]


async def test_d_is_offered_exactly_when_you_may_decide(make_app):
    """Issue 9 §7: the footer, help and palette offer what this person may do to the case now."""
    for name, may_decide in (("lan.nguyen", False), ("anh.vo", True)):
        app = make_app(name)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            case = new_case(app, take=True)
            desk = app.backend.desk
            screen = await open_case(app, pilot, case.ref)
            assert "d" not in footer_keys(screen) and "x" not in footer_keys(screen)
            if name == "anh.vo":
                desk.assign(case.ref, "lan.nguyen")
            agent = CaseDesk(app.backend.ctx, actor_named(app.backend.ctx, "lan.nguyen"))
            agent.start(case.ref)
            agent.resolve(case.ref, "Restarted the VPS.", "Software defect")
            agent.escalate(case.ref, "Supervisor please")
            screen.post_message(CasesChanged())
            await settle(pilot)
            keys = footer_keys(screen)
            assert ("d" in keys) is may_decide, (name, keys)
            assert "x" in keys and "o" in keys and "a" not in keys, keys  # resolved: close, reopen
            titles = [c.title for c in screen_commands(screen)]
            assert ("Case: Decide escalation" in titles) is may_decide, titles
            await pilot.press("question_mark")
            await pilot.pause()
            assert ("Decide escalation" in screen_text(app)) is may_decide


async def test_help_lists_case_work_in_workflow_order(make_app):
    app = make_app("anh.vo")
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        case = new_case(app)
        app.backend.desk.start(case.ref)
        await open_case(app, pilot, case.ref)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        order = ["Internal note", "Customer update", "Wait on customer", "Resolve", "Assign"]
        found = [text.index(words) for words in order]
        assert found == sorted(found), list(zip(order, found, strict=True))


async def test_q_goes_back_and_quits_only_on_the_queue(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await open_case(app, pilot, case.ref)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and app.is_running
        await open_case(app, pilot, case.ref)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not app.is_running
    app = make_app("lan.nguyen")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert not app.is_running
