"""The escalation screen's lists: pending reviews by their review deadline, and past decisions,
in keyset pages like the queue, so a screen asks SQL only for the rows it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, case, func, select

from complaint_tui.domain.enums import EscalationOutcome, Role, Status, Urgency
from complaint_tui.domain.sla import Badge, Sla
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import Actor
from complaint_tui.services.paging import Key, KeysetPages, Page, keyset, page_of
from complaint_tui.services.permissions import require_case_handler_logged, visible_filter
from complaint_tui.store.models import Agent, Case, Escalation, EscalationDecision

DECIDED_DAYS = 90  # how far back the "Decided" view reaches by default
REQUEST_CHARS = 300  # of a request read for a list row (its first line is shown)
RUNNING_BANDS = (Urgency.BREACHED, Urgency.URGENT, Urgency.SOON, Urgency.OK)


class EscalationView(StrEnum):
    MINE = "mine"  # the pending reviews of the reviewer's own level
    PENDING = "pending"  # every pending review
    DECIDED = "decided"  # decisions of the last DECIDED_DAYS days, newest first
    MY_CASES = "my_cases"  # an agent's own escalated cases

    @property
    def title(self) -> str:
        return VIEW_TITLES[self]


VIEW_TITLES = {
    EscalationView.MINE: "Mine to decide",
    EscalationView.PENDING: "All pending",
    EscalationView.DECIDED: "Decided",
    EscalationView.MY_CASES: "My escalated cases",
}
REVIEWER_VIEWS = (EscalationView.MINE, EscalationView.PENDING, EscalationView.DECIDED)
AGENT_VIEWS = (EscalationView.MY_CASES,)
# Who reviews escalations, in one sentence; the escalation screen adds the key that records one
# (the TUI's, so remappable), and the line still fits 80 columns.
WHO_REVIEWS = "Supervisors decide level-1 escalations, managers level 2."


def views_for(actor: Actor) -> tuple[EscalationView, ...]:
    return REVIEWER_VIEWS if actor.sees_all_cases else AGENT_VIEWS


def level_to_decide(actor: Actor) -> int | None:
    """The level whose reviews are "mine to decide": 1 for supervisors, 2 for managers."""
    return {Role.SUPERVISOR: 1, Role.MANAGER: 2}.get(actor.role)


@dataclass(frozen=True)
class EscalationRow:
    """One row of the escalation screen: a pending review, or one decision (Decided)."""

    id: int  # unique in its view: the case's id, or the decision's (a case has two levels)
    key: Key  # its position in the view's order
    case_id: int
    ref: str
    level: int
    customer: str
    request: str  # the start of the customer's words
    assignee: str | None
    status: Status
    confidential: bool
    pending: bool
    due_at: datetime | None  # the review deadline
    version: int  # the case's: the table repaints a row when it changes
    decided_at: datetime | None = None
    outcome: EscalationOutcome | None = None
    decided_by: str | None = None

    def badge(self, sla: Sla, now: datetime) -> Badge:
        """The review clock: running while pending, then met on time or late."""
        if self.decided_at is not None:
            return sla.met_badge(self.due_at, self.decided_at)
        if self.pending and self.due_at is not None:
            return sla.running_badge(self.due_at, now)
        return Badge(Urgency.DONE, "✓ decided")


@dataclass(frozen=True)
class EscalationCounts:
    views: dict[EscalationView, int]
    bands: dict[Urgency, int]  # the review clock's bands in the current view
    late: int  # decided after the deadline (Decided view)
    total: int


class EscalationService(KeysetPages[EscalationView, EscalationRow]):
    """Keyset-paged reads of the escalation screen for one actor."""

    def __init__(self, desk: CaseDesk) -> None:
        self.desk = desk
        self.ctx = desk.ctx
        self.actor = desk.actor

    def _require_handler(self) -> None:
        require_case_handler_logged(self.ctx, self.actor, "escalations")

    def decided_since(self) -> datetime:
        return self.desk.now - timedelta(days=DECIDED_DAYS)

    # ---- query building ---------------------------------------------------------------------
    @staticmethod
    def _pending_rank():
        return case((Case.escalation_pending.is_(True), 0), else_=1)

    def _order(self, view: EscalationView):
        """(columns, descending) the view sorts by; each ends with a unique id."""
        if view is EscalationView.DECIDED:
            return (EscalationDecision.decided_at, EscalationDecision.id), True
        if view is EscalationView.MY_CASES:
            return (self._pending_rank(), Case.escalation_due_at, Case.id), False
        return (Case.escalation_due_at, Case.id), False

    def _conditions(self, view: EscalationView) -> list:
        conds = [visible_filter(self.actor)]
        if view is EscalationView.DECIDED:
            conds.append(EscalationDecision.decided_at >= self.decided_since())
        elif view is EscalationView.MY_CASES:
            conds += [Case.assignee_id == self.actor.id, Case.escalation_level > 0]
        else:
            conds.append(Case.escalation_pending.is_(True))
            if view is EscalationView.MINE:
                conds.append(Case.escalation_level == (level_to_decide(self.actor) or 0))
        return conds

    def _rows_query(self, view: EscalationView):
        request = func.substr(Escalation.request, 1, REQUEST_CHARS).label("request")
        common = (
            Case.ref,
            Case.customer,
            request,
            Agent.name.label("assignee"),
            Case.status,
            Case.confidential,
            Case.escalation_pending,
            Case.version,
        )
        if view is EscalationView.DECIDED:
            return (
                select(
                    EscalationDecision.id,
                    Case.id.label("case_id"),
                    EscalationDecision.level,
                    Escalation.due_at,
                    EscalationDecision.decided_at,
                    EscalationDecision.outcome,
                    EscalationDecision.decided_by,
                    *common,
                )
                .select_from(EscalationDecision)
                .join(Escalation, Escalation.id == EscalationDecision.escalation_id)
                .join(Case, Case.id == EscalationDecision.case_id)
                .outerjoin(Agent, Agent.id == Case.assignee_id)
            )
        # The case's latest request: the one pending, or the last decided.
        return (
            select(
                Case.id,
                Case.id.label("case_id"),
                Case.escalation_level.label("level"),
                Case.escalation_due_at.label("due_at"),
                *common,
            )
            .select_from(Case)
            .outerjoin(
                Escalation,
                and_(Escalation.case_id == Case.id, Escalation.level == Case.escalation_level),
            )
            .outerjoin(Agent, Agent.id == Case.assignee_id)
        )

    def _row(self, view: EscalationView, r) -> EscalationRow:
        decided = view is EscalationView.DECIDED
        if decided:
            key: Key = (r.decided_at, r.id)
        elif view is EscalationView.MY_CASES:
            key = (0 if r.escalation_pending else 1, r.due_at, r.id)
        else:
            key = (r.due_at, r.id)
        return EscalationRow(
            id=r.id,
            key=key,
            case_id=r.case_id,
            ref=r.ref,
            level=r.level,
            customer=r.customer,
            request=r.request or "",
            assignee=r.assignee,
            status=Status(r.status),
            confidential=r.confidential,
            pending=bool(r.escalation_pending) and not decided,
            due_at=r.due_at,
            version=r.version,
            decided_at=r.decided_at if decided else None,
            outcome=EscalationOutcome(r.outcome) if decided else None,
            decided_by=r.decided_by if decided else None,
        )

    # ---- pages -------------------------------------------------------------------------------

    def key_of(self, view: EscalationView, row: EscalationRow) -> Key:
        return row.key

    def descending(self, view: EscalationView) -> bool:
        return self._order(view)[1]

    def _page(
        self, view: EscalationView, key: Key | None, limit: int, *, forward: bool
    ) -> Page[EscalationRow]:
        self._require_handler()
        cols, desc = self._order(view)
        stmt = self._rows_query(view).where(*self._conditions(view))
        stmt = keyset(stmt, cols, key, forward != desc).limit(limit + 1)
        with self.desk._tx(write=False) as s:
            rows = [self._row(view, r) for r in s.execute(stmt)]
        return page_of(rows, limit, key, forward=forward)

    # ---- counts ------------------------------------------------------------------------------
    def _count(self, s, view: EscalationView, *extra) -> int:
        if view is EscalationView.DECIDED:
            stmt = (
                select(func.count())
                .select_from(EscalationDecision)
                .join(Escalation, Escalation.id == EscalationDecision.escalation_id)
                .join(Case, Case.id == EscalationDecision.case_id)
            )
        else:
            stmt = select(func.count()).select_from(Case)
        return s.scalar(stmt.where(*self._conditions(view), *extra)) or 0

    def counts(self, view: EscalationView) -> EscalationCounts:
        """Rows per view, and the current view's rows per band of the review clock: each band a
        range of the review deadline (index range counts, as the queue counts its bands)."""
        self._require_handler()
        late = 0
        with self.desk._tx(write=False) as s:
            views = {v: self._count(s, v) for v in views_for(self.actor)}
            bands = dict.fromkeys(RUNNING_BANDS, 0)
            if view is EscalationView.DECIDED:
                bands[Urgency.DONE] = views[view]
                late = self._count(s, view, EscalationDecision.decided_at > Escalation.due_at)
            else:
                pending = Case.escalation_pending.is_(True)
                for band in RUNNING_BANDS:
                    condition = self.desk.due_band_condition(Case.escalation_due_at, band)
                    bands[band] = self._count(s, view, pending, condition)
                if view is EscalationView.MY_CASES:
                    bands[Urgency.DONE] = self._count(s, view, Case.escalation_pending.is_(False))
        return EscalationCounts(views, bands, late, sum(bands.values()))
