"""Read models handed to the CLI and the TUI: plain data, computed once per read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from complaint_tui.domain import lifecycle
from complaint_tui.domain.enums import (
    CustomerResponse,
    EscalationOutcome,
    EventKind,
    QueueBucket,
    Status,
    Urgency,
)
from complaint_tui.domain.sla import Badge, Sla, format_business_span
from complaint_tui.domain.workflow import CaseState
from complaint_tui.store.models import Case


@dataclass(frozen=True)
class CaseSummary:
    """One queue row."""

    id: int
    ref: str
    customer: str
    services: tuple[str, ...]
    subject: str
    status: Status
    priority: str
    channel: str
    category: str | None
    assignee: str | None
    confidential: bool
    escalation_level: int
    escalation_pending: bool
    received_at: datetime
    queue_bucket: int
    queue_at: datetime
    version: int
    escalation_due_at: datetime | None = None
    next_update_due_at: datetime | None = None  # the customer-update clock (None: not running)

    @property
    def active_due_at(self) -> datetime | None:
        return self.queue_at if self.queue_bucket == QueueBucket.ACTIVE else None

    def badge(self, sla: Sla, now: datetime) -> Badge:
        return sla.badge(self.status, self.active_due_at, now)

    def update_badge(self, sla: Sla, now: datetime) -> Badge:
        """The customer-update clock's badge ("✖ 1d over"); the case's own when it has none."""
        if self.next_update_due_at is None:
            return self.badge(sla, now)
        return sla.running_badge(self.next_update_due_at, now)


@dataclass(frozen=True)
class ClockView:
    name: str  # acknowledgement | resolution | next_update | escalation_review
    due_at: datetime | None
    met_at: datetime | None
    paused: bool
    band: Urgency
    text: str  # "▲ 2h left", "met", "⏸ paused (5h left)"


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    kind: EventKind
    actor: str
    at: datetime
    text: str
    customer_visible: bool


@dataclass(frozen=True)
class ReportedEventView:
    at: datetime
    note: str


@dataclass(frozen=True)
class AttachmentView:
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class DecisionRecord:
    """One decision on an escalation (the explanation is what the customer was sent)."""

    level: int
    outcome: EscalationOutcome
    explanation: str
    note: str  # internal
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class EscalationRecord:
    """One escalation request of a case, with the decisions taken on it, oldest first."""

    level: int
    request: str
    requested_by: str
    requested_at: datetime
    due_at: datetime | None
    decisions: tuple[DecisionRecord, ...] = ()

    @property
    def pending(self) -> bool:
        return not self.decisions


@dataclass(frozen=True)
class CaseDetail:
    summary: CaseSummary
    description: str
    desired_outcome: str
    policy_version: str | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    ack_due_at: datetime
    resolve_due_at: datetime
    paused_at: datetime | None
    paused_remaining: timedelta | None
    next_update_due_at: datetime | None
    escalation_requested_at: datetime | None
    escalation_due_at: datetime | None
    outcome: str | None
    root_cause: str | None
    customer_response: str | None
    referred_to: str | None
    reopen_count: int
    extension_count: int
    urgency: Urgency
    clocks: tuple[ClockView, ...]
    reported_events: tuple[ReportedEventView, ...] = ()
    attachments: tuple[AttachmentView, ...] = ()
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)
    escalations: tuple[EscalationRecord, ...] = ()  # by level
    deadline_missed: bool = False  # when it was read (domain.sla.deadline_missed)
    source_ref: str | None = None  # its reference where it was imported from

    @property
    def ref(self) -> str:
        return self.summary.ref

    @property
    def status(self) -> Status:
        return self.summary.status

    @property
    def version(self) -> int:
        return self.summary.version

    @property
    def state(self) -> CaseState:
        """What the workflow judges an action by (domain.workflow.action_refusal)."""
        s = self.summary
        return CaseState(
            s.ref,
            s.status,
            s.escalation_level,
            s.escalation_pending,
            len(self.attachments),
            resolved_once=self.outcome is not None,
            deadline_missed=self.deadline_missed,
            customer_response=CustomerResponse(self.customer_response)
            if self.customer_response
            else None,
            referred=self.referred_to is not None,
        )

    def to_json(self, tz: tzinfo | None = None) -> dict[str, Any]:
        """JSON-ready dict; instants as ISO 8601 with offset, in ``tz`` (the calendar's zone)."""
        s = self.summary

        def iso(v: datetime | None) -> str | None:
            if v is None:
                return None
            return (v.astimezone(tz) if tz is not None else v).isoformat()

        return {
            "ref": s.ref,
            "status": s.status.value,
            "customer": s.customer,
            "services": list(s.services),
            "channel": s.channel,
            "subject": s.subject,
            "description": self.description,
            "desired_outcome": self.desired_outcome,
            "priority": s.priority,
            "category": s.category,
            "confidential": s.confidential,
            "assignee": s.assignee,
            "escalation_level": s.escalation_level,
            "escalation_pending": s.escalation_pending,
            "policy_version": self.policy_version,
            "source_ref": self.source_ref,
            "received_at": iso(s.received_at),
            "acknowledged_at": iso(self.acknowledged_at),
            "resolved_at": iso(self.resolved_at),
            "closed_at": iso(self.closed_at),
            "ack_due_at": iso(self.ack_due_at),
            "resolve_due_at": iso(self.resolve_due_at),
            "next_update_due_at": iso(self.next_update_due_at),
            "escalation_due_at": iso(self.escalation_due_at),
            "paused_at": iso(self.paused_at),
            "outcome": self.outcome,
            "root_cause": self.root_cause,
            "customer_response": self.customer_response,
            "referred_to": self.referred_to,
            "urgency": self.urgency.value,
            "clocks": [
                {
                    "name": c.name,
                    "due_at": iso(c.due_at),
                    "met_at": iso(c.met_at),
                    "band": c.band.value,
                    "text": c.text,
                }
                for c in self.clocks
            ],
            "events": [{"at": iso(e.at), "note": e.note} for e in self.reported_events],
            "attachments": [
                {
                    "id": a.id,
                    "name": a.name,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                }
                for a in self.attachments
            ],
            "timeline": [
                {
                    "kind": t.kind.value,
                    "actor": t.actor,
                    "at": iso(t.at),
                    "text": t.text,
                    "customer_visible": t.customer_visible,
                }
                for t in self.timeline
            ],
            "escalations": [
                {
                    "level": e.level,
                    "request": e.request,
                    "requested_by": e.requested_by,
                    "requested_at": iso(e.requested_at),
                    "due_at": iso(e.due_at),
                    "decisions": [
                        {
                            "outcome": d.outcome.value,
                            "explanation": d.explanation,
                            "note": d.note,
                            "decided_by": d.decided_by,
                            "decided_at": iso(d.decided_at),
                        }
                        for d in e.decisions
                    ],
                }
                for e in self.escalations
            ],
            "version": s.version,
        }


def summary_of(
    case: Case, services: tuple[str, ...] | None = None, assignee: str | None = None
) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        ref=case.ref,
        customer=case.customer,
        services=services if services is not None else tuple(cs.service for cs in case.services),
        subject=case.subject,
        status=Status(case.status),
        priority=case.priority,
        channel=case.channel,
        category=case.category,
        assignee=assignee
        if assignee is not None
        else (case.assignee.name if case.assignee else None),
        confidential=case.confidential,
        escalation_level=case.escalation_level,
        escalation_pending=case.escalation_pending,
        received_at=case.received_at,
        queue_bucket=case.queue_bucket,
        queue_at=case.queue_at,
        version=case.version,
        escalation_due_at=case.escalation_due_at,
        next_update_due_at=case.next_update_due_at,
    )


def case_state(case: Case, now: datetime) -> CaseState:
    """What the workflow judges an action on this case row by, at ``now``."""
    return lifecycle.state_of(case, now)


def missed(case: Case, now: datetime) -> bool:
    """domain.sla.deadline_missed for a case row."""
    return lifecycle.missed(case, now)


def clocks_of(case: Case, sla: Sla, now: datetime) -> tuple[ClockView, ...]:
    status = Status(case.status)
    out: list[ClockView] = []

    def running(name: str, due: datetime) -> ClockView:
        badge = sla.running_badge(due, now)
        return ClockView(name, due, None, False, badge.band, badge.text)

    def met(name: str, due: datetime, at: datetime) -> ClockView:
        late = at > due
        text = (
            "✓ met"
            if not late
            else f"✓ met late ({sla.describe_left(due, at).replace(' over', '')} over)"
        )
        return ClockView(name, due, at, False, Urgency.DONE, text)

    if case.acknowledged_at is not None:
        out.append(met("acknowledgement", case.ack_due_at, case.acknowledged_at))
    else:
        out.append(running("acknowledgement", case.ack_due_at))

    if case.resolved_at is not None and not status.is_open:
        out.append(met("resolution", case.resolve_due_at, case.resolved_at))
    elif status is Status.WAITING_ON_CUSTOMER:
        if case.paused_remaining_s is None:
            left = sla.describe_left(case.resolve_due_at, now)
            out.append(
                ClockView(
                    "resolution",
                    case.resolve_due_at,
                    None,
                    True,
                    Urgency.PAUSED,
                    f"⏸ paused ({left})",
                )
            )
        else:
            remaining = timedelta(seconds=case.paused_remaining_s)
            span = format_business_span(remaining, sla.calendar.business_day_length)
            out.append(
                ClockView("resolution", None, None, True, Urgency.PAUSED, f"⏸ paused ({span} left)")
            )
    else:
        out.append(running("resolution", case.resolve_due_at))

    if (
        case.next_update_due_at is not None
        and status.is_open
        and status is not Status.WAITING_ON_CUSTOMER
    ):
        out.append(running("next_update", case.next_update_due_at))

    if case.escalation_pending and case.escalation_due_at is not None:
        out.append(running("escalation_review", case.escalation_due_at))
    return tuple(out)
