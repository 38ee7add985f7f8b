"""The queue: views, filters and keyset pages, so a screen asks SQL only for the rows it shows."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from sqlalchemy import and_, exists, func, select, tuple_

from complaint_tui.domain.enums import QueueBucket, Status, Urgency
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.permissions import require_case_handler, visible_filter
from complaint_tui.services.search import search_condition
from complaint_tui.services.views import CaseSummary
from complaint_tui.store.models import Case, CaseService


class QueueView(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL_OPEN = "all_open"
    WAITING = "waiting"
    ESCALATED = "escalated"
    RESOLVED = "resolved"

    @property
    def title(self) -> str:
        return VIEW_TITLES[self]


VIEW_TITLES = {
    QueueView.MINE: "My cases",
    QueueView.UNASSIGNED: "Unassigned",
    QueueView.ALL_OPEN: "All open",
    QueueView.WAITING: "Waiting on customer",
    QueueView.ESCALATED: "Escalated",
    QueueView.RESOLVED: "Recently resolved",
}
VIEW_ORDER = tuple(QueueView)


@dataclass(frozen=True)
class QueueFilter:
    status: Status | None = None
    priority: str | None = None
    service: str | None = None
    channel: str | None = None
    category: str | None = None

    @property
    def active(self) -> bool:
        return any(
            v is not None
            for v in (self.status, self.priority, self.service, self.channel, self.category)
        )

    def describe(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("status", self.status.value if self.status else None),
                ("priority", self.priority),
                ("service", self.service),
                ("channel", self.channel),
                ("category", self.category),
            )
            if value is not None
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class QueueQuery:
    view: QueueView = QueueView.ALL_OPEN
    filter: QueueFilter = field(default_factory=QueueFilter)
    search: str = ""

    def with_view(self, view: QueueView) -> QueueQuery:
        return replace(self, view=view)


# A position in a view's order; the queue pages strictly after or before one.
Key = tuple


@dataclass(frozen=True)
class QueuePage:
    rows: list[CaseSummary]
    at_start: bool  # nothing comes before rows[0]
    at_end: bool  # nothing comes after rows[-1]


@dataclass(frozen=True)
class QueueCounts:
    views: dict[QueueView, int]
    bands: dict[Urgency, int]  # for the current query
    total: int  # rows in the current query (view + filter + search)


class QueueService:
    """Keyset-paged reads of the queue for one actor."""

    def __init__(self, desk: CaseDesk) -> None:
        self.desk = desk
        self.ctx = desk.ctx
        self.actor = desk.actor

    # ---- query building ---------------------------------------------------------------------
    def _order(self, view: QueueView):
        """(columns, descending) that the view sorts by; each ends with the id as tie-breaker."""
        if view is QueueView.ESCALATED:
            return (Case.escalation_due_at, Case.id), False
        if view is QueueView.RESOLVED:
            return (Case.queue_at, Case.id), True
        return (Case.queue_bucket, Case.queue_at, Case.id), False

    @staticmethod
    def key_of(view: QueueView, row: CaseSummary) -> Key:
        if view is QueueView.ESCALATED:
            return (row.escalation_due_at, row.id)
        if view is QueueView.RESOLVED:
            return (row.queue_at, row.id)
        return (row.queue_bucket, row.queue_at, row.id)

    @classmethod
    def key_just_before(cls, view: QueueView, row: CaseSummary) -> Key:
        """A key that sorts immediately before ``row``: paging "after" it re-reads from ``row``."""
        key = cls.key_of(view, row)
        step = 1 if view is QueueView.RESOLVED else -1  # that view runs newest first
        return key[:-1] + (key[-1] + step,)

    def _conditions(self, query: QueueQuery) -> list:
        view = query.view
        open_buckets = Case.queue_bucket.in_((QueueBucket.ACTIVE, QueueBucket.PAUSED))
        conds = [visible_filter(self.actor)]
        if view is QueueView.MINE:
            conds += [Case.assignee_id == self.actor.id, open_buckets]
        elif view is QueueView.UNASSIGNED:
            conds += [Case.assignee_id.is_(None), open_buckets]
        elif view is QueueView.ALL_OPEN:
            conds.append(open_buckets)
        elif view is QueueView.WAITING:
            conds.append(Case.queue_bucket == QueueBucket.PAUSED)
        elif view is QueueView.ESCALATED:
            conds.append(Case.escalation_pending.is_(True))
        elif view is QueueView.RESOLVED:
            conds.append(Case.queue_bucket == QueueBucket.DONE)
        f = query.filter
        if f.status is not None:
            conds.append(Case.status == f.status.value)
        if f.priority is not None:
            conds.append(Case.priority == f.priority)
        if f.channel is not None:
            conds.append(Case.channel == f.channel)
        if f.category is not None:
            conds.append(Case.category == f.category)
        if f.service is not None:
            conds.append(
                exists().where(
                    and_(CaseService.case_id == Case.id, CaseService.service == f.service)
                )
            )
        if query.search.strip():
            conds.append(search_condition(self.ctx.db, query.search))
        return conds

    # ---- pages -------------------------------------------------------------------------------
    def first(self, query: QueueQuery, limit: int) -> QueuePage:
        return self._page(query, None, limit, forward=True)

    def last(self, query: QueueQuery, limit: int) -> QueuePage:
        return self._page(query, None, limit, forward=False)

    def after(self, query: QueueQuery, key: Key, limit: int) -> QueuePage:
        return self._page(query, key, limit, forward=True)

    def before(self, query: QueueQuery, key: Key, limit: int) -> QueuePage:
        return self._page(query, key, limit, forward=False)

    def _page(self, query: QueueQuery, key: Key | None, limit: int, *, forward: bool) -> QueuePage:
        require_case_handler(self.actor)
        cols, desc = self._order(query.view)
        ascending = forward != desc  # the SQL direction of this fetch
        stmt = CaseDesk.summary_query().where(*self._conditions(query))
        if key is not None:
            row_value, key_value = tuple_(*cols), tuple_(*key)
            stmt = stmt.where(row_value > key_value if ascending else row_value < key_value)
        stmt = stmt.order_by(*[c.asc() if ascending else c.desc() for c in cols]).limit(limit + 1)
        with self.desk._tx(write=False) as s:
            rows = self.desk.summaries(s, stmt)
        more = len(rows) > limit
        rows = rows[:limit]
        if not forward:
            rows.reverse()
            return QueuePage(rows, at_start=not more, at_end=key is None)
        return QueuePage(rows, at_start=key is None, at_end=not more)

    # ---- counts ------------------------------------------------------------------------------
    def counts(self, query: QueueQuery) -> QueueCounts:
        """Per view and per urgency band: aggregate queries on indexed columns."""
        require_case_handler(self.actor)
        with self.desk._tx(write=False) as s:
            views = {}
            for view in VIEW_ORDER:
                q = QueueQuery(view=view)
                views[view] = (
                    s.scalar(select(func.count()).select_from(Case).where(*self._conditions(q)))
                    or 0
                )
            conds = self._conditions(query)
            bands = {}
            for band in (
                Urgency.BREACHED,
                Urgency.URGENT,
                Urgency.SOON,
                Urgency.OK,
                Urgency.PAUSED,
                Urgency.DONE,
            ):
                bands[band] = (
                    s.scalar(
                        select(func.count())
                        .select_from(Case)
                        .where(*conds, self.desk.urgency_condition(band))
                    )
                    or 0
                )
            total = s.scalar(select(func.count()).select_from(Case).where(*conds)) or 0
        return QueueCounts(views, bands, total)
