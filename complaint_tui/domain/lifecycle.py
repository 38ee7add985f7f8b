"""What each workflow step does to a case's record and clocks (SPEC §3), one step at a time.

The steps work on any object with the case's attributes (``status``, ``ack_due_at``,
``resolve_due_at``, ``paused_at``, ...): the live services apply them to the stored row
(services/cases.py), and the history import replays a file's histories through them on a
plain record before writing it (domain/history.py), so both compute the same due instants.
Each step first asks the workflow (domain/workflow.py) whether the case's state allows it,
raising StepRefused with the workflow's own sentence, and returns the timeline entries it
writes. Input text arrives already cleaned and checked by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from complaint_tui.domain.enums import CustomerResponse, EscalationOutcome, EventKind, Status
from complaint_tui.domain.labels import (
    outcome_label,
    response_label,
    reviewer_label,
    show_instant,
    status_label,
)
from complaint_tui.domain.sla import PausedClock, Sla, deadline_missed, queue_position
from complaint_tui.domain.workflow import (
    Action,
    CaseState,
    action_refusal,
    can_transition,
    decision_refusal,
    refusal,
)

DEFAULT_ACK_MESSAGE = "We have received your complaint and are looking into it."

Case = Any  # the stored row or a replayed record: anything with the case's attributes


class StepRefused(ValueError):
    """The case's state does not allow the step; str() is the workflow's sentence."""


@dataclass(frozen=True)
class Entry:
    """A timeline event a step writes (its instant is the step's)."""

    kind: EventKind
    text: str


def missed(case: Case, now: datetime) -> bool:
    """domain.sla.deadline_missed for a case."""
    return deadline_missed(
        Status(case.status),
        case.ack_due_at,
        case.acknowledged_at,
        case.resolve_due_at,
        case.resolved_at,
        case.paused_at,
        now,
    )


def state_of(case: Case, now: datetime) -> CaseState:
    """What the workflow judges an action on this case by, at ``now``."""
    return CaseState(
        case.ref,
        Status(case.status),
        case.escalation_level,
        case.escalation_pending,
        resolved_once=case.outcome is not None,
        deadline_missed=missed(case, now),
        customer_response=CustomerResponse(case.customer_response)
        if case.customer_response
        else None,
        referred=case.referred_to is not None,
    )


def allow(action: Action, case: Case, now: datetime) -> None:
    problem = action_refusal(action, state_of(case, now))
    if problem is not None:
        raise StepRefused(problem)


def move(case: Case, target: Status, verb: str) -> None:
    current = Status(case.status)
    if not can_transition(current, target):
        raise StepRefused(refusal(case.ref, current, target, verb))
    case.status = target.value


def status_text(was: Status, now_status: Status, note: str = "") -> str:
    text = f"{status_label(was)} → {status_label(now_status)}"
    return f"{text}: {note}" if note else text


def business_s(sla: Sla, start: datetime, end: datetime) -> float:
    """Business seconds from ``start`` to ``end`` (the report figures kept on the case)."""
    return max(0.0, sla.calendar.business_time_between(start, end).total_seconds())


def set_queue(case: Case) -> None:
    """The queue's sort key, kept on every change (domain.sla.queue_position)."""
    bucket, at = queue_position(
        Status(case.status),
        case.ack_due_at,
        case.resolve_due_at,
        case.paused_at,
        case.closed_at or case.resolved_at,
    )
    case.queue_bucket, case.queue_at = bucket, at


# ---- the steps -------------------------------------------------------------------------------
def receive(case: Case, sla: Sla, received_at: datetime, channel: str) -> list[Entry]:
    """A new case's clocks from its receipt."""
    case.status = Status.NEW.value
    case.received_at = received_at
    case.ack_due_at = sla.ack_due(received_at)
    case.resolve_due_at = sla.resolve_due(received_at)
    case.escalation_level = 0
    case.escalation_pending = False
    case.reopen_count = 0
    case.extension_count = 0
    case.paused_business_s = 0.0
    return [Entry(EventKind.CREATED, f"Received by {channel}.")]


def _mark_acknowledged(case: Case, sla: Sla, now: datetime, message: str) -> Entry:
    case.acknowledged_at = now
    case.ack_business_s = business_s(sla, case.received_at, now)
    case.last_customer_update_at = now
    case.next_update_due_at = sla.next_update_due(now)
    return Entry(EventKind.ACKNOWLEDGED, message or DEFAULT_ACK_MESSAGE)


def acknowledge(case: Case, sla: Sla, now: datetime, message: str = "") -> list[Entry]:
    allow(Action.ACKNOWLEDGE, case, now)
    move(case, Status.ACKNOWLEDGED, "acknowledge")
    return [_mark_acknowledged(case, sla, now, message)]


def start(case: Case, sla: Sla, now: datetime, note: str = "") -> list[Entry]:
    """Begin investigating; a new case is acknowledged on the way."""
    was = Status(case.status)
    allow(Action.START, case, now)
    move(case, Status.INVESTIGATING, "start investigating")
    out = [_mark_acknowledged(case, sla, now, "")] if was is Status.NEW else []
    out.append(Entry(EventKind.STATUS_CHANGE, status_text(was, Status.INVESTIGATING, note)))
    return out


def wait(case: Case, sla: Sla, now: datetime, request: str) -> list[Entry]:
    """Wait on the customer: the resolution clock pauses."""
    allow(Action.WAIT, case, now)
    move(case, Status.WAITING_ON_CUSTOMER, "wait on the customer for")
    paused = sla.pause(case.resolve_due_at, now)
    case.paused_at = now
    case.paused_remaining_s = (
        paused.remaining.total_seconds() if paused.remaining is not None else None
    )
    case.next_update_due_at = None
    case.last_customer_update_at = now
    return [
        Entry(
            EventKind.STATUS_CHANGE,
            status_text(Status.INVESTIGATING, Status.WAITING_ON_CUSTOMER),
        ),
        Entry(EventKind.CUSTOMER_UPDATE, request),
    ]


def _unpause(case: Case, sla: Sla, now: datetime) -> None:
    if case.paused_at is None:
        return
    remaining = (
        timedelta(seconds=case.paused_remaining_s) if case.paused_remaining_s is not None else None
    )
    case.resolve_due_at = sla.resume(PausedClock(case.resolve_due_at, remaining), now)
    case.paused_business_s = (case.paused_business_s or 0.0) + business_s(sla, case.paused_at, now)
    case.paused_at = None
    case.paused_remaining_s = None


def resume(case: Case, sla: Sla, now: datetime, note: str = "") -> list[Entry]:
    allow(Action.RESUME, case, now)
    move(case, Status.INVESTIGATING, "resume")
    _unpause(case, sla, now)
    case.next_update_due_at = sla.next_update_due(now)
    return [
        Entry(
            EventKind.STATUS_CHANGE,
            status_text(Status.WAITING_ON_CUSTOMER, Status.INVESTIGATING, note),
        )
    ]


def note(case: Case, now: datetime, text: str) -> list[Entry]:
    """An internal note: never shown to the customer."""
    allow(Action.NOTE, case, now)
    return [Entry(EventKind.NOTE, text)]


def update(case: Case, sla: Sla, now: datetime, text: str) -> list[Entry]:
    """A customer-visible progress update; restarts the next-update clock."""
    allow(Action.UPDATE, case, now)
    case.last_customer_update_at = now
    if Status(case.status) is not Status.WAITING_ON_CUSTOMER and case.acknowledged_at is not None:
        case.next_update_due_at = sla.next_update_due(now)
    return [Entry(EventKind.CUSTOMER_UPDATE, text)]


def resolve(case: Case, sla: Sla, now: datetime, outcome: str, cause: str) -> list[Entry]:
    """``cause`` is the stored form (domain.root_cause.stored_root_cause)."""
    was = Status(case.status)
    allow(Action.RESOLVE, case, now)
    move(case, Status.RESOLVED, "resolve")
    if was is Status.WAITING_ON_CUSTOMER:
        _unpause(case, sla, now)
    case.resolved_at = now
    # Business time to resolve: receipt to this (last) resolution, pauses excluded.
    case.resolve_business_s = max(
        0.0, business_s(sla, case.received_at, now) - (case.paused_business_s or 0.0)
    )
    case.outcome = outcome
    case.root_cause = cause
    case.next_update_due_at = None
    return [
        Entry(
            EventKind.STATUS_CHANGE, f"{status_text(was, Status.RESOLVED)} (root cause: {cause})"
        ),
        Entry(EventKind.OUTCOME, outcome),
    ]


def close(case: Case, now: datetime, answer: CustomerResponse) -> list[Entry]:
    allow(Action.CLOSE, case, now)
    move(case, Status.CLOSED, "close")
    case.closed_at = now
    case.customer_response = answer.value
    return [
        Entry(
            EventKind.STATUS_CHANGE,
            f"{status_text(Status.RESOLVED, Status.CLOSED)} "
            f"(customer response: {response_label(answer)})",
        )
    ]


def reopen(case: Case, sla: Sla, now: datetime, why: str) -> list[Entry]:
    """The resolution clock restarts at the reopen."""
    was = Status(case.status)
    allow(Action.REOPEN, case, now)
    move(case, Status.INVESTIGATING, "reopen")
    case.resolve_due_at = sla.resolve_due(now)
    case.resolved_at = None
    case.resolve_business_s = None
    case.closed_at = None
    case.customer_response = None
    case.reopen_count += 1
    case.next_update_due_at = sla.next_update_due(now)
    return [
        Entry(
            EventKind.STATUS_CHANGE,
            f"{status_text(was, Status.INVESTIGATING)} (reopened: {why})",
        )
    ]


def handover_text(from_name: str, to_name: str | None) -> str:
    """The timeline entry of a case moved because its agent was deactivated: by the hand-over
    (services/admin.py, and the same words the team_handover migration's ct_hand_over writes on
    PostgreSQL), or on its reopening later (return_departed)."""
    what = f"assigned to {to_name}" if to_name is not None else "unassigned"
    return f"{what} ({from_name} deactivated)"


def made_open(was: Status, case: Case) -> bool:
    """Whether a step moved the case from done (resolved or closed) back to an open status."""
    return not was.is_open and Status(case.status).is_open


def return_departed(case: Case, was: Status, holder: str | None, active: bool) -> list[Entry]:
    """No open case is held by an agent who is no longer active (issue 9). A deactivated agent
    keeps their closed cases as history; a step that makes such a case open again (a reopen, or
    an escalation decision to reopen it) returns it to the unassigned queue, with an assignment
    entry in the hand-over's words. ``was``: the status before the step; ``holder``: the
    assignee's name (None: unassigned), ``active`` whether they are still active."""
    if holder is None or active or not made_open(was, case):
        return []
    case.assignee_id = None
    return [Entry(EventKind.ASSIGNMENT, handover_text(holder, None))]


MAX_EXTENSION_DAYS = 60


def extension_days_problem(business_days: object) -> str | None:
    """Why an extension's length cannot be taken, as the "days" field's sentence; None if it can."""
    if (
        not isinstance(business_days, int)
        or isinstance(business_days, bool)
        or not 1 <= business_days <= MAX_EXTENSION_DAYS
    ):
        return f"days: extend by 1 to {MAX_EXTENSION_DAYS} business days."
    return None


def extend(case: Case, sla: Sla, now: datetime, business_days: int, text: str) -> list[Entry]:
    """Extend the resolution deadline (policy §2); ``business_days`` is checked by the caller."""
    allow(Action.EXTEND, case, now)
    case.resolve_due_at = sla.extend(max(case.resolve_due_at, now), business_days)
    case.extension_count += 1
    due = show_instant(case.resolve_due_at, sla.calendar.tz)
    return [
        Entry(
            EventKind.EXTENSION,
            f"Resolution now due {due} (+{business_days} business days): {text}",
        )
    ]


def escalate(case: Case, sla: Sla, now: datetime, request: str) -> list[Entry]:
    """The customer's request for a review (policy §3); the caller keeps the request's record
    (level ``case.escalation_level``, due ``case.escalation_due_at``)."""
    allow(Action.ESCALATE, case, now)
    return request_review(case, sla, now, request)


def request_review(case: Case, sla: Sla, now: datetime, request: str) -> list[Entry]:
    """The next level's review request on the case's pending columns."""
    case.escalation_level += 1
    case.escalation_pending = True
    case.escalation_requested_at = now
    case.escalation_due_at = sla.escalation_due(now)
    return [
        Entry(
            EventKind.ESCALATION_REQUEST,
            f"level {case.escalation_level} ({reviewer_label(case.escalation_level)}): {request}",
        )
    ]


def check_decision(case: Case, now: datetime, result: EscalationOutcome) -> None:
    """Refuse a decision the case's state does not allow, in the workflow's sentence."""
    allow(Action.DECIDE, case, now)
    problem = decision_refusal(result, state_of(case, now))
    if problem is not None:
        raise StepRefused(problem)


def decide(
    case: Case,
    sla: Sla,
    now: datetime,
    result: EscalationOutcome,
    explanation: str,
    extra: str,
    request: str,
) -> list[Entry]:
    """A decision on the pending escalation. ``request`` is what the customer asked for (a
    referral up passes it to the manager); a decision to reopen reopens a resolved case."""
    check_decision(case, now, result)
    level = case.escalation_level
    out = [
        Entry(
            EventKind.ESCALATION_DECISION, f"level {level}, {outcome_label(result)}: {explanation}"
        )
    ]
    if extra:
        out.append(Entry(EventKind.NOTE, f"Escalation decision note: {extra}"))
    if result is EscalationOutcome.REFER_UP:
        out += request_review(case, sla, now, request)
        return out
    case.escalation_pending = False
    if result is EscalationOutcome.REOPEN and not Status(case.status).is_open:
        out += reopen(case, sla, now, f"escalation decision: {explanation}")
    return out


def refer(case: Case, now: datetime, body: str, contact: str, info: str, extra: str) -> list[Entry]:
    """The customer was told about external dispute resolution (policy §7)."""
    allow(Action.REFER, case, now)
    case.referred_to = body[:200]
    text = f"Referred to {body} ({contact}). {info}" + (f" {extra}" if extra else "")
    return [Entry(EventKind.REFERRAL, text)]
