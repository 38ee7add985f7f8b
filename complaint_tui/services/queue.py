"""The queue: views, filters and keyset pages, so a screen asks SQL only for the rows it shows."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from sqlalchemy import and_, case, exists, false, func, select

from complaint_tui.domain.enums import BAND_ORDER, QueueBucket, Status, Urgency
from complaint_tui.domain.labels import status_label
from complaint_tui.services.cases import UNASSIGNED, CaseDesk
from complaint_tui.services.paging import Key, KeysetPages, Page, keyset, page_of
from complaint_tui.services.permissions import require_case_handler_logged, visible_filter
from complaint_tui.services.search import is_common, search_condition, search_order
from complaint_tui.services.views import CaseSummary
from complaint_tui.store.models import Case, CaseService


class QueueView(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    ALL_OPEN = "all_open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    NEXT_UPDATE = "next_update"  # open cases whose customer-update clock has passed

    @property
    def title(self) -> str:
        return VIEW_TITLES[self]


VIEW_TITLES = {
    QueueView.MINE: "My cases",
    QueueView.UNASSIGNED: "Unassigned",
    QueueView.ALL_OPEN: "All open",
    QueueView.WAITING: "Waiting on customer",
    QueueView.RESOLVED: "Recently resolved",
    QueueView.NEXT_UPDATE: "Next update due",
}
VIEW_ORDER = tuple(QueueView)


@dataclass(frozen=True)
class QueueFilter:
    status: Status | None = None
    priority: str | None = None
    service: str | None = None
    channel: str | None = None
    category: str | None = None
    assignee: str | None = None  # an agent's name, or UNASSIGNED

    @property
    def active(self) -> bool:
        return any(
            v is not None
            for v in (
                self.status,
                self.priority,
                self.service,
                self.channel,
                self.category,
                self.assignee,
            )
        )

    def describe(self) -> str:
        """The filter as people read it: "status waiting on the customer, priority high"."""
        parts = [
            f"{name} {value}"
            for name, value in (
                ("status", status_label(self.status) if self.status else None),
                ("priority", self.priority),
                ("service", self.service),
                ("channel", self.channel),
                ("category", self.category),
                ("assignee", _assignee_text(self.assignee)),
            )
            if value is not None
        ]
        return ", ".join(parts)


def _assignee_text(assignee: str | None) -> str | None:
    return "nobody" if assignee == UNASSIGNED else assignee


@dataclass(frozen=True)
class QueueQuery:
    view: QueueView = QueueView.ALL_OPEN
    filter: QueueFilter = field(default_factory=QueueFilter)
    search: str = ""
    everywhere: bool = False  # a search covers every case one may see, not only the view's

    def with_view(self, view: QueueView) -> QueueQuery:
        return replace(self, view=view)

    @property
    def searching_everywhere(self) -> bool:
        return self.everywhere and bool(self.search.strip())

    @property
    def lists_view(self) -> QueueView | None:
        """The view whose cases are listed: None while searching everywhere."""
        return None if self.searching_everywhere else self.view


@dataclass(frozen=True)
class QueueCounts:
    views: dict[QueueView, int]
    bands: dict[Urgency, int]  # for the current query
    total: int  # rows in the current query (view + filter + search)


class QueueService(KeysetPages[QueueQuery, CaseSummary]):
    """Keyset-paged reads of the queue for one actor."""

    def __init__(self, desk: CaseDesk) -> None:
        self.desk = desk
        self.ctx = desk.ctx
        self.actor = desk.actor
        self._plans: dict[str, bool] = {}  # search -> matches many (is_common)?

    def _require_handler(self) -> None:
        require_case_handler_logged(self.ctx, self.actor, "queue")

    # ---- query building ---------------------------------------------------------------------
    def _order(self, query: QueueQuery):
        """(columns, descending) that the list sorts by; each ends with the id as tie-breaker.
        Searching everywhere sorts like the queue: running clocks, then paused, then done."""
        view = query.lists_view
        if view is QueueView.RESOLVED:
            return (Case.queue_at, Case.id), True
        if view is QueueView.NEXT_UPDATE:  # the longest overdue update first
            return (Case.next_update_due_at, Case.id), False
        return (Case.queue_bucket, Case.queue_at, Case.id), False

    def key_of(self, query: QueueQuery, row: CaseSummary) -> Key:
        # The summary's attributes are named like the case's columns.
        return tuple(getattr(row, col.key) for col in self._order(query)[0])

    def descending(self, query: QueueQuery) -> bool:
        return self._order(query)[1]

    def _conditions(self, query: QueueQuery, *, common: bool = False) -> list:
        view = query.lists_view
        open_buckets = Case.queue_bucket.in_((QueueBucket.ACTIVE, QueueBucket.PAUSED))
        conds = [visible_filter(self.actor)]
        if view is None:
            pass  # searching everywhere: every case this actor may see
        elif view is QueueView.NEXT_UPDATE:
            # The clock runs only while the case is acknowledged or investigating; CaseDesk
            # keeps it NULL otherwise (waiting on the customer, resolved, closed, not yet
            # acknowledged), so this one range of ix_cases_next_update is the view, its pages
            # and its count (no other condition for SQLite to prefer ix_cases_queue for).
            # Due exactly now counts as passed, like every clock.
            conds.append(Case.next_update_due_at <= self.desk.now)
        elif view is QueueView.MINE:
            conds += [Case.assignee_id == self.actor.id, open_buckets]
        elif view is QueueView.UNASSIGNED:
            conds += [Case.assignee_id.is_(None), open_buckets]
        elif view is QueueView.ALL_OPEN:
            conds.append(open_buckets)
        elif view is QueueView.WAITING:
            conds.append(Case.queue_bucket == QueueBucket.PAUSED)
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
        if f.assignee is not None:
            conds.append(self.desk.assignee_condition(f.assignee))
        if f.service is not None:
            conds.append(
                exists().where(
                    and_(CaseService.case_id == Case.id, CaseService.service == f.service)
                )
            )
        if query.search.strip():
            conds.append(
                search_condition(
                    self.ctx.db, query.search, common=common, sees_all=self.actor.sees_all_cases
                )
            )
        return conds

    # ---- pages -------------------------------------------------------------------------------

    def _page(
        self, query: QueueQuery, key: Key | None, limit: int, *, forward: bool
    ) -> Page[CaseSummary]:
        self._require_handler()
        cols, desc = self._order(query)
        ascending = forward != desc  # the SQL direction of this fetch
        searching = bool(query.search.strip())
        with self.desk._tx(write=False) as s:
            if query.filter.assignee is not None:
                self.desk.check_assignee(s, query.filter.assignee)
            common = searching and self._common_search(s, query)
            stmt = CaseDesk.summary_query().where(*self._conditions(query, common=common))
            order = search_order(self.ctx.db, cols, common=common) if searching else cols
            stmt = keyset(stmt, cols, key, ascending, order).limit(limit + 1)
            rows = self.desk.summaries(s, stmt)
        return page_of(rows, limit, key, forward=forward)

    def _common_search(self, s, query: QueueQuery) -> bool:
        # Decided once per search: every page of a scroll through the results asks again, and
        # the count costs up to tens of ms on PostgreSQL for a common word.
        common = self._plans.get(query.search)
        if common is None:
            common = is_common(self.ctx.db, s, query.search)
            if len(self._plans) >= 64:
                self._plans.clear()
            self._plans[query.search] = common
        return common

    # ---- counts ------------------------------------------------------------------------------
    def view_counts(self) -> dict[QueueView, int]:
        """Cases per view (no filter, no search): index range counts."""
        self._require_handler()
        with self.desk._tx(write=False) as s:
            return {
                view: s.scalar(
                    select(func.count())
                    .select_from(Case)
                    .where(*self._conditions(QueueQuery(view=view)))
                )
                or 0
                for view in VIEW_ORDER
            }

    def band_counts(self, query: QueueQuery) -> tuple[dict[Urgency, int], int]:
        """Cases per urgency band in the current query, and their total, in one pass."""
        self._require_handler()
        bands = BAND_ORDER
        if not query.search.strip() and not query.filter.active:
            # Unfiltered: each band is a range of the view's (bucket, due) index; counting
            # ranges beats evaluating every row of a large view.
            with self.desk._tx(write=False) as s:
                conds = self._conditions(query)
                counts = {
                    b: s.scalar(
                        select(func.count())
                        .select_from(Case)
                        .where(*conds, self._band_condition(query, b))
                    )
                    or 0
                    for b in bands
                }
            return counts, sum(counts.values())
        columns = [
            func.coalesce(func.sum(case((self._band_condition(query, b), 1), else_=0)), 0)
            for b in bands
        ]
        with self.desk._tx(write=False) as s:
            row = s.execute(
                select(func.count(), *columns).select_from(Case).where(*self._conditions(query))
            ).one()
        return dict(zip(bands, (int(v) for v in row[1:]), strict=True)), int(row[0])

    def _band_condition(self, query: QueueQuery, band: Urgency):
        """A case's band in this list: by its customer-update clock in "Next update due" (so
        the counts agree with the badges that view shows), else by its active clock."""
        if query.lists_view is QueueView.NEXT_UPDATE:
            if band in (Urgency.PAUSED, Urgency.DONE):
                return false()
            return self.desk.due_band_condition(Case.next_update_due_at, band)
        return self.desk.urgency_condition(band)

    def counts(self, query: QueueQuery) -> QueueCounts:
        bands, total = self.band_counts(query)
        return QueueCounts(self.view_counts(), bands, total)
