"""Alerts in the running desk (issue 9 §6): time passing on a frozen clock turns a case urgent,
then breached; a second session escalates or reassigns. Each alert is a plain-text notification,
told once."""

from __future__ import annotations

from datetime import timedelta

from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import actor_named
from tests.tui.conftest import settle
from tests.tui.fixtures import new_case, open_context


def messages(app, ref: str) -> list[str]:
    return [n.message for n in app._notifications if ref in n.message]


async def tick(app, pilot) -> None:
    """What the app's interval does: time passed."""
    app._tick()
    await settle(pilot)


async def change(app, pilot) -> None:
    """What the change watcher does when another session commits."""
    app._broadcast_change()
    await settle(pilot)


def second_session(tui_ctx, name: str) -> CaseDesk:
    other = open_context(tui_ctx.db.url.removeprefix("sqlite:///"))
    other.clock = tui_ctx.clock  # the same frozen time
    return CaseDesk(other, actor_named(other, name))


async def test_an_agent_is_told_when_their_case_turns_urgent_then_breached(make_app, tui_ctx):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await tick(app, pilot)  # a look that knows the case, well before its deadline
        assert messages(app, case.ref) == []
        due = case.summary.active_due_at
        tui_ctx.clock.set(due - timedelta(minutes=10))
        await tick(app, pilot)
        assert messages(app, case.ref) == [f"{case.ref} is urgent: little time is left."]
        tui_ctx.clock.set(due + timedelta(minutes=1))
        await tick(app, pilot)
        await tick(app, pilot)
        assert messages(app, case.ref) == [
            f"{case.ref} is urgent: little time is left.",
            f"{case.ref} is breached: its deadline has passed.",
        ]


async def test_an_agent_is_told_of_a_reassignment_by_a_supervisor(make_app, tui_ctx):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        case = new_case(app)
        await tick(app, pilot)
        supervisor = second_session(tui_ctx, "anh.vo")
        supervisor.assign(case.ref, "minh.tran")
        await change(app, pilot)
        await change(app, pilot)
        assert messages(app, case.ref) == [f"{case.ref} was reassigned from you to minh.tran."]
        supervisor.assign(case.ref, "lan.nguyen")
        await change(app, pilot)
        assert messages(app, case.ref)[-1] == f"{case.ref} was assigned to you by anh.vo."
        notice = [n for n in app._notifications if case.ref in n.message][-1]
        assert notice.title == "Assignment" and notice.markup is False


async def test_a_supervisor_is_told_of_an_escalation_and_a_breach(make_app, tui_ctx):
    app = make_app("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        agent = second_session(tui_ctx, "lan.nguyen")
        ref = agent.create(
            IntakeDraft(
                customer="kh-1",
                services=["VPS"],
                channel="email",
                subject="[red]Refund[/red]",
                description="x",
            )
        ).ref
        agent.assign(ref, "lan.nguyen")
        agent.start(ref)
        agent.resolve(ref, "Explained the terms.", "Software defect")
        other = agent.create(
            IntakeDraft(
                customer="kh-2", services=["VPS"], channel="phone", subject="Slow", description="y"
            )
        )
        await change(app, pilot)
        assert messages(app, ref) == [] and messages(app, other.ref) == []
        agent.escalate(ref, "I want a supervisor")
        await change(app, pilot)
        await change(app, pilot)
        assert messages(app, ref) == [f"{ref}: a level-1 escalation awaits your decision."]
        tui_ctx.clock.set(other.summary.active_due_at + timedelta(minutes=1))
        await tick(app, pilot)
        await tick(app, pilot)
        assert messages(app, other.ref) == [f"{other.ref} is breached: its deadline has passed."]
