"""The team's workload (key 4, ``complaint-tui team``): one row per active person who handles
cases, counted by SQL in grouped queries, never loaded case by case.

"Open" is what the queue's "All open" view holds (a running or a paused clock), "breached" and
"urgent" are the queue's own bands (CaseDesk.urgency_condition), "waiting" the queue's
"Waiting on customer" view; "escalations" are the reviews awaiting a decision on any of the
person's cases (a review is mostly of a resolved case's outcome), and "oldest open" is when the
oldest open case was received. Two grouped queries, each over a partial index holding only the
rows it counts (migration 0010). Supervisors and managers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import and_, func, literal_column, select

from complaint_tui.domain.enums import QueueBucket, Role, Urgency
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.permissions import require_team_reader_logged, visible_filter
from complaint_tui.store.models import Agent, Case

# The open cases (a running or a paused clock: every bucket before DONE), written as the
# predicate of the partial index ix_cases_open_workload (migration 0010), literally: SQLite and
# PostgreSQL use a partial index only for a query whose condition is visibly the index's own.
OPEN_CASES = Case.queue_bucket < literal_column(str(QueueBucket.DONE))
# A review awaiting its decision, as the predicate of the partial index ix_cases_pending_review
# (migration 0010); such a case may be open, resolved or closed.
PENDING_REVIEW = Case.escalation_pending == literal_column("true")


@dataclass(frozen=True)
class TeamRow:
    """One person's open workload."""

    name: str
    role: Role
    open: int
    breached: int
    urgent: int
    waiting: int  # on the customer (the clock is paused)
    escalations: int  # reviews awaiting a decision, on any of their cases (open or resolved)
    oldest_open: datetime | None  # received_at of the oldest open case

    def to_json(self, tz: tzinfo | None = None) -> dict[str, Any]:
        oldest = self.oldest_open
        if oldest is not None and tz is not None:
            oldest = oldest.astimezone(tz)
        return {
            "agent": self.name,
            "role": self.role.value,
            "open": self.open,
            "breached": self.breached,
            "urgent": self.urgent,
            "waiting_on_customer": self.waiting,
            "escalations_pending": self.escalations,
            "oldest_open": oldest.isoformat() if oldest is not None else None,
        }


def workload_label(row: TeamRow) -> str:
    """A candidate as the assign form lists them: "lan.nguyen · 12 open, 3 breached"."""
    return f"{row.name} · {row.open:,} open, {row.breached:,} breached"


class TeamService:
    """The team view's figures for one supervisor or manager."""

    def __init__(self, desk: CaseDesk) -> None:
        self.desk = desk
        self.ctx = desk.ctx
        self.actor = desk.actor

    def workload_query(self):
        """Per assignee: the open cases, grouped in SQL from the partial index of open cases
        alone (ix_cases_open_workload holds every column counted here)."""
        desk = self.desk

        def n(condition):
            # count(*) FILTER (WHERE …): both dialects; a third less work than sum(CASE …).
            return func.count().filter(condition)

        return (
            select(
                Case.assignee_id.label("agent_id"),
                func.count().label("open"),
                n(desk.urgency_condition(Urgency.BREACHED)).label("breached"),
                n(desk.urgency_condition(Urgency.URGENT)).label("urgent"),
                n(desk.urgency_condition(Urgency.PAUSED)).label("waiting"),
                func.min(Case.received_at).label("oldest_open"),
            )
            .where(
                Case.assignee_id.is_not(None),
                OPEN_CASES,
                visible_filter(self.actor),
            )
            .group_by(Case.assignee_id)
        )

    def reviews_query(self):
        """Per assignee: the escalations awaiting a decision on their cases, whatever the case's
        status (a customer asks for a review of an outcome, so mostly of resolved cases)."""
        return (
            select(Case.assignee_id.label("agent_id"), func.count().label("escalations"))
            .where(PENDING_REVIEW, Case.assignee_id.is_not(None), visible_filter(self.actor))
            .group_by(Case.assignee_id)
        )

    def rows(self, names: tuple[str, ...] | None = None) -> list[TeamRow]:
        """Every active person who handles cases (or only ``names``), by name, with their open
        workload (zeros for someone holding none)."""
        require_team_reader_logged(self.ctx, self.actor)
        counts = self.workload_query().subquery()
        reviews = self.reviews_query().subquery()
        stmt = (
            select(
                Agent.name,
                Agent.role,
                counts.c.open,
                counts.c.breached,
                counts.c.urgent,
                counts.c.waiting,
                reviews.c.escalations,
                counts.c.oldest_open,
            )
            .outerjoin(counts, counts.c.agent_id == Agent.id)
            .outerjoin(reviews, reviews.c.agent_id == Agent.id)
            .where(and_(Agent.active.is_(True), Agent.role != Role.ADMIN.value))
            .order_by(Agent.name)
        )
        if names is not None:
            stmt = stmt.where(Agent.name.in_(names))
        with self.desk._tx(write=False) as s:  # a driver failure: one sentence (Unavailable)
            result = s.execute(stmt).all()
        return [
            TeamRow(
                name=r.name,
                role=Role(r.role),
                open=int(r.open or 0),
                breached=int(r.breached or 0),
                urgent=int(r.urgent or 0),
                waiting=int(r.waiting or 0),
                escalations=int(r.escalations or 0),
                oldest_open=_aware(r.oldest_open),
            )
            for r in result
        ]


def _aware(value: datetime | str | None) -> datetime | None:
    """min() over the UTC column: SQLite hands back the stored text, naive, in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
