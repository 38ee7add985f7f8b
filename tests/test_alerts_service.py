"""The desk's alerts read from the database (services/alerts.py), on SQLite and PostgreSQL: the
snapshots come from bounded queries, and what they tell follows domain/alerts.py."""

from __future__ import annotations

from datetime import timedelta

from complaint_tui.domain.alerts import AlertKind
from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.services.alerts import DeskAlerts
from complaint_tui.services.cases import CaseDesk


def new_case(desk: CaseDesk, subject: str = "VPS down") -> str:
    detail = desk.create(
        IntakeDraft(
            customer="kh-1", services=["VPS"], channel="email", subject=subject, description="x"
        )
    )
    return detail.ref


def told(alerts) -> list[tuple[AlertKind, str]]:
    return [(a.kind, a.ref) for a in alerts]


def test_an_agent_is_told_of_urgent_breached_and_reassigned(ctx, agents, clock):
    alice = CaseDesk(ctx, agents["alice"])
    sue = CaseDesk(ctx, agents["sue"])
    ref = new_case(alice)
    alice.assign(ref, "alice")
    other = new_case(alice, "Mail bounces")
    alice.assign(other, "alice")
    due = alice.get(ref).summary.active_due_at
    watch = DeskAlerts(alice)
    assert watch.check() == []  # the first look sets the baseline

    clock.set(due - timedelta(minutes=1))
    assert told(watch.check()) == [(AlertKind.URGENT, ref), (AlertKind.URGENT, other)]
    assert watch.check() == []  # told once
    clock.set(due + timedelta(minutes=1))
    assert told(watch.check()) == [(AlertKind.BREACH, ref), (AlertKind.BREACH, other)]

    sue.assign(other, "bob")
    alerts = watch.check()
    assert [a.text for a in alerts] == [f"{other} was reassigned from you to bob."]
    sue.assign(other, "alice")
    assert [a.text for a in watch.check()] == [f"{other} was assigned to you by sue."]

    alice.assign(ref, None)  # releasing it herself is not news
    assert watch.check() == []


def test_a_supervisor_is_told_of_escalations_and_breaches(ctx, agents, clock):
    alice = CaseDesk(ctx, agents["alice"])
    ref = new_case(alice)
    alice.assign(ref, "alice")
    escalated = new_case(alice, "Refund refused")
    alice.assign(escalated, "alice")
    alice.start(escalated)
    alice.resolve(escalated, "Explained the terms.", "Software defect")
    due = alice.get(ref).summary.active_due_at
    sue = DeskAlerts(CaseDesk(ctx, agents["sue"]))
    max_ = DeskAlerts(CaseDesk(ctx, agents["max"]))
    assert sue.check() == [] and max_.check() == []

    alice.escalate(escalated, "I want a supervisor to look at this")
    alerts = sue.check()
    assert told(alerts) == [(AlertKind.ESCALATION, escalated)]
    assert alerts[0].text == f"{escalated}: a level-1 escalation awaits your decision."
    assert max_.check() == []  # level 1 is not the manager's

    clock.set(due + timedelta(minutes=1))
    assert told(sue.check()) == [(AlertKind.BREACH, ref)]
    assert told(max_.check()) == [(AlertKind.BREACH, ref)]
    assert sue.check() == []


def test_alerts_switched_off_read_nothing(ctx, agents, clock):
    from dataclasses import replace

    ctx.settings = replace(ctx.settings, ui=replace(ctx.settings.ui, alerts=frozenset()))
    watch = DeskAlerts(CaseDesk(ctx, agents["sue"]))
    assert not watch.enabled
    assert watch.check() == []
