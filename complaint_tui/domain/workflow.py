"""Which status changes the policy's workflow allows (SPEC §3 "Statuses and transitions"), and
which actions a case's state allows, each refusal in the one sentence every caller shows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from complaint_tui.domain.enums import CustomerResponse, EscalationOutcome, Status
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


class Action(StrEnum):
    """What can be done to a case; the service verbs and the case screen's keys name these."""

    ACKNOWLEDGE = "acknowledge"
    START = "start"
    RESUME = "resume"
    WAIT = "wait"
    NOTE = "note"
    UPDATE = "update"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    ASSIGN = "assign"
    PRIORITY = "priority"
    ESCALATE = "escalate"
    DECIDE = "decide"
    EXTEND = "extend"
    REFER = "refer"
    RECUSE = "recuse"
    ATTACH = "attach"
    SAVE_ATTACHMENT = "save_attachment"


@dataclass(frozen=True)
class CaseState:
    """The facts about a case that decide which actions may apply to it."""

    ref: str
    status: Status
    escalation_level: int = 0
    escalation_pending: bool = False
    attachments: int | None = None  # None: not counted (only saving an attachment needs it)
    resolved_once: bool = False  # a first outcome exists (it stays through a reopen)
    deadline_missed: bool = False  # the acknowledgement or resolution clock was missed
    customer_response: CustomerResponse | None = None  # at the last closing
    referred: bool = False  # the referral to the external body is recorded

    @property
    def rejected_closing(self) -> bool:
        return self.status is S.CLOSED and self.customer_response is CustomerResponse.REJECTED

    @property
    def passable_to_level_2(self) -> bool:
        """A decided level-1 escalation whose outcome the customer then rejected at closing: the
        supervisor may pass it to a manager without a new request."""
        return self.escalation_level == 1 and not self.escalation_pending and self.rejected_closing


# Actions that move the case to one status, with the verb their refusal uses.
_MOVES: dict[Action, tuple[Status, str]] = {
    Action.ACKNOWLEDGE: (S.ACKNOWLEDGED, "acknowledge"),
    Action.START: (S.INVESTIGATING, "start investigating"),
    Action.RESUME: (S.INVESTIGATING, "resume"),
    Action.WAIT: (S.WAITING_ON_CUSTOMER, "wait on the customer for"),
    Action.RESOLVE: (S.RESOLVED, "resolve"),
    Action.CLOSE: (S.CLOSED, "close"),
    Action.REOPEN: (S.INVESTIGATING, "reopen"),
}


def action_refusal(action: Action, case: CaseState) -> str | None:
    """Why ``action`` cannot apply to a case in this state, in one sentence; None if it may.

    Only the case's state is judged here: who is acting (permissions) and what was typed are
    the services' to check. The services call this inside each action, and the case screen
    calls it before offering a form, so both say the same words.
    """
    ref, status = case.ref, case.status
    if action is Action.START:
        if status is S.WAITING_ON_CUSTOMER:
            return f"{ref} is waiting on the customer; use resume to continue investigating."
        if not status.is_open:
            return f"{ref} is {describe(status)}; reopen it with a reason to investigate again."
    elif action is Action.RESUME and status is not S.WAITING_ON_CUSTOMER:
        return f"Cannot resume {ref}: it is not waiting on the customer."
    elif action is Action.REOPEN and status.is_open:
        return f"Cannot reopen {ref}: it is {describe(status)}, not resolved or closed."
    elif action is Action.UPDATE and not status.is_open:
        return f"{ref} is {describe(status)}; reopen it before sending progress updates."
    elif action is Action.EXTEND and status not in (S.ACKNOWLEDGED, S.INVESTIGATING):
        return (
            f"Cannot extend {ref} while it is {describe(status)}; only an acknowledged or "
            "investigating case has a running resolution clock."
        )
    elif action is Action.ESCALATE:
        if case.escalation_pending:
            return f"{ref} already awaits a level-{case.escalation_level} escalation decision."
        if case.escalation_level >= 2:
            return (
                f"{ref} has been decided at manager level; offer external dispute resolution "
                "(refer) instead."
            )
        if not (case.resolved_once or not case.status.is_open or case.deadline_missed):
            # Policy §3: escalation reviews how a complaint was handled; there must be a first
            # outcome to review, or a deadline the customer was kept waiting past.
            return (
                f"{ref} cannot be escalated yet: it has no outcome to review and has missed "
                "no deadline."
            )
    elif action is Action.DECIDE:
        if not (case.escalation_pending or case.passable_to_level_2):
            return f"{ref} has no escalation awaiting a decision."
    elif action is Action.REFER:
        if case.referred:
            return f"{ref} was already referred to the external body; a referral is recorded once."
        final = case.escalation_level >= 2 and not case.escalation_pending
        if not (final or case.rejected_closing):
            return (
                f"{ref} can be referred to the external body only after a manager's level-2 "
                "decision or a closing the customer rejected."
            )
    elif action is Action.SAVE_ATTACHMENT and case.attachments == 0:
        return f"{ref} has no attachments."
    if action in _MOVES:
        target, verb = _MOVES[action]
        if status is target:
            return f"{ref} is already {describe(status)}."
        if not can_transition(status, target):
            return refusal(ref, status, target, verb)
    return None


def decision_refusal(outcome: EscalationOutcome, case: CaseState) -> str | None:
    """Why this decision cannot be recorded on the case, in one sentence; None if it may.

    Judged after action_refusal(Action.DECIDE, ...) allowed a decision at all."""
    problem = action_refusal(Action.DECIDE, case)
    if problem is not None:
        return problem
    ref = case.ref
    if not case.escalation_pending:  # passable_to_level_2: the one decision left
        if outcome is not EscalationOutcome.REFER_UP:
            return (
                f"{ref}'s level-1 escalation is decided; after the customer rejected the outcome "
                "at closing it can only be referred to level 2."
            )
        return None
    if outcome is EscalationOutcome.REFER_UP and case.escalation_level >= 2:
        return (
            f"{ref} is at level 2, the last one; confirm the resolution or reopen it "
            "for investigation."
        )
    if outcome is EscalationOutcome.CONFIRM and case.status.is_open:
        also = " or refer it to level 2" if case.escalation_level < 2 else ""
        return (
            f"{ref} is {describe(case.status)}, so there is no resolution to confirm; "
            f"reopen it for investigation{also}."
        )
    return None


def decidable_outcomes(case: CaseState) -> tuple[EscalationOutcome, ...]:
    """The decisions the case's state allows now, in the order a form offers them."""
    return tuple(o for o in EscalationOutcome if decision_refusal(o, case) is None)


def allowed_actions(case: CaseState) -> frozenset[Action]:
    """Every action the case's state allows now (e.g. for a footer showing only those)."""
    return frozenset(a for a in Action if action_refusal(a, case) is None)
