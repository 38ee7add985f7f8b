"""The status transitions of SPEC §3 "Statuses and transitions", pair by pair.

new → acknowledged → investigating ⇄ waiting_on_customer → resolved → closed
- new → investigating also acknowledges;
- acknowledged | investigating | waiting_on_customer → resolved;
- resolved | closed → investigating (reopen);
- any other transition is refused.
"""

from __future__ import annotations

import re
from itertools import product

import pytest

from complaint_tui.domain.enums import CustomerResponse, EscalationOutcome, Status
from complaint_tui.domain.workflow import (
    Action,
    CaseState,
    action_refusal,
    allowed_actions,
    can_transition,
    decidable_outcomes,
    decision_refusal,
    describe,
    refusal,
)

N, A, I, W, R, C = (  # noqa: E741 - one letter per status keeps the matrix readable
    Status.NEW,
    Status.ACKNOWLEDGED,
    Status.INVESTIGATING,
    Status.WAITING_ON_CUSTOMER,
    Status.RESOLVED,
    Status.CLOSED,
)

# Written from the SPEC text, not from workflow.ALLOWED.
SPEC_ALLOWED = {
    (N, A),  # acknowledge
    (N, I),  # start, which also acknowledges
    (A, I),
    (I, W),  # wait on the customer
    (W, I),  # resume
    (A, R),
    (I, R),
    (W, R),
    (R, C),  # close
    (R, I),  # reopen
    (C, I),  # reopen
}

ALL_PAIRS = list(product(Status, Status))


def test_matrix_covers_every_pair() -> None:
    assert len(ALL_PAIRS) == 36
    assert len(SPEC_ALLOWED) == 11


@pytest.mark.parametrize(
    ("current", "target"),
    sorted(SPEC_ALLOWED, key=ALL_PAIRS.index),
    ids=[f"{c.value}->{t.value}" for c, t in sorted(SPEC_ALLOWED, key=ALL_PAIRS.index)],
)
def test_allowed_transitions(current: Status, target: Status) -> None:
    assert can_transition(current, target)


REFUSED = [pair for pair in ALL_PAIRS if pair not in SPEC_ALLOWED]


@pytest.mark.parametrize(
    ("current", "target"), REFUSED, ids=[f"{c.value}->{t.value}" for c, t in REFUSED]
)
def test_refused_transitions(current: Status, target: Status) -> None:
    assert not can_transition(current, target)


@pytest.mark.parametrize("status", list(Status), ids=[s.value for s in Status])
def test_no_status_transitions_to_itself(status: Status) -> None:
    assert not can_transition(status, status)


def test_nothing_goes_back_to_new() -> None:
    assert not any(can_transition(s, N) for s in Status)


REF = "C-2026-00042"

REFUSALS = [
    ("resolve", N, R, "resolve", ["acknowledged", "under investigation"]),
    ("close-new", N, C, "close", ["acknowledged", "under investigation"]),
    ("acknowledge-twice", A, A, "acknowledge", ["under investigation", "resolved"]),
    (
        "wait-from-acknowledged",
        A,
        W,
        "wait on the customer for",
        ["under investigation", "resolved"],
    ),
    ("close-investigating", I, C, "close", ["waiting on the customer", "resolved"]),
    ("close-waiting", W, C, "close", ["under investigation", "resolved"]),
    ("resolve-twice", R, R, "resolve", ["closed", "under investigation"]),
    ("close-twice", C, C, "close", ["under investigation"]),
    ("acknowledge-closed", C, A, "acknowledge", ["under investigation"]),
]


@pytest.mark.parametrize(
    ("current", "target", "verb", "allowed"),
    [c[1:] for c in REFUSALS],
    ids=[c[0] for c in REFUSALS],
)
def test_refusal_is_one_clear_sentence(
    current: Status, target: Status, verb: str, allowed: list[str]
) -> None:
    assert not can_transition(current, target)
    message = refusal(REF, current, target, verb)
    assert message.startswith(f"Cannot {verb} {REF}")
    assert REF in message
    assert f"it is {describe(current)}" in message
    for name in allowed:
        assert name in message
    # one sentence: a capital letter, one full stop at the very end, one line
    assert message[0].isupper()
    assert message.endswith(".")
    assert message.count(".") == 1
    assert "\n" not in message
    # and in English: no "a acknowledged case", "a under investigation case"
    assert not re.search(r"\ba [aeiou]", message), message


def test_status_labels_are_distinct_and_cover_every_status() -> None:
    labels = [describe(s) for s in Status]
    assert len(set(labels)) == len(Status)
    assert describe(W) == "waiting on the customer"


# ---- which actions a case's state allows, and why not ---------------------------------------
def state(
    status: Status, level: int = 0, pending: bool = False, attachments=None, **more
) -> CaseState:
    return CaseState(REF, status, level, pending, attachments, **more)


REJECTED = CustomerResponse.REJECTED


ACTION_REFUSALS = [
    # (action, state, the sentence or a part of it; None = allowed)
    (Action.ACKNOWLEDGE, state(N), None),
    (Action.ACKNOWLEDGE, state(A), f"{REF} is already acknowledged."),
    (Action.ACKNOWLEDGE, state(I), f"Cannot acknowledge {REF}: it is under investigation"),
    (Action.START, state(N), None),
    (Action.START, state(A), None),
    (Action.START, state(I), f"{REF} is already under investigation."),
    (Action.START, state(W), "use resume to continue investigating."),
    (Action.START, state(R), f"{REF} is resolved; reopen it with a reason"),
    (Action.START, state(C), f"{REF} is closed; reopen it with a reason"),
    (Action.RESUME, state(W), None),
    (Action.RESUME, state(I), f"Cannot resume {REF}: it is not waiting on the customer."),
    (Action.WAIT, state(I), None),
    (Action.WAIT, state(W), f"{REF} is already waiting on the customer."),
    (Action.WAIT, state(A), f"Cannot wait on the customer for {REF}: it is acknowledged"),
    (Action.UPDATE, state(W), None),
    (Action.UPDATE, state(R), f"{REF} is resolved; reopen it before sending progress updates."),
    (Action.RESOLVE, state(W), None),
    (Action.RESOLVE, state(N), f"Cannot resolve {REF}: it is new"),
    (Action.RESOLVE, state(R), f"{REF} is already resolved."),
    (Action.CLOSE, state(R), None),
    (Action.CLOSE, state(C), f"{REF} is already closed."),
    (Action.CLOSE, state(I), f"Cannot close {REF}: it is under investigation"),
    (Action.REOPEN, state(C), None),
    (Action.REOPEN, state(W), "it is waiting on the customer, not resolved or closed."),
    (Action.EXTEND, state(A), None),
    (Action.EXTEND, state(W), f"Cannot extend {REF} while it is waiting on the customer;"),
    (Action.ESCALATE, state(R, level=1, resolved_once=True), None),
    (Action.ESCALATE, state(I, 1, True), "already awaits a level-1 escalation decision."),
    (Action.ESCALATE, state(I, 2), "offer external dispute resolution (refer) instead."),
    # Policy §3: a review needs a first outcome, or a deadline the customer was kept waiting past.
    (Action.ESCALATE, state(I), "it has no outcome to review and has missed no deadline."),
    (Action.ESCALATE, state(N), "cannot be escalated yet"),
    (Action.ESCALATE, state(N, deadline_missed=True), None),
    (Action.ESCALATE, state(I, resolved_once=True), None),  # resolved once, then reopened
    (Action.DECIDE, state(R, 1, True), None),
    (Action.DECIDE, state(R, 1), f"{REF} has no escalation awaiting a decision."),
    # A decided level 1 whose outcome the customer rejected at closing: the supervisor may pass
    # it to a manager without a new request.
    (Action.DECIDE, state(C, 1, customer_response=REJECTED), None),
    (Action.DECIDE, state(C, 2, customer_response=REJECTED), "has no escalation awaiting"),
    (Action.DECIDE, state(C, 1, customer_response=CustomerResponse.ACCEPTED), "has no escalation"),
    # The external body comes after the last internal level, or a rejected closing; once.
    (Action.REFER, state(R, 2), None),
    (Action.REFER, state(C, 0, customer_response=REJECTED), None),
    (Action.REFER, state(R, 2, True), "only after a manager's level-2 decision or a closing"),
    (Action.REFER, state(C, 1), "only after a manager's level-2 decision or a closing"),
    (Action.REFER, state(I), "can be referred to the external body only after"),
    (Action.REFER, state(R, 2, referred=True), "a referral is recorded once."),
    (Action.SAVE_ATTACHMENT, state(N, attachments=0), f"{REF} has no attachments."),
    (Action.SAVE_ATTACHMENT, state(N, attachments=2), None),
    (Action.NOTE, state(C), None),
    (Action.ATTACH, state(C), None),
]


@pytest.mark.parametrize(
    ("action", "case", "words"),
    ACTION_REFUSALS,
    ids=[f"{a.value}-{c.status.value}-{i}" for i, (a, c, _w) in enumerate(ACTION_REFUSALS)],
)
def test_action_refusal(action: Action, case: CaseState, words: str | None) -> None:
    message = action_refusal(action, case)
    if words is None:
        assert message is None
        return
    assert message is not None and words in message
    assert REF in message and message.endswith(".") and "\n" not in message
    assert "_" not in message, "raw status names do not belong in a sentence"


def test_allowed_actions_follow_the_refusals() -> None:
    new = allowed_actions(state(N, attachments=0))
    assert Action.ACKNOWLEDGE in new and Action.START in new and Action.NOTE in new
    assert not new & {Action.RESUME, Action.CLOSE, Action.REOPEN, Action.DECIDE}
    assert Action.SAVE_ATTACHMENT not in new
    closed = allowed_actions(state(C, level=1, attachments=1))
    assert Action.REOPEN in closed and Action.ESCALATE in closed
    assert Action.SAVE_ATTACHMENT in closed
    assert not closed & {Action.ACKNOWLEDGE, Action.UPDATE, Action.EXTEND, Action.CLOSE}
    for status in Status:
        case = state(status)
        assert allowed_actions(case) == {a for a in Action if action_refusal(a, case) is None}


# ---- which decision an escalation allows ------------------------------------------------------
CONFIRM, REOPEN, REFER_UP = (
    EscalationOutcome.CONFIRM,
    EscalationOutcome.REOPEN,
    EscalationOutcome.REFER_UP,
)
DECISIONS = [
    # (state, outcome, the sentence or a part of it; None = allowed)
    (state(R, 1, True), CONFIRM, None),
    (state(R, 1, True), REOPEN, None),
    (state(R, 1, True), REFER_UP, None),
    (state(C, 2, True), CONFIRM, None),
    (state(C, 2, True), REOPEN, None),
    (state(C, 2, True), REFER_UP, "is at level 2, the last one"),
    # An open case (escalated for a missed deadline, or reopened) has no resolution to confirm.
    (state(I, 1, True), CONFIRM, "so there is no resolution to confirm; reopen it for"),
    (state(I, 1, True), REOPEN, None),
    (state(I, 1, True), REFER_UP, None),
    (state(N, 2, True), CONFIRM, "reopen it for investigation."),
    # After a rejected closing, a decided level 1 can only be passed up.
    (state(C, 1, customer_response=REJECTED), REFER_UP, None),
    (state(C, 1, customer_response=REJECTED), CONFIRM, "can only be referred to level 2."),
    (state(C, 1, customer_response=REJECTED), REOPEN, "can only be referred to level 2."),
    (state(R, 1), CONFIRM, "has no escalation awaiting a decision."),
]


@pytest.mark.parametrize(
    ("case", "outcome", "words"),
    DECISIONS,
    ids=[
        f"{o.value}-{c.status.value}-L{c.escalation_level}-{i}"
        for i, (c, o, _) in enumerate(DECISIONS)
    ],
)
def test_decision_refusal(case: CaseState, outcome: EscalationOutcome, words: str | None) -> None:
    message = decision_refusal(outcome, case)
    if words is None:
        assert message is None
    else:
        assert message is not None and words in message
        assert REF in message and message.endswith(".") and "\n" not in message
    assert (outcome in decidable_outcomes(case)) is (words is None)
