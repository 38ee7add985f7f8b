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

from complaint_tui.domain.enums import Status
from complaint_tui.domain.workflow import can_transition, describe, refusal

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
