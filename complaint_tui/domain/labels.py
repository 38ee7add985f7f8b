"""How the domain's values read to people: one label per status, event kind, clock and customer
answer, and the one format of a date and time on screen. The TUI and the CLI's human output
both use these; the stored values (and the CLI's options and JSON) stay the enum values.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from complaint_tui.domain.clock import require_aware
from complaint_tui.domain.enums import (
    CustomerResponse,
    EscalationOutcome,
    EventKind,
    Priority,
    Status,
)

# The weekday matters: deadlines run on business days. ISO order matches what intake accepts.
DATE_TIME_FORMAT = "%a %Y-%m-%d %H:%M"

_STATUS = {
    Status.NEW: "new",
    Status.ACKNOWLEDGED: "acknowledged",
    Status.INVESTIGATING: "under investigation",
    Status.WAITING_ON_CUSTOMER: "waiting on the customer",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "closed",
}
# For a 13-column table cell.
_STATUS_SHORT = {
    Status.NEW: "new",
    Status.ACKNOWLEDGED: "acknowledged",
    Status.INVESTIGATING: "investigating",
    Status.WAITING_ON_CUSTOMER: "waiting",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "closed",
}
_EVENT = {
    EventKind.CREATED: "created",
    EventKind.ACKNOWLEDGED: "acknowledged",
    EventKind.NOTE: "note",  # always internal; the timeline marks it so
    EventKind.CUSTOMER_UPDATE: "customer update",
    EventKind.STATUS_CHANGE: "status change",
    EventKind.ASSIGNMENT: "assignment",
    EventKind.PRIORITY_CHANGE: "priority change",
    EventKind.ESCALATION_REQUEST: "escalation request",
    EventKind.ESCALATION_DECISION: "escalation decision",
    EventKind.EXTENSION: "deadline extended",
    EventKind.REFERRAL: "referral",
    EventKind.OUTCOME: "outcome",
    EventKind.ATTACHMENT: "attachment",
    EventKind.RECUSAL: "recusal",
}
_CLOCK = {
    "acknowledgement": "Acknowledgement",
    "resolution": "Resolution",
    "next_update": "Next update",
    "escalation_review": "Escalation review",
}
_RESPONSE = {
    CustomerResponse.ACCEPTED: "accepted",
    CustomerResponse.REJECTED: "rejected",
    CustomerResponse.NO_RESPONSE: "no response",
}

# How a customer-service lead reads a decision: what happens to the customer's complaint.
_OUTCOME = {
    EscalationOutcome.CONFIRM: "resolution confirmed",
    EscalationOutcome.REOPEN: "reopened for investigation",
    EscalationOutcome.REFER_UP: "referred to level 2",
}
# For a 10-column table cell.
_OUTCOME_SHORT = {
    EscalationOutcome.CONFIRM: "confirmed",
    EscalationOutcome.REOPEN: "reopened",
    EscalationOutcome.REFER_UP: "to level 2",
}
_REVIEWER = {1: "supervisor", 2: "manager"}
# A glyph per priority, so it reads without colour and in one cell when the width is short;
# none of them is an urgency glyph (✖ ▲ ● ○ ⏸ ✓), which say something else.
_PRIORITY_GLYPH = {
    Priority.CRITICAL: "⇈",
    Priority.HIGH: "↑",
    Priority.NORMAL: "·",
    Priority.LOW: "↓",
}


# A case's stored fields, as the audit trail names them when it lists a change.
_CASE_FIELD = {
    "desired_outcome": "desired outcome",
    "assignee_id": "assignee",
    "policy_version_id": "policy version",
    "received_at": "received",
    "acknowledged_at": "acknowledged",
    "resolved_at": "resolved",
    "closed_at": "closed",
    "ack_due_at": "acknowledgement due",
    "resolve_due_at": "resolution due",
    "paused_at": "paused",
    "paused_remaining_s": "resolution time left at pause",
    "ack_business_s": "business time to acknowledge",
    "resolve_business_s": "business time to resolve",
    "paused_business_s": "business time paused",
    "next_update_due_at": "next update due",
    "last_customer_update_at": "last customer update",
    "escalation_level": "escalation level",
    "escalation_pending": "escalation pending",
    "escalation_requested_at": "escalation requested",
    "escalation_due_at": "escalation review due",
    "root_cause": "root cause",
    "customer_response": "customer response",
    "reopen_count": "times reopened",
    "extension_count": "deadline extensions",
    "referred_to": "referred to",
    "queue_bucket": "queue group",
    "queue_at": "queue instant",
    "created_at": "created",
    "updated_at": "updated",
}


def status_label(status: Status | str) -> str:
    return _STATUS[Status(status)]


def status_short(status: Status | str) -> str:
    return _STATUS_SHORT[Status(status)]


def event_label(kind: EventKind | str) -> str:
    return _EVENT[EventKind(kind)]


def clock_label(name: str) -> str:
    return _CLOCK.get(name, name.replace("_", " ").capitalize())


def case_field_label(field: str) -> str:
    return _CASE_FIELD.get(field, field.replace("_", " "))


def response_label(response: CustomerResponse | str) -> str:
    return _RESPONSE[CustomerResponse(response)]


def outcome_label(outcome: EscalationOutcome | str) -> str:
    return _OUTCOME[EscalationOutcome(outcome)]


def outcome_short(outcome: EscalationOutcome | str) -> str:
    return _OUTCOME_SHORT[EscalationOutcome(outcome)]


def priority_glyph(priority: Priority | str) -> str:
    """One cell: "⇈" critical, "↑" high, "·" normal, "↓" low (an unknown value: "?")."""
    try:
        return _PRIORITY_GLYPH[Priority(priority)]
    except ValueError:
        return "?"


def priority_label(priority: Priority | str) -> str:
    """The glyph and the word, e.g. "⇈ critical": a table cell of at most 10 cells."""
    return f"{priority_glyph(priority)} {priority}"


def level_label(level: int) -> str:
    """ "L1", "L2": the escalation level in a table cell."""
    return f"L{level}"


def reviewer_label(level: int) -> str:
    """Who decides an escalation of this level: "supervisor" (1) or "manager" (2)."""
    return _REVIEWER[level]


def show_instant(instant: datetime | None, tz: tzinfo, missing: str = "—") -> str:
    """An instant in the calendar's time zone, e.g. "Wed 2026-11-25 10:00"."""
    if instant is None:
        return missing
    return require_aware(instant).astimezone(tz).strftime(DATE_TIME_FORMAT)
