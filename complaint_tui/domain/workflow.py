"""Which status changes the policy's workflow allows (SPEC §3 "Statuses and transitions")."""

from __future__ import annotations

from complaint_tui.domain.enums import Status
from complaint_tui.domain.labels import status_label

S = Status

ALLOWED: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED, S.INVESTIGATING}),
    S.ACKNOWLEDGED: frozenset({S.INVESTIGATING, S.RESOLVED}),
    S.INVESTIGATING: frozenset({S.WAITING_ON_CUSTOMER, S.RESOLVED}),
    S.WAITING_ON_CUSTOMER: frozenset({S.INVESTIGATING, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.INVESTIGATING}),
    S.CLOSED: frozenset({S.INVESTIGATING}),
}


def describe(status: Status) -> str:
    """The status as people read it (domain/labels.py holds every label)."""
    return status_label(status)


def can_transition(current: Status, target: Status) -> bool:
    return target in ALLOWED[current]


def refusal(ref: str, current: Status, target: Status, verb: str) -> str:
    """One clear sentence saying why an action is refused."""
    allowed = sorted(ALLOWED[current], key=list(Status).index)
    names = [describe(s) for s in allowed]
    hint = " or ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " or " + names[-1]
    # Not "a {status} case": that reads "a acknowledged case", "a under investigation case".
    return (
        f"Cannot {verb} {ref}: it is {describe(current)}, and from there it can only become {hint}."
    )
