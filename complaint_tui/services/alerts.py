"""The snapshots the desk's alerts are computed from (domain/alerts.py), read with bounded
queries: never every case, only those that can change an alert now.

- an agent: their running cases (most urgent first, at most ``MINE_LIMIT``), plus the cases the
  previous look held (to notice one reassigned away);
- a supervisor or manager: the newest pending escalations of their level (at most
  ``REVIEW_LIMIT``), and the running cases whose deadline passed since the previous look (at most
  ``BREACH_LIMIT``; an index range scan on the queue's due instant).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, select

from complaint_tui.domain.alerts import Alert as Alert
from complaint_tui.domain.alerts import (
    AlertLog,
    DeskSnapshot,
    PendingReview,
    WatchedCase,
    Watcher,
    detect_alerts,
)
from complaint_tui.domain.enums import EventKind, QueueBucket, Urgency
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.escalations import level_to_decide
from complaint_tui.services.permissions import visible_filter
from complaint_tui.store.models import Agent, Case, Escalation, TimelineEvent

MINE_LIMIT = 200
REVIEW_LIMIT = 50
BREACH_LIMIT = 50
# The first look of a reviewer reaches this far back for breaches (it only sets the baseline).
FIRST_LOOK = timedelta(minutes=5)


def watcher_for(desk: CaseDesk) -> Watcher:
    actor = desk.actor
    return Watcher(actor.name, actor.sees_all_cases, desk.ctx.settings.ui.alerts)


class DeskAlerts:
    """One person's alerts over a run: each look is compared with the one before it, and an
    alert is told once (AlertLog)."""

    def __init__(self, desk: CaseDesk) -> None:
        self.desk = desk
        self.watcher = watcher_for(desk)
        self.previous: DeskSnapshot | None = None
        self.log = AlertLog()

    @property
    def enabled(self) -> bool:
        return bool(self.watcher.kinds) and self.desk.actor.handles_cases

    def check(self) -> list[Alert]:
        """Take a look; the alerts not told before. Blocks on the database (call from a worker)."""
        if not self.enabled:
            return []
        current = snapshot(self.desk, self.watcher, self.previous)
        alerts = detect_alerts(self.previous, current, self.watcher)
        self.previous = current
        return self.log.fresh(alerts)


def snapshot(desk: CaseDesk, watcher: Watcher, previous: DeskSnapshot | None) -> DeskSnapshot:
    now = desk.now
    sla = desk.ctx.sla
    actor = desk.actor
    with desk._tx(write=False) as s:
        last_assigner = (
            select(TimelineEvent.actor)
            .where(
                TimelineEvent.case_id == Case.id,
                TimelineEvent.kind.in_((EventKind.ASSIGNMENT.value, EventKind.RECUSAL.value)),
            )
            .order_by(TimelineEvent.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        columns = (
            Case.ref,
            Case.queue_bucket,
            Case.queue_at,
            Agent.name.label("assignee"),
            last_assigner.label("assigned_by"),
        )
        base = select(*columns).outerjoin(Agent, Agent.id == Case.assignee_id)
        rows = []
        if watcher.reviewer:
            since = previous.taken_at if previous is not None else now - FIRST_LOOK
            rows += s.execute(
                base.where(
                    visible_filter(actor),
                    Case.queue_bucket == QueueBucket.ACTIVE,
                    Case.queue_at > since,
                    Case.queue_at <= now,
                )
                .order_by(Case.queue_at.desc(), Case.id.desc())
                .limit(BREACH_LIMIT)
            ).all()
        else:
            rows += s.execute(
                base.where(
                    Case.assignee_id == actor.id,
                    Case.queue_bucket == QueueBucket.ACTIVE,
                )
                .order_by(Case.queue_bucket, Case.queue_at, Case.id)
                .limit(MINE_LIMIT)
            ).all()
            held = [
                ref
                for ref, c in (previous.cases.items() if previous is not None else ())
                if c.assignee == actor.name
            ][:MINE_LIMIT]
            if held:
                rows += s.execute(base.where(visible_filter(actor), Case.ref.in_(held))).all()
        reviews = []
        level = level_to_decide(actor)
        if watcher.reviewer and level is not None:
            reviews = [
                PendingReview(r.id, r.ref, r.level)
                for r in s.execute(
                    select(Escalation.id, Case.ref, Escalation.level)
                    .join(
                        Case,
                        and_(
                            Escalation.case_id == Case.id,
                            Escalation.level == Case.escalation_level,
                        ),
                    )
                    .where(
                        visible_filter(actor),
                        Case.escalation_pending.is_(True),
                        Case.escalation_level == level,
                    )
                    .order_by(Escalation.id.desc())
                    .limit(REVIEW_LIMIT)
                )
            ]
    cases = {}
    for r in rows:
        running = r.queue_bucket == QueueBucket.ACTIVE
        band = sla.band(r.queue_at, now) if running else _resting(r.queue_bucket)
        cases[r.ref] = WatchedCase(
            r.ref, band, r.queue_at if running else None, r.assignee, r.assigned_by
        )
    return DeskSnapshot.of(now, cases.values(), reviews)


def _resting(bucket: int) -> Urgency:
    return Urgency.PAUSED if bucket == QueueBucket.PAUSED else Urgency.DONE
