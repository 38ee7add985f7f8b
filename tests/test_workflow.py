"""Every status transition of SPEC §3, allowed and refused, on SQLite and PostgreSQL.

Expected instants are worked out by hand on the Vietnamese calendar (the fixture clock is
Wed 2026-11-25 10:00 in Ho Chi Minh City; no public holiday falls between 25 Nov and 10 Dec 2026).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaint_tui.domain.enums import EventKind, Status
from complaint_tui.domain.labels import response_label, status_label
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import Refused, ValidationFailed
from tests.helpers_db import assert_denied, assert_unchanged, draft, dump

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


NOW = vn(2026, 11, 25, 10)
S = Status

# What the policy allows, written out from SPEC §3 (deliberately not imported from the domain).
ACTIONS = {
    "acknowledge": lambda d, r: d.acknowledge(r),
    "start": lambda d, r: d.start(r),
    "wait": lambda d, r: d.wait(r, "Please send us the server's IP address."),
    "resume": lambda d, r: d.resume(r),
    "resolve": lambda d, r: d.resolve(r, "Access restored; 1 day credited.", "Configuration error"),
    "close": lambda d, r: d.close(r, "accepted"),
    "reopen": lambda d, r: d.reopen(r, "The customer reports the fault is back."),
}
TARGET = {
    "acknowledge": S.ACKNOWLEDGED,
    "start": S.INVESTIGATING,
    "wait": S.WAITING_ON_CUSTOMER,
    "resume": S.INVESTIGATING,
    "resolve": S.RESOLVED,
    "close": S.CLOSED,
    "reopen": S.INVESTIGATING,
}
ALLOWED_FROM = {
    "acknowledge": {S.NEW},
    "start": {S.NEW, S.ACKNOWLEDGED},
    "wait": {S.INVESTIGATING},
    "resume": {S.WAITING_ON_CUSTOMER},
    "resolve": {S.ACKNOWLEDGED, S.INVESTIGATING, S.WAITING_ON_CUSTOMER},
    "close": {S.RESOLVED},
    "reopen": {S.RESOLVED, S.CLOSED},
}
# How to bring a fresh case to each status.
PATH = {
    S.NEW: [],
    S.ACKNOWLEDGED: ["acknowledge"],
    S.INVESTIGATING: ["start"],
    S.WAITING_ON_CUSTOMER: ["start", "wait"],
    S.RESOLVED: ["start", "resolve"],
    S.CLOSED: ["start", "resolve", "close"],
}
ALLOWED = [(s, a) for a, froms in ALLOWED_FROM.items() for s in S if s in froms]
REFUSED = [(s, a) for a in ACTIONS for s in S if s not in ALLOWED_FROM[a]]


def new_case(desk: CaseDesk, **overrides) -> str:
    """A new case, taken by the desk's agent: agents change only the cases they hold."""
    ref = desk.create(draft(**overrides)).ref
    desk.assign(ref, desk.actor.name)
    return ref


def case_in(desk: CaseDesk, status: Status, **overrides) -> str:
    ref = new_case(desk, **overrides)
    for step in PATH[status]:
        ACTIONS[step](desk, ref)
    assert desk.get(ref).status is status
    return ref


@pytest.fixture
def desk(ctx, agents) -> CaseDesk:
    return CaseDesk(ctx, agents["alice"])


def kinds(detail) -> list[EventKind]:
    return [t.kind for t in detail.timeline]


# ---- the transition table ---------------------------------------------------------------------
def test_table_covers_every_pair():
    assert len(ALLOWED) + len(REFUSED) == len(ACTIONS) * len(S)
    assert len(ALLOWED) == 11


@pytest.mark.parametrize("status", list(S), ids=str)
def test_every_transition_from(ctx, desk, clock, status):
    """Refused actions change no row (tried on one case); allowed ones each on a fresh case."""
    ref = case_in(desk, status)
    clock.advance(timedelta(hours=1))
    for action in ACTIONS:
        if status in ALLOWED_FROM[action]:
            continue
        err = assert_unchanged(ctx, lambda a=ACTIONS[action]: a(desk, ref))
        assert ref in str(err), action
    for action in ACTIONS:
        if status not in ALLOWED_FROM[action]:
            continue
        ref = case_in(desk, status)
        before = desk.get(ref)
        clock.advance(timedelta(minutes=10))
        after = ACTIONS[action](desk, ref)
        assert after.status is TARGET[action], action
        assert desk.get(ref).status is TARGET[action], action
        assert after.version > before.version, action
        assert after.timeline[: len(before.timeline)] == before.timeline, "timeline is append-only"
        new = [e.kind for e in after.timeline[len(before.timeline) :]]
        expected = EventKind.ACKNOWLEDGED if action == "acknowledge" else EventKind.STATUS_CHANGE
        assert expected in new, action
        assert all(
            e.actor == "alice" and e.at == clock.now()
            for e in after.timeline[len(before.timeline) :]
        ), action


# ---- each allowed transition in detail --------------------------------------------------------
def test_intake_acknowledge_and_start(desk, clock):
    created = desk.create(draft())
    assert created.status is S.NEW
    assert created.summary.received_at == NOW
    assert created.ack_due_at == vn(2026, 11, 26, 17)  # 1 business day: Thu
    assert created.resolve_due_at == vn(2026, 12, 2, 17)  # 5 business days: Thu..Wed
    assert created.acknowledged_at is None and created.next_update_due_at is None
    assert kinds(created) == [EventKind.CREATED]

    ref = new_case(desk)
    d = desk.acknowledge(ref, "We are on it.")
    assert d.status is S.ACKNOWLEDGED
    assert d.acknowledged_at == NOW
    assert d.next_update_due_at == vn(2026, 11, 27, 17)
    ack = d.timeline[-1]
    assert (ack.kind, ack.text, ack.customer_visible) == (
        EventKind.ACKNOWLEDGED,
        "We are on it.",
        True,
    )
    ack_clock = {c.name: c for c in d.clocks}["acknowledgement"]
    assert ack_clock.met_at == NOW

    ref = new_case(desk)
    d = desk.start(ref, "Looking at the hypervisor")
    assert d.status is S.INVESTIGATING
    assert d.acknowledged_at == NOW
    assert kinds(d) == [
        EventKind.CREATED,
        EventKind.ASSIGNMENT,
        EventKind.ACKNOWLEDGED,
        EventKind.STATUS_CHANGE,
    ]
    assert d.timeline[2].customer_visible is True
    assert d.timeline[3].customer_visible is False
    assert d.timeline[3].text == "new → under investigation: Looking at the hypervisor"

    ref = new_case(desk)
    desk.acknowledge(ref)
    clock.advance(timedelta(hours=2))
    d = desk.start(ref)
    assert d.status is S.INVESTIGATING
    assert d.acknowledged_at == NOW
    assert kinds(d).count(EventKind.ACKNOWLEDGED) == 1


def test_wait_and_resume_shift_resolution_by_paused_business_time(ctx, desk, clock):
    ref = case_in(desk, S.INVESTIGATING)
    original_due = desk.get(ref).resolve_due_at
    assert original_due == vn(2026, 12, 2, 17)

    clock.set(vn(2026, 11, 25, 14))  # 3 h before close + 5 full days = 48 business hours left
    d = desk.wait(ref, "Please send the output of `ip a`.")
    assert d.status is S.WAITING_ON_CUSTOMER
    assert d.paused_at == clock.now()
    assert d.paused_remaining == timedelta(hours=48)
    assert d.next_update_due_at is None
    assert d.urgency.value == "paused"
    assert [e.kind for e in d.timeline[-2:]] == [EventKind.STATUS_CHANGE, EventKind.CUSTOMER_UPDATE]
    assert d.timeline[-1].customer_visible is True

    clock.set(vn(2026, 11, 30, 10))  # Mon: paused 3 + 9 + 9 + 2 = 23 business hours
    d = desk.resume(ref, "Customer replied")
    assert d.status is S.INVESTIGATING
    assert d.paused_at is None and d.paused_remaining is None
    # Mon 10:00 + 48 h: Mon 7, Tue 9, Wed 9, Thu 9, Fri 9, Mon 5 -> Mon 7 Dec 13:00.
    assert d.resolve_due_at == vn(2026, 12, 7, 13)
    cal = ctx.calendar
    paused = cal.business_time_between(vn(2026, 11, 25, 14), vn(2026, 11, 30, 10))
    assert paused == timedelta(hours=23)
    assert cal.business_time_between(original_due, d.resolve_due_at) == paused
    assert d.next_update_due_at == vn(2026, 12, 2, 17)  # 2 business days after Mon 30 Nov


def test_pause_after_breach_and_across_a_holiday(ctx, desk, clock):
    ref = case_in(desk, S.INVESTIGATING, received_at=vn(2026, 11, 16, 9))
    assert desk.get(ref).resolve_due_at == vn(2026, 11, 23, 17)
    d = desk.wait(ref, "Please confirm the domain name.")
    assert d.paused_remaining is None
    clock.set(vn(2026, 12, 8, 9))
    d = desk.resume(ref)
    assert d.resolve_due_at == vn(2026, 11, 23, 17)
    assert d.urgency.value == "breached"

    clock.set(vn(2026, 8, 28, 9))  # Fri
    ref = case_in(desk, S.INVESTIGATING)
    # 5 business days after Fri 28 Aug: 31 Aug, 1, 2 Sep are holidays -> Thu 3 .. Wed 9 Sep.
    assert desk.get(ref).resolve_due_at == vn(2026, 9, 9, 17)
    clock.set(vn(2026, 8, 28, 16))  # 1 h left today + 5 days = 46 h
    desk.wait(ref, "Which VPS?")
    clock.set(vn(2026, 9, 3, 9))  # Thu: paused 1 h (Fri) + 1 h (Thu 08-09) = 2 business hours
    d = desk.resume(ref)
    assert ctx.calendar.business_time_between(vn(2026, 8, 28, 16), clock.now()) == timedelta(
        hours=2
    )
    # Original due Wed 9 Sep 17:00 + 2 business hours -> Thu 10 Sep 10:00.
    assert d.resolve_due_at == vn(2026, 9, 10, 10)


def test_resolve_needs_and_records_outcome_and_root_cause(ctx, desk, clock):
    ref = case_in(desk, S.INVESTIGATING)
    for outcome, root_cause, field in (
        ("", "Configuration error", "outcome"),
        ("Fixed.", "", "root cause"),
        ("  ", "  ", "outcome"),
        ("Fixed.", "x" * 201, "root cause"),
    ):
        err = assert_unchanged(
            ctx, lambda o=outcome, r=root_cause: desk.resolve(ref, o, r), exc_type=ValidationFailed
        )
        assert str(err).startswith(field)

    for start_status in (S.ACKNOWLEDGED, S.INVESTIGATING, S.WAITING_ON_CUSTOMER):
        ref = case_in(desk, start_status)
        clock.advance(timedelta(hours=3))
        d = desk.resolve(
            ref, "Access restored; one day of service credited.", "Configuration error"
        )
        assert d.status is S.RESOLVED
        assert d.resolved_at == clock.now()
        assert d.outcome == "Access restored; one day of service credited."
        assert d.root_cause == "Configuration error"
        assert d.next_update_due_at is None and d.paused_at is None
        assert d.urgency.value == "done"
        outcome = d.timeline[-1]
        assert outcome.kind is EventKind.OUTCOME and outcome.customer_visible
        assert outcome.text == "Access restored; one day of service credited."
        assert d.timeline[-2].kind is EventKind.STATUS_CHANGE
        assert d.timeline[-2].text.startswith(f"{status_label(start_status)} → resolved")


def test_close_records_the_customer_response(ctx, desk, clock):
    for response in ("accepted", "rejected", "no_response"):
        ref = case_in(desk, S.RESOLVED)
        clock.advance(timedelta(days=1))
        d = desk.close(ref, response)
        assert d.status is S.CLOSED
        assert d.customer_response == response
        assert d.closed_at == clock.now()
        assert f"(customer response: {response_label(response)})" in d.timeline[-1].text
    ref = case_in(desk, S.RESOLVED)
    err = assert_unchanged(ctx, lambda: desk.close(ref, "maybe"), exc_type=ValidationFailed)
    assert "response" in str(err)


@pytest.mark.parametrize("from_status", [S.RESOLVED, S.CLOSED], ids=str)
def test_reopen_restarts_the_resolution_clock(ctx, desk, clock, from_status):
    ref = case_in(desk, from_status)
    for reason in ("", "   "):
        err = assert_unchanged(ctx, lambda r=reason: desk.reopen(ref, r), exc_type=ValidationFailed)
        assert str(err).startswith("reason")
    clock.set(vn(2026, 12, 3, 9))  # Thu
    d = desk.reopen(ref, "Fault is back")
    assert d.status is S.INVESTIGATING
    # 5 business days after Thu 3 Dec: Fri 4, Mon 7, Tue 8, Wed 9, Thu 10.
    assert d.resolve_due_at == vn(2026, 12, 10, 17)
    assert d.resolved_at is None and d.closed_at is None and d.customer_response is None
    assert d.reopen_count == 1
    assert d.next_update_due_at == vn(2026, 12, 7, 17)
    assert d.urgency.value == "ok"
    assert "Fault is back" in d.timeline[-1].text
    assert d.acknowledged_at == NOW  # the acknowledgement stays met


def test_other_refusals(ctx, desk):
    for name, action in ACTIONS.items():
        err = assert_unchanged(ctx, lambda a=action: a(desk, "C-2026-99999"))
        assert "C-2026-99999" in str(err), name

    ref = case_in(desk, S.NEW)
    v = desk.get(ref).version
    desk.acknowledge(ref, expected_version=v)
    assert_unchanged(ctx, lambda: desk.start(ref, expected_version=v))

    ref = case_in(desk, S.INVESTIGATING)
    assert_unchanged(ctx, lambda: desk.set_priority(ref, "normal"))  # already normal
    assert_unchanged(ctx, lambda: desk.set_priority(ref, "urgent!"), exc_type=ValidationFailed)
    assert_unchanged(ctx, lambda: desk.wait(ref, " "), exc_type=ValidationFailed)
    assert_unchanged(ctx, lambda: desk.note(ref, "  \n "), exc_type=ValidationFailed)
    assert_unchanged(ctx, lambda: desk.assign(ref, "nobody"))
    assert_unchanged(ctx, lambda: desk.assign(ref, "ada"))  # admins handle no cases
    desk.recuse(ref, "Conflict of interest")
    for what, again in (
        ("recuse", lambda: desk.recuse(ref, "Again")),
        ("assign", lambda: desk.assign(ref, "alice")),
    ):
        err = assert_denied(ctx, again, actor="alice", what=what, ref=ref)
        assert "You recused yourself" in str(err)


# ---- the timeline -----------------------------------------------------------------------------
def test_every_change_adds_a_timeline_event(ctx, agents, desk, clock):
    sue = CaseDesk(ctx, agents["sue"])
    ref = desk.create(draft()).ref
    steps = [
        (lambda: desk.assign(ref, "alice"), [EventKind.ASSIGNMENT], "alice"),
        (lambda: desk.acknowledge(ref), [EventKind.ACKNOWLEDGED], "alice"),
        (lambda: desk.start(ref), [EventKind.STATUS_CHANGE], "alice"),
        (lambda: desk.note(ref, "Checked logs"), [EventKind.NOTE], "alice"),
        (lambda: desk.update(ref, "Still on it"), [EventKind.CUSTOMER_UPDATE], "alice"),
        (lambda: desk.set_priority(ref, "high"), [EventKind.PRIORITY_CHANGE], "alice"),
        (lambda: desk.extend(ref, 2, "Vendor needs time"), [EventKind.EXTENSION], "alice"),
        (
            lambda: desk.wait(ref, "Send logs"),
            [EventKind.STATUS_CHANGE, EventKind.CUSTOMER_UPDATE],
            "alice",
        ),
        (lambda: desk.resume(ref), [EventKind.STATUS_CHANGE], "alice"),
        (
            lambda: desk.resolve(ref, "Fixed", "Software defect"),
            [EventKind.STATUS_CHANGE, EventKind.OUTCOME],
            "alice",
        ),
        (
            lambda: desk.escalate(ref, "Customer asks for a supervisor"),
            [EventKind.ESCALATION_REQUEST],
            "alice",
        ),
        (
            lambda: sue.decide(ref, "confirm", "Handling is correct", "Checked the logs"),
            [EventKind.ESCALATION_DECISION, EventKind.NOTE],
            "sue",
        ),
        (lambda: desk.close(ref, "rejected"), [EventKind.STATUS_CHANGE], "alice"),
        (lambda: desk.refer(ref, "Customer unhappy"), [EventKind.REFERRAL], "alice"),
        (lambda: desk.reopen(ref, "Escalated again"), [EventKind.STATUS_CHANGE], "alice"),
        (lambda: desk.recuse(ref, "Customer is my cousin"), [EventKind.RECUSAL], "alice"),
    ]
    seen = desk.get(ref).timeline
    for i, (step, expected, actor) in enumerate(steps):
        clock.advance(timedelta(minutes=5))
        v_before = desk.get(ref).version
        after = step()
        assert after.timeline[: len(seen)] == seen, f"step {i} edited the timeline"
        new = after.timeline[len(seen) :]
        assert [e.kind for e in new] == expected, f"step {i}"
        assert all(e.actor == actor and e.at == clock.now() for e in new), f"step {i}"
        assert after.version > v_before, f"step {i} did not bump the case version"
        seen = after.timeline


def test_internal_note_and_customer_update(ctx, desk):
    ref = case_in(desk, S.INVESTIGATING)
    desk.note(ref, "Internal: customer is on legacy plan")
    d = desk.update(ref, "We found the cause and are fixing it.")
    note, update = d.timeline[-2], d.timeline[-1]
    assert (note.kind, note.customer_visible) == (EventKind.NOTE, False)
    assert (update.kind, update.customer_visible) == (EventKind.CUSTOMER_UPDATE, True)
    assert note.text == "Internal: customer is on legacy plan"

    for status in (S.RESOLVED, S.CLOSED):
        ref = case_in(desk, status)
        assert_unchanged(ctx, lambda r=ref: desk.update(r, "More news"))


# ---- next customer update ---------------------------------------------------------------------
def test_next_update_due(desk, clock):
    ref = new_case(desk)
    assert desk.get(ref).next_update_due_at is None  # not acknowledged yet
    d = desk.acknowledge(ref)
    assert d.next_update_due_at == vn(2026, 11, 27, 17)
    clock.set(vn(2026, 11, 26, 11))
    d = desk.note(ref, "internal notes do not count as contact")
    assert d.next_update_due_at == vn(2026, 11, 27, 17)
    d = desk.update(ref, "Progress")
    assert d.next_update_due_at == vn(2026, 11, 30, 17)  # Thu + 2 business days = Mon
    desk.start(ref)
    d = desk.wait(ref, "Need your IP")
    assert d.next_update_due_at is None
    d = desk.update(ref, "Reminder: we still need your IP")
    assert d.next_update_due_at is None  # no update clock while waiting on the customer
    clock.set(vn(2026, 12, 1, 9))
    d = desk.resume(ref)
    assert d.next_update_due_at == vn(2026, 12, 3, 17)
    d = desk.resolve(ref, "Done", "Configuration error")
    assert d.next_update_due_at is None
    assert "next_update" not in {c.name for c in d.clocks}


# ---- escalation -------------------------------------------------------------------------------
def test_escalation_levels_and_who_decides(ctx, agents, desk, clock):
    sue, boss = CaseDesk(ctx, agents["sue"]), CaseDesk(ctx, agents["max"])
    ref = case_in(desk, S.RESOLVED)
    assert_unchanged(ctx, lambda: sue.decide(ref, "confirm", "nothing to decide"))

    d = desk.escalate(ref, "I want to speak to a supervisor")
    assert (d.summary.escalation_level, d.summary.escalation_pending) == (1, True)
    assert d.escalation_requested_at == NOW
    assert d.escalation_due_at == vn(2026, 11, 27, 17)  # 2 business days
    assert d.timeline[-1].customer_visible is False
    assert_unchanged(ctx, lambda: desk.escalate(ref, "again"))  # already pending

    assert_denied(
        ctx,
        lambda: desk.decide(ref, "confirm", "I agree with myself"),
        actor="alice",
        what="decide",
        ref=ref,
    )
    clock.advance(timedelta(hours=1))
    d = sue.decide(ref, "confirm", "The handling followed policy.")
    assert d.summary.escalation_pending is False and d.summary.escalation_level == 1
    decision = d.timeline[-1]
    assert decision.kind is EventKind.ESCALATION_DECISION and decision.customer_visible
    assert decision.actor == "sue" and "The handling followed policy." in decision.text
    assert "resolution confirmed" in decision.text

    d = desk.escalate(ref, "Now I want a manager")
    assert (d.summary.escalation_level, d.summary.escalation_pending) == (2, True)
    assert_denied(
        ctx,
        lambda: sue.decide(ref, "confirm", "Supervisor again"),
        actor="sue",
        what="decide",
        ref=ref,
    )
    assert_denied(
        ctx, lambda: desk.decide(ref, "confirm", "x"), actor="alice", what="decide", ref=ref
    )
    d = boss.decide(ref, "confirm", "Reviewed at manager level.")
    assert d.summary.escalation_pending is False and d.summary.escalation_level == 2
    assert_unchanged(ctx, lambda: desk.escalate(ref, "A third time"))


def test_decisions_by_manager_and_bad_outcomes(ctx, agents, desk):
    ref = case_in(desk, S.RESOLVED)
    desk.escalate(ref, "Supervisor please")
    d = CaseDesk(ctx, agents["max"]).decide(ref, "confirm", "Looked at it myself.")
    assert d.summary.escalation_pending is False

    ref = case_in(desk, S.CLOSED)
    desk.escalate(ref, "Supervisor please")
    sue = CaseDesk(ctx, agents["sue"])
    assert_unchanged(ctx, lambda: sue.decide(ref, "maybe", "x"), exc_type=ValidationFailed)
    assert_unchanged(ctx, lambda: sue.decide(ref, "upheld", "x"), exc_type=ValidationFailed)
    assert_unchanged(ctx, lambda: sue.decide(ref, "confirm", " "), exc_type=ValidationFailed)


def test_escalation_decision_reopened_reopens_a_resolved_case(ctx, agents, desk, clock):
    ref = case_in(desk, S.RESOLVED)
    desk.escalate(ref, "The outcome is not acceptable")
    clock.set(vn(2026, 11, 26, 9))
    d = CaseDesk(ctx, agents["sue"]).decide(ref, "reopen", "We will look again.")
    assert d.status is S.INVESTIGATING
    assert d.resolve_due_at == vn(2026, 12, 3, 17)  # restarted from Thu 26 Nov
    assert d.reopen_count == 1


# ---- extension --------------------------------------------------------------------------------
def test_extension(ctx, desk):
    ref = case_in(desk, S.INVESTIGATING)
    err = assert_unchanged(ctx, lambda: desk.extend(ref, 2, "  "), exc_type=ValidationFailed)
    assert str(err).startswith("explanation")
    for days in (0, -1, 61):
        assert_unchanged(
            ctx, lambda n=days: desk.extend(ref, n, "Vendor delay"), exc_type=ValidationFailed
        )

    ref = case_in(desk, S.INVESTIGATING)
    d = desk.extend(ref, 2, "We are waiting for the datacentre vendor.")
    assert d.resolve_due_at == vn(2026, 12, 4, 17)  # Wed 2 Dec + 2 business days
    assert d.extension_count == 1
    ext = d.timeline[-1]
    assert ext.kind is EventKind.EXTENSION and ext.customer_visible
    assert "We are waiting for the datacentre vendor." in ext.text

    for status in (S.NEW, S.WAITING_ON_CUSTOMER, S.RESOLVED, S.CLOSED):
        ref = case_in(desk, status)
        assert_unchanged(ctx, lambda r=ref: desk.extend(r, 1, "Vendor delay"))


# ---- other refusals leave every row alone ----------------------------------------------------


def test_refused_create_writes_nothing(ctx, desk):
    before = dump(ctx)
    with pytest.raises(ValidationFailed) as info:
        desk.create(draft(customer="", services=[], channel="fax"))
    assert dump(ctx) == before
    fields = {e.field for e in info.value.errors}
    assert {"customer", "services", "channel"} <= fields

    with pytest.raises(Refused):
        desk.create(draft(received_at=NOW + timedelta(minutes=1)))
    assert dump(ctx)["cases"] == []


# ---- one set of refusal sentences: the services' and the case screen's -------------------------
# Each case-screen action with a valid input, as the form would save it.
SCREEN_CALLS = {
    "acknowledge": lambda d, r, s: d.acknowledge(r),
    "investigate": lambda d, r, s: d.resume(r) if s is S.WAITING_ON_CUSTOMER else d.start(r),
    "update": lambda d, r, s: d.update(r, "We are still on it."),
    "wait": lambda d, r, s: d.wait(r, "Please send us the server's IP address."),
    "resolve": lambda d, r, s: d.resolve(r, "Access restored.", "Configuration error"),
    "close": lambda d, r, s: d.close(r, "accepted"),
    "reopen": lambda d, r, s: d.reopen(r, "The fault is back."),
    "escalate": lambda d, r, s: d.escalate(r, "I want a supervisor."),
    "decide": lambda d, r, s: d.decide(r, "confirm", "Handled per policy."),
    "extend": lambda d, r, s: d.extend(r, 2, "The upstream provider is slow."),
    "refer": lambda d, r, s: d.refer(r, "The customer goes to the dispute body."),
}
ESCALATION_STEPS = {
    "pending": ("I want a supervisor.",),
    "decided at manager level": ("I want a supervisor.", "confirm", "Now a manager.", "confirm"),
}


@pytest.mark.parametrize(
    "status_or_escalation", [*S, *ESCALATION_STEPS], ids=lambda v: str(v).replace(" ", "-")
)
def test_the_case_screen_refuses_in_the_services_words(ctx, agents, desk, status_or_escalation):
    """The case screen's pre-check and the service give the same sentence for every refused
    action (who may act, then domain.workflow.action_refusal), and the service changes nothing
    (but the access log, for a permission)."""
    from complaint_tui.tui.screens.case_actions import precheck

    if status_or_escalation in ESCALATION_STEPS:
        ref = case_in(desk, S.RESOLVED)
        boss = CaseDesk(ctx, agents["max"])
        steps = ESCALATION_STEPS[status_or_escalation]
        desk.escalate(ref, steps[0])
        if len(steps) > 1:
            boss.decide(ref, steps[1], "Reviewed.")
            desk.escalate(ref, steps[2])
            boss.decide(ref, steps[3], "Reviewed again.")
    else:
        ref = case_in(desk, status_or_escalation)
    detail = desk.get(ref)
    refused = 0
    for name, call in SCREEN_CALLS.items():
        expected = precheck(name, detail, desk.actor)
        if expected is None:
            continue
        refused += 1
        attempt = lambda c=call: c(desk, ref, detail.status)  # noqa: E731
        if name == "decide":  # refused to an agent for who she is, in every state: logged
            err = assert_denied(ctx, attempt, actor=desk.actor.name, what=name, ref=ref)
        else:
            err = assert_unchanged(ctx, attempt)
        assert str(err) == expected, name
    assert refused >= 3  # every state refuses several of these actions
