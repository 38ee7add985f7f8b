"""Escalations on SQLite and PostgreSQL: the rules for requests, decisions and referrals, what
each decision records, and the escalation screen's lists and counts (services/escalations.py).

The clock is Wed 2026-11-25 10:00 in Ho Chi Minh City; Tue 24 Nov is a public holiday.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from complaint_tui.domain.enums import EventKind, Status, Urgency
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import ValidationFailed
from complaint_tui.services.escalations import (
    DECIDED_DAYS,
    EscalationService,
    EscalationView,
    views_for,
)
from complaint_tui.store.models import Escalation, EscalationDecision
from tests.helpers_db import assert_denied, assert_unchanged, draft

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MINE, PENDING, DECIDED, MY_CASES = (
    EscalationView.MINE,
    EscalationView.PENDING,
    EscalationView.DECIDED,
    EscalationView.MY_CASES,
)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def desks(ctx, agents) -> dict[str, CaseDesk]:
    return {name: CaseDesk(ctx, actor) for name, actor in agents.items()}


def resolved_case(desk: CaseDesk, **overrides) -> str:
    ref = desk.create(draft(**overrides)).ref
    desk.assign(ref, desk.actor.name)
    desk.start(ref)
    desk.resolve(ref, "We restarted the VPS and credited a day.", "Software defect")
    return ref


def rows(service: EscalationService, view: EscalationView, limit: int = 500):
    return service.first(view, limit).rows


# ---- who may ask, and when --------------------------------------------------------------------
def test_a_request_needs_an_outcome_or_a_missed_deadline(ctx, desks, clock):
    alice = desks["alice"]
    ref = alice.create(draft()).ref
    alice.assign(ref, "alice")
    err = assert_unchanged(ctx, lambda: alice.escalate(ref, "I want a supervisor."))
    assert str(err) == (
        f"{ref} cannot be escalated yet: it has no outcome to review and has missed no deadline."
    )
    alice.start(ref)
    assert_unchanged(ctx, lambda: alice.escalate(ref, "I want a supervisor."))
    alice.resolve(ref, "Fixed.", "Configuration error")
    d = alice.escalate(ref, "I want a supervisor.")
    assert (d.summary.escalation_level, d.summary.escalation_pending) == (1, True)

    # Reopened after a first outcome: still open to escalation.
    other = resolved_case(alice)
    alice.reopen(other, "The fault is back.")
    assert alice.escalate(other, "Again broken; a supervisor, please.").summary.escalation_pending


def test_a_missed_acknowledgement_or_resolution_opens_escalation(ctx, desks, clock):
    alice = desks["alice"]

    def new_case() -> str:  # hers: an agent changes only the cases she holds
        return alice.assign(alice.create(draft()).ref, "alice").ref

    late_ack = new_case()  # acknowledgement due Thu 26 Nov 17:00
    clock.set(vn(2026, 11, 26, 17))
    assert alice.escalate(late_ack, "Nobody answered me.").summary.escalation_pending

    clock.set(vn(2026, 11, 25, 10))
    met_late = new_case()
    clock.set(vn(2026, 11, 27, 9))  # acknowledged a day late, then investigating
    alice.start(met_late)
    assert alice.escalate(met_late, "You answered late.").summary.escalation_pending

    clock.set(vn(2026, 11, 25, 10))
    paused_late = new_case()
    alice.start(paused_late)  # resolution due Wed 2 Dec 17:00
    clock.set(vn(2026, 12, 3, 9))
    alice.wait(paused_late, "Please send the logs.")  # paused after its deadline
    assert alice.escalate(paused_late, "Still not solved.").summary.escalation_pending

    clock.set(vn(2026, 11, 25, 10))
    in_time = new_case()
    alice.start(in_time)
    alice.wait(in_time, "Please send the logs.")  # paused with time left
    clock.set(vn(2026, 12, 10, 9))
    assert_unchanged(ctx, lambda: alice.escalate(in_time, "Still waiting."))


# ---- decisions --------------------------------------------------------------------------------
def test_a_decision_records_decider_explanation_and_internal_note(ctx, desks, clock):
    alice, sue = desks["alice"], desks["sue"]
    ref = resolved_case(alice)
    alice.escalate(ref, "The credit is too small.\nI was offline for two days.")
    clock.advance(timedelta(hours=2))
    d = sue.decide(ref, "confirm", "The credit follows our SLA table.", "Checked the SLA sheet.")
    assert d.summary.escalation_pending is False
    assert d.status is Status.RESOLVED

    (escalation,) = d.escalations
    assert (escalation.level, escalation.requested_by) == (1, "alice")
    assert escalation.request == "The credit is too small.\nI was offline for two days."
    assert escalation.due_at == vn(2026, 11, 27, 17)
    (decision,) = escalation.decisions
    assert (decision.outcome.value, decision.decided_by) == ("confirm", "sue")
    assert decision.explanation == "The credit follows our SLA table."
    assert decision.note == "Checked the SLA sheet."
    assert decision.decided_at == vn(2026, 11, 25, 12)

    told = [e for e in d.timeline if e.kind is EventKind.ESCALATION_DECISION]
    assert [(e.actor, e.customer_visible) for e in told] == [("sue", True)]
    assert told[0].text == "level 1, resolution confirmed: The credit follows our SLA table."
    note = d.timeline[-1]
    assert (note.kind, note.customer_visible) == (EventKind.NOTE, False)
    assert "Checked the SLA sheet." in note.text
    customer_sees = " ".join(e.text for e in d.timeline if e.customer_visible)
    assert "SLA sheet" not in customer_sees, "the internal note never reaches the customer"

    with ctx.db.session() as s:
        stored = s.scalars(select(EscalationDecision)).all()
    assert [(r.level, r.outcome, r.decided_by, r.note) for r in stored] == [
        (1, "confirm", "sue", "Checked the SLA sheet.")
    ]


def test_decisions_are_refused_in_one_sentence(ctx, desks):
    alice, sue, max_ = desks["alice"], desks["sue"], desks["max"]
    ref = resolved_case(alice)
    alice.reopen(ref, "Down again.")
    alice.escalate(ref, "A supervisor, please.")  # the case is open again
    err = assert_unchanged(ctx, lambda: sue.decide(ref, "confirm", "It stands."))
    assert "so there is no resolution to confirm" in str(err)
    assert_unchanged(ctx, lambda: sue.decide(ref, "maybe", "x"), exc_type=ValidationFailed)
    err = assert_unchanged(ctx, lambda: sue.decide(ref, "reopen", "  "), exc_type=ValidationFailed)
    assert str(err).startswith("explanation")
    assert_denied(
        ctx,
        lambda: alice.decide(ref, "reopen", "I decide myself."),
        actor="alice",
        what="decide",
        ref=ref,
    )
    sue.decide(ref, "refer-up", "A manager will review this.")
    err = assert_unchanged(ctx, lambda: max_.decide(ref, "refer-up", "Up again."))
    assert "is at level 2, the last one" in str(err)


def test_refer_up_passes_the_request_to_a_manager(ctx, desks, clock):
    alice, sue, max_ = desks["alice"], desks["sue"], desks["max"]
    ref = resolved_case(alice)
    alice.escalate(ref, "One day of credit is not enough.")
    clock.set(vn(2026, 11, 26, 9))
    d = sue.decide(ref, "refer-up", "Your request goes to our manager.", "Needs a bigger credit.")
    assert (d.summary.escalation_level, d.summary.escalation_pending) == (2, True)
    assert d.escalation_requested_at == vn(2026, 11, 26, 9)
    assert d.escalation_due_at == vn(2026, 11, 30, 17)  # Fri 27, Mon 30
    first, second = d.escalations
    assert [o.outcome.value for o in first.decisions] == ["refer-up"]
    assert (second.level, second.requested_by, second.request, second.pending) == (
        2,
        "sue",
        "One day of credit is not enough.",
        True,
    )
    kinds = [(e.kind, e.actor) for e in d.timeline[-3:]]
    assert kinds == [
        (EventKind.ESCALATION_DECISION, "sue"),
        (EventKind.NOTE, "sue"),
        (EventKind.ESCALATION_REQUEST, "sue"),
    ]
    assert d.timeline[-3].text == "level 1, referred to level 2: Your request goes to our manager."
    assert d.timeline[-1].text.startswith("level 2 (manager): ")

    assert_denied(
        ctx, lambda: sue.decide(ref, "confirm", "Mine."), actor="sue", what="decide", ref=ref
    )
    d = max_.decide(ref, "reopen", "We look at the outage again.")
    assert d.status is Status.INVESTIGATING and d.summary.escalation_pending is False
    assert [len(e.decisions) for e in d.escalations] == [1, 1]


def test_a_rejected_closing_after_level_1_lets_the_supervisor_refer_it_up(ctx, desks, clock):
    alice, sue = desks["alice"], desks["sue"]
    ref = resolved_case(alice)
    alice.escalate(ref, "Still down at night.")
    sue.decide(ref, "reopen", "We will check the night jobs.")
    alice.resolve(ref, "We moved the night backup job.", "Planned maintenance")
    assert_unchanged(ctx, lambda: sue.decide(ref, "refer-up", "Up."))  # no rejection yet
    alice.close(ref, "rejected")
    err = assert_unchanged(ctx, lambda: sue.decide(ref, "confirm", "It stands."))
    assert "can only be referred to level 2" in str(err)
    d = sue.decide(ref, "refer-up", "A manager reviews your case.")
    assert (d.summary.escalation_level, d.summary.escalation_pending) == (2, True)
    assert [len(e.decisions) for e in d.escalations] == [2, 0]  # reopen, then refer up
    assert d.escalations[1].request == "Still down at night."


# ---- the external body ------------------------------------------------------------------------
def test_referral_follows_a_final_decision_or_a_rejected_closing_and_is_recorded_once(ctx, desks):
    alice, sue, max_ = desks["alice"], desks["sue"], desks["max"]
    ref = resolved_case(alice)
    err = assert_unchanged(ctx, lambda: alice.refer(ref, "The customer asked."))
    assert str(err) == (
        f"{ref} can be referred to the external body only after a manager's level-2 decision "
        "or a closing the customer rejected."
    )
    alice.escalate(ref, "A supervisor, please.")
    sue.decide(ref, "refer-up", "A manager reviews it.")
    assert_unchanged(ctx, lambda: alice.refer(ref, "Pending at level 2."))
    max_.decide(ref, "confirm", "The resolution stands.")
    d = alice.refer(ref, "The customer goes to the dispute body.")
    assert d.referred_to == ctx.settings.external.name
    err = assert_unchanged(ctx, lambda: alice.refer(ref, "Again."))
    assert "a referral is recorded once" in str(err)

    rejected = resolved_case(alice)
    alice.close(rejected, "accepted")
    assert_unchanged(ctx, lambda: alice.refer(rejected, "Accepted, so no."))
    alice.reopen(rejected, "Broken again.")
    alice.resolve(rejected, "Fixed again.", "Configuration error")
    alice.close(rejected, "rejected")
    assert alice.refer(rejected).timeline[-1].kind is EventKind.REFERRAL


# ---- the escalation screen's lists --------------------------------------------------------------
@pytest.fixture
def levels(ctx, desks, clock) -> dict[str, str]:
    """Two level-1 requests, one referred to level 2, one decided at level 2, one older decision."""
    alice, bob, sue, max_ = desks["alice"], desks["bob"], desks["sue"], desks["max"]
    old = resolved_case(alice)
    clock.set(vn(2026, 8, 3, 10))  # long ago: out of the Decided view's 90 days
    alice.escalate(old, "Old request.")
    sue.decide(old, "confirm", "Old decision.")
    clock.set(vn(2026, 11, 20, 10))
    l1_alice = resolved_case(alice)
    alice.escalate(l1_alice, "Alice's customer asks.")  # due Wed 25 17:00
    clock.set(vn(2026, 11, 23, 9))
    l1_bob = resolved_case(bob)
    bob.escalate(l1_bob, "Bob's customer asks.")  # due Thu 26 17:00
    l2 = resolved_case(bob)
    bob.escalate(l2, "Up to a manager.")
    sue.decide(l2, "refer-up", "A manager reviews it.")
    decided = resolved_case(alice)
    alice.escalate(decided, "Decide me.")
    clock.set(vn(2026, 11, 24, 9))
    sue.decide(decided, "refer-up", "Up.")
    max_.decide(decided, "confirm", "Stands.")
    clock.set(vn(2026, 11, 25, 10))
    return {"old": old, "l1_alice": l1_alice, "l1_bob": l1_bob, "l2": l2, "decided": decided}


def test_mine_to_decide_is_exactly_the_reviewers_level(ctx, desks, levels):
    sue, max_ = EscalationService(desks["sue"]), EscalationService(desks["max"])
    assert [(r.ref, r.level) for r in rows(sue, MINE)] == [
        (levels["l1_alice"], 1),
        (levels["l1_bob"], 1),
    ]
    assert [(r.ref, r.level) for r in rows(max_, MINE)] == [(levels["l2"], 2)]
    everything = [(r.ref, r.level) for r in rows(sue, PENDING)]
    assert everything == [(levels["l1_alice"], 1), (levels["l1_bob"], 1), (levels["l2"], 2)]
    assert [(r.ref, r.level) for r in rows(max_, PENDING)] == everything
    row = rows(sue, MINE)[0]
    assert (row.request, row.assignee, row.status, row.pending) == (
        "Alice's customer asks.",
        "alice",
        Status.RESOLVED,
        True,
    )


def test_decided_is_the_last_90_days_newest_first(ctx, desks, levels):
    sue = EscalationService(desks["sue"])
    decided = rows(sue, DECIDED)
    assert [(r.ref, r.level, r.outcome.value, r.decided_by) for r in decided] == [
        (levels["decided"], 2, "confirm", "max"),
        (levels["decided"], 1, "refer-up", "sue"),
        (levels["l2"], 1, "refer-up", "sue"),
    ]
    assert len({r.id for r in decided}) == 3, "a case decided twice is two rows"
    assert all(r.decided_at >= ctx.now() - timedelta(days=DECIDED_DAYS) for r in decided)
    assert decided[0].request == "Decide me."


def test_an_agent_sees_their_own_escalated_cases(ctx, desks, agents, levels):
    assert views_for(agents["alice"]) == (MY_CASES,)
    assert views_for(agents["sue"]) == (MINE, PENDING, DECIDED)
    mine = rows(EscalationService(desks["alice"]), MY_CASES)
    # Pending first, by review deadline, then the decided ones.
    assert [(r.ref, r.pending) for r in mine] == [
        (levels["l1_alice"], True),
        (levels["old"], False),
        (levels["decided"], False),
    ]
    bobs = rows(EscalationService(desks["bob"]), MY_CASES)
    assert [r.ref for r in bobs] == [levels["l1_bob"], levels["l2"]]


def test_pages_walk_the_views_forwards_and_backwards(ctx, desks, clock):
    alice, sue = desks["alice"], desks["sue"]
    refs = []
    for day in (16, 17, 18, 19, 20, 23):
        clock.set(vn(2026, 11, day, 9))
        ref = resolved_case(alice)
        alice.escalate(ref, f"Request of the {day}th.")
        refs.append(ref)
    clock.set(vn(2026, 11, 25, 10))
    for ref in refs[:4]:
        sue.decide(ref, "confirm", "Stands.")
        clock.advance(timedelta(minutes=1))
    service = EscalationService(sue)
    for view, expected in ((PENDING, refs[4:]), (DECIDED, list(reversed(refs[:4])))):
        seen, page = [], service.first(view, 1)
        while True:
            seen += [r.ref for r in page.rows]
            if page.at_end:
                break
            page = service.after(view, service.key_of(view, page.rows[-1]), 1)
        assert seen == expected, view
        back, page = [], service.last(view, 1)
        assert page.at_end
        while True:
            back = [r.ref for r in page.rows] + back
            if page.at_start:
                break
            page = service.before(view, service.key_of(view, page.rows[0]), 1)
        assert back == expected, view
        again = service.after(view, service.key_just_before(view, page.rows[0]), 10)
        assert [r.ref for r in again.rows] == expected


# ---- the summary counts agree with the badges, at every band ------------------------------------
# Review deadlines of requests made at these instants: Thu 19 → Mon 23 17:00, Mon 23 → Thu 26
# 17:00, Wed 25 9:00 → Fri 27 17:00, Thu 26 9:00 → Mon 30 17:00.
REQUESTS = [vn(2026, 11, 19, 9), vn(2026, 11, 23, 9), vn(2026, 11, 25, 9), vn(2026, 11, 26, 9)]
# Each instant puts some deadline in another band: "soon" is up to 9 business hours left,
# "urgent" up to 3.
NOWS = {
    vn(2026, 11, 26, 9): {Urgency.BREACHED, Urgency.SOON, Urgency.OK},
    vn(2026, 11, 26, 15): {Urgency.BREACHED, Urgency.URGENT, Urgency.OK},
    vn(2026, 11, 27, 9): {Urgency.BREACHED, Urgency.SOON, Urgency.OK},
    vn(2026, 11, 27, 16): {Urgency.BREACHED, Urgency.URGENT, Urgency.OK},
}
# Every deadline is at close of business, so one instant never shows urgent and soon together.


def test_summary_counts_agree_with_the_badges_at_every_band(ctx, desks, clock):
    alice, sue = desks["alice"], desks["sue"]
    for at in REQUESTS:
        clock.set(at - timedelta(hours=20))
        ref = resolved_case(alice)
        clock.set(at)
        alice.escalate(ref, "A supervisor, please.")
    decided = resolved_case(alice)
    alice.escalate(decided, "Decide late.")  # asked Thu 26 9:00: due Mon 30 17:00
    seen: set[Urgency] = set()
    for now, bands in NOWS.items():
        clock.set(now)
        for desk in (sue, alice):
            service = EscalationService(desk)
            for view in views_for(desk.actor):
                listed = rows(service, view)
                counts = service.counts(view)
                badges = Counter(r.badge(ctx.sla, now).band for r in listed)
                for band in set(counts.bands) | set(badges):
                    assert counts.bands.get(band, 0) == badges.get(band, 0), (now, view, band)
                assert counts.total == len(listed) == counts.views[view]
                seen |= set(badges)
            pending = {r.badge(ctx.sla, now).band for r in rows(service, views_for(desk.actor)[0])}
            if desk is sue:
                assert pending == bands, now
    assert {Urgency.BREACHED, Urgency.URGENT, Urgency.SOON, Urgency.OK} <= seen

    clock.set(vn(2026, 12, 3, 9))  # decided 19 business hours after its deadline
    sue.decide(decided, "confirm", "Stands.")
    service = EscalationService(sue)
    listed = rows(service, DECIDED)
    counts = service.counts(DECIDED)
    assert counts.bands[Urgency.DONE] == len(listed) == 1
    assert counts.late == sum("late" in r.badge(ctx.sla, ctx.now()).text for r in listed) == 1
    assert listed[0].badge(ctx.sla, ctx.now()).text == "✓ 2d late"


def test_the_records_are_append_only_rows_of_their_own(ctx, desks):
    alice, sue = desks["alice"], desks["sue"]
    ref = resolved_case(alice)
    alice.escalate(ref, "Please review.")
    sue.decide(ref, "refer-up", "Up.")
    with ctx.db.session() as s:
        requests = s.scalars(select(Escalation).order_by(Escalation.level)).all()
        decisions = s.scalars(select(EscalationDecision)).all()
    assert [(r.level, r.requested_by) for r in requests] == [(1, "alice"), (2, "sue")]
    assert [(d.escalation_id, d.level, d.outcome) for d in decisions] == [
        (requests[0].id, 1, "refer-up")
    ]
