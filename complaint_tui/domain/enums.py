"""Closed vocabularies of the domain. Values are what the database and the CLI store and accept."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self not in (Status.RESOLVED, Status.CLOSED)


class Channel(StrEnum):
    TICKET = "ticket"
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"
    OTHER = "other"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"


class Urgency(StrEnum):
    """The colour band of a case; ordered from most to least pressing."""

    BREACHED = "breached"
    URGENT = "urgent"
    SOON = "soon"
    OK = "ok"
    PAUSED = "paused"
    DONE = "done"


# The bands in the order the queue counts and shows them.
BAND_ORDER = (
    Urgency.BREACHED,
    Urgency.URGENT,
    Urgency.SOON,
    Urgency.OK,
    Urgency.PAUSED,
    Urgency.DONE,
)


class CustomerResponse(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    NO_RESPONSE = "no_response"


class EscalationOutcome(StrEnum):
    """A supervisor's or manager's decision on an escalation (labels.outcome_label words them).

    Until schema 0009 decisions were only timeline text, worded "upheld" and "reopened"; the
    migration's backfill maps those to CONFIRM and REOPEN."""

    CONFIRM = "confirm"  # the resolution stands
    REOPEN = "reopen"  # the case goes back to investigating
    REFER_UP = "refer-up"  # a level-1 review passed to a manager (level 2)


class EventKind(StrEnum):
    CREATED = "created"
    ACKNOWLEDGED = "acknowledged"
    NOTE = "note"  # internal, never shown to the customer
    CUSTOMER_UPDATE = "customer_update"  # visible to the customer
    STATUS_CHANGE = "status_change"
    ASSIGNMENT = "assignment"
    PRIORITY_CHANGE = "priority_change"
    ESCALATION_REQUEST = "escalation_request"
    ESCALATION_DECISION = "escalation_decision"
    EXTENSION = "extension"
    REFERRAL = "referral"
    OUTCOME = "outcome"
    ATTACHMENT = "attachment"
    RECUSAL = "recusal"

    @property
    def customer_visible(self) -> bool:
        return self in CUSTOMER_VISIBLE_EVENTS


CUSTOMER_VISIBLE_EVENTS = frozenset(
    {
        EventKind.ACKNOWLEDGED,
        EventKind.CUSTOMER_UPDATE,
        EventKind.ESCALATION_DECISION,
        EventKind.EXTENSION,
        EventKind.REFERRAL,
        EventKind.OUTCOME,
    }
)


class QueueBucket:
    """How the queue sorts a case apart: active clocks first, then paused, then done."""

    ACTIVE = 0
    PAUSED = 1
    DONE = 2
