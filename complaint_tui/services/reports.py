"""Reports for continuous improvement (policy §6, issue 10): every figure is an aggregate
computed in SQL over the cases received in a period; no case is loaded into Python.

``build_report(ctx, actor, query)`` returns the report as a dict whose keys are the JSON
contract (README "Reports"); services/report_format.py renders it as a table, JSON, CSV or
Markdown. Who may read it: agents, supervisors and managers, each over the cases they may see
(an agent's report leaves out confidential cases not assigned to them); ``by_agent`` is given
to supervisors and managers only (an agent's report has ``by_agent: null``). Admins handle no
case contents and are refused (logged). Customer identifiers are never read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from complaint_tui.domain.enums import (
    Channel,
    CustomerResponse,
    EscalationOutcome,
    Priority,
    QueueBucket,
    Status,
    Urgency,
)
from complaint_tui.domain.intake import FieldError
from complaint_tui.domain.reports import (
    AGE_BUCKETS,
    ESCALATION_LEVELS,
    NO_CATEGORY,
    PENDING,
    hours,
    iso_week_label,
    nearest_rank,
    on_time_pct,
    week_mondays,
)
from complaint_tui.domain.text import has_unstorable
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext, db_refusals
from complaint_tui.services.errors import NotFound, ValidationFailed
from complaint_tui.services.identity import Actor
from complaint_tui.services.permissions import refusals_logged, require_case_handler, visible_filter
from complaint_tui.store.models import (
    Agent,
    Case,
    CaseService,
    Escalation,
    EscalationDecision,
    PolicyVersion,
)

REPORT_KEYS = (
    "period",
    "as_of",
    "cases_received",
    "by_channel",
    "by_service",
    "by_category",
    "by_priority",
    "by_status",
    "ack",
    "resolve",
    "ack_business_hours",
    "resolve_business_hours",
    "extensions",
    "reopened",
    "escalations",
    "referrals",
    "closing_responses",
    "root_causes",
    "backlog",
    "weekly",
    "by_agent",
)
MAX_PERIOD_DAYS = 3_700  # ten years and some: a typo'd year is refused, not scanned
DEFAULT_DAYS = 30  # `complaint-tui report` without --from: the 30 days ending --to
# Histogram buckets (business seconds) for the percentiles: counted in SQL, then only the
# bucket holding the wanted rank is ordered.
PERCENTILE_BUCKET_S = 60
PAIR = 1 << 32  # _Report._pair: two counts in one sum
BAND_KEYS = (Urgency.BREACHED, Urgency.URGENT, Urgency.SOON, Urgency.OK, Urgency.PAUSED)
FILTERS = ("service", "channel", "category", "priority", "assignee", "policy_version")


@dataclass(frozen=True)
class ReportQuery:
    """Cases received from ``date_from`` to ``date_to`` (inclusive local dates of the calendar's
    time zone), optionally only those matching every filter given."""

    date_from: date
    date_to: date
    service: str | None = None
    channel: str | None = None
    category: str | None = None
    priority: str | None = None
    assignee: str | None = None  # an agent's name
    policy_version: str | None = None  # a policy version's label

    @classmethod
    def ending(cls, date_to: date, days: int = DEFAULT_DAYS, **filters: str | None) -> ReportQuery:
        """The ``days`` local dates ending ``date_to``."""
        return cls(date_to - timedelta(days=days - 1), date_to, **filters)

    def filters(self) -> dict[str, str]:
        """The filters given, by name, in the order of FILTERS."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name in FILTERS and getattr(self, f.name) not in (None, "")
        }


def report_problem(query: ReportQuery) -> FieldError | None:
    if query.date_from > query.date_to:
        return FieldError("from", "from: the period starts after it ends.")
    if (query.date_to - query.date_from).days >= MAX_PERIOD_DAYS:
        return FieldError("from", f"from: a report covers at most {MAX_PERIOD_DAYS:,} days.")
    if query.channel and query.channel not in {c.value for c in Channel}:
        return FieldError("channel", "channel: choose one of " + ", ".join(Channel) + ".")
    if query.priority and query.priority not in {p.value for p in Priority}:
        return FieldError("priority", "priority: choose one of " + ", ".join(Priority) + ".")
    for name, value in query.filters().items():
        if has_unstorable(value) or len(value) > 200:
            return FieldError(name, f"{name}: no such value.")
    return None


class _Report:
    """One report's SQL, over one read transaction."""

    def __init__(self, ctx: AppContext, actor: Actor, query: ReportQuery, s: Session) -> None:
        self.ctx, self.actor, self.query, self.s = ctx, actor, query, s
        if ctx.db.is_postgres:
            # A report's queries are few, each one pass over an index range: compiling their
            # expressions (JIT, which the planner's cost estimates switch on) cost more than it
            # saved, about 0.7 s of a 12-month report at 1M cases.
            s.execute(text("SET LOCAL jit = off"))
        self.as_of: datetime = ctx.now()
        cal = ctx.calendar
        self.start = cal.day_start(query.date_from)
        self.end = cal.day_start(query.date_to + timedelta(days=1))
        # The filters, and with the period the cases of the report (a per-week range stands in
        # for the period: two ranges on one column would leave the database scanning the wider).
        self.filters = self._cohort()
        self.cohort = [Case.received_at >= self.start, Case.received_at < self.end, *self.filters]

    # ---- the cases of the report ------------------------------------------------------------
    def _cohort(self) -> list:
        q, s = self.query, self.s
        conds = [visible_filter(self.actor)]
        if q.channel:
            conds.append(Case.channel == q.channel)
        if q.priority:
            conds.append(Case.priority == q.priority)
        if q.category:
            conds.append(
                Case.category.is_(None)
                if q.category == NO_CATEGORY
                else Case.category == q.category
            )
        if q.service:
            # Aliased: the by-service figure joins case_services itself.
            svc = CaseService.__table__.alias("filter_services")
            conds.append(exists().where(svc.c.case_id == Case.id, svc.c.service == q.service))
        if q.assignee:
            agent_id = s.scalar(select(Agent.id).where(Agent.name == q.assignee.strip()))
            if agent_id is None:
                raise NotFound(f"No agent {q.assignee.strip()!r}.")
            conds.append(Case.assignee_id == agent_id)
        if q.policy_version:
            version_id = s.scalar(
                select(PolicyVersion.id).where(PolicyVersion.label == q.policy_version.strip())
            )
            if version_id is None:
                raise NotFound(f"No policy version {q.policy_version.strip()!r}.")
            conds.append(Case.policy_version_id == version_id)
        return conds

    def _period_unindexed(self) -> list:
        """The period as a filter that SQLite will not serve from ``received_at``'s indexes
        (its unary ``+``), so that it reads an index in the order of a GROUP BY instead of the
        period's range followed by a sort of its rows. PostgreSQL hashes: the plain range."""
        received = Case.received_at
        if not self.ctx.db.is_postgres:
            received = literal_column("+cases.received_at", type_=Case.received_at.type)
        return [received >= self.start, received < self.end]

    # ---- the clocks, as SQL conditions (README "Reports": definitions) ----------------------
    @property
    def ack_on_time(self):
        return and_(Case.acknowledged_at.is_not(None), Case.acknowledged_at <= Case.ack_due_at)

    @property
    def ack_late(self):
        return or_(
            Case.acknowledged_at > Case.ack_due_at,
            and_(Case.acknowledged_at.is_(None), Case.ack_due_at < self.as_of),
        )

    @property
    def resolve_on_time(self):
        return and_(Case.resolved_at.is_not(None), Case.resolved_at <= Case.resolve_due_at)

    @property
    def resolve_late(self):
        waiting = Case.status == Status.WAITING_ON_CUSTOMER.value
        return or_(
            Case.resolved_at > Case.resolve_due_at,
            and_(
                Case.resolved_at.is_(None),
                or_(
                    # Paused: late only if it had breached at the pause (its due instant stays).
                    and_(waiting, Case.paused_at.is_not(None), Case.paused_remaining_s.is_(None)),
                    and_(~waiting, Case.resolve_due_at < self.as_of),
                ),
            ),
        )

    @staticmethod
    def _pair(low, high, *, exclusive: bool):
        """Two counts in one aggregate (each aggregate costs a call a row, and SQLite's per-row
        work is most of a report): the rows meeting ``low`` add 1, those meeting ``high`` add
        2**32; _unpaired splits the sum. Exact while a group holds fewer than 2**31 rows.
        ``exclusive``: no row meets both, so one CASE tells which."""
        one, two = literal_column("1"), literal_column(str(PAIR))
        if exclusive:
            added = case((low, one), (high, two), else_=literal_column("0"))
        else:
            added = case((low, one), else_=literal_column("0")) + case(
                (high, two), else_=literal_column("0")
            )
        return func.coalesce(func.sum(added), 0)

    # ---- figures ----------------------------------------------------------------------------
    def week_figures(self) -> tuple[list[date], list[dict]]:
        """Per ISO week (Monday to Sunday, local) of the period: the counts the totals and the
        weekly figures are made of. Week boundaries are instants computed here; SQL aggregates
        each week's range of receipts (UNION ALL of index range scans, no sort), so both
        databases agree whatever their time zone support."""
        mondays = week_mondays(self.query.date_from, self.query.date_to)
        starts = [max(self.start, self.ctx.calendar.day_start(m)) for m in mondays]
        ends = [*starts[1:], self.end]
        pair = self._pair
        first, second, third = (
            (Case.customer_response == r.value, f"resp_{r.value}") for r in CustomerResponse
        )
        figures = (
            func.count().label("received"),
            pair(self.ack_on_time, self.ack_late, exclusive=True).label("ack_on|ack_late"),
            pair(self.resolve_on_time, self.resolve_late, exclusive=True).label("res_on|res_late"),
            pair(Case.extension_count > 0, Case.reopen_count > 0, exclusive=False).label(
                "extended|reopened"
            ),
            pair(first[0], second[0], exclusive=True).label(f"{first[1]}|{second[1]}"),
            pair(Case.referred_to.is_not(None), third[0], exclusive=False).label(
                f"referred|{third[1]}"
            ),
            func.count(Case.ack_business_s).label("ack_timed"),
            func.count(Case.resolve_business_s).label("res_timed"),
        )
        parts = [
            select(literal_column(str(i)).label("rep_week"), *figures).where(
                Case.received_at >= lo, Case.received_at < hi, *self.filters
            )
            for i, (lo, hi) in enumerate(zip(starts, ends, strict=True))
        ]
        rows = {int(r.rep_week): _unpaired(r._mapping) for r in self.s.execute(union_all(*parts))}
        return mondays, [rows[i] for i in range(len(mondays))]

    @staticmethod
    def totals(weeks: list) -> dict[str, int]:
        keys = [k for k in weeks[0] if k != "rep_week"] if weeks else []
        return {k: sum(int(w[k] or 0) for w in weeks) for k in keys}

    def breakdown(self) -> dict:
        """by_channel, by_category, by_priority, by_status, root_causes, backlog and by_agent
        from one GROUP BY over raw columns (channel, priority, status, category, assignee, root
        cause): the groups are their combinations (some thousands of rows), each with its counts
        of resolved cases, of the two clocks' states and of bands, added up here (the backlog's
        younger ages come from younger_open). The group keys lead
        ``ix_cases_report_groups`` (migration 0015), so SQLite reads the groups in index order
        and needs no sort of the period's rows (it has no hash aggregation)."""
        # The bands count every case of a group; the groups of closed statuses are left out
        # of the backlog here in Python (status is a group key), which spares SQL a test a row.
        desk = CaseDesk(self.ctx, self.actor)
        active = Case.queue_bucket == QueueBucket.ACTIVE
        # Paused: the group's open cases less the four bands of running clocks.
        bands = [
            (u, and_(active, desk.due_band_condition(Case.queue_at, u, self.as_of)))
            for u in (Urgency.BREACHED, Urgency.URGENT, Urgency.SOON, Urgency.OK)
        ]
        band_counts = [
            self._pair(lo[1], hi[1], exclusive=True).label(f"band_{lo[0].value}|band_{hi[0].value}")
            for lo, hi in (bands[:2], bands[2:])
        ]
        keys = (
            Case.channel.label("rep_channel"),
            Case.priority.label("rep_priority"),
            Case.status.label("rep_status"),
            Case.category.label("rep_category"),
            Case.assignee_id.label("rep_assignee"),
            Case.root_cause.label("rep_root_cause"),
        )
        stmt = (
            select(
                *keys,
                func.count().label("n"),
                func.count(Case.resolved_at).label("resolved"),
                self._pair(self.ack_on_time, self.ack_late, exclusive=True).label(
                    "ack_on|ack_late"
                ),
                self._pair(self.resolve_on_time, self.resolve_late, exclusive=True).label(
                    "res_on|res_late"
                ),
                *band_counts,
            )
            .where(*self._period_unindexed(), *self.filters)
            .group_by(
                Case.channel,
                Case.priority,
                Case.status,
                Case.category,
                Case.assignee_id,
                Case.root_cause,
            )
        )
        rows = self.s.execute(stmt).all()
        out: dict = {
            "by_channel": {c.value: 0 for c in Channel},
            "by_category": {},
            "by_priority": {p.value: 0 for p in Priority},
            "by_status": {st.value: 0 for st in Status},
        }
        by_age = {label: 0 for label, _ in AGE_BUCKETS}
        by_band = {u.value: 0 for u in BAND_KEYS}
        agents: dict[int, list] = {}
        root_causes: dict[str, int] = {}
        for row in rows:
            m = _unpaired(row._mapping)
            n = int(m["n"])
            if m["rep_root_cause"] is not None and m["resolved"]:
                cause = m["rep_root_cause"]
                root_causes[cause] = root_causes.get(cause, 0) + int(m["resolved"])
            for key, value in (
                ("by_channel", m["rep_channel"]),
                ("by_category", NO_CATEGORY if m["rep_category"] is None else m["rep_category"]),
                ("by_priority", m["rep_priority"]),
                ("by_status", m["rep_status"]),
            ):
                out[key][value] = out[key].get(value, 0) + n
            if Status(m["rep_status"]).is_open:
                by_age[AGE_BUCKETS[-1][0]] += n  # less the younger ones, below
                running = 0
                for u in (Urgency.BREACHED, Urgency.URGENT, Urgency.SOON, Urgency.OK):
                    by_band[u.value] += int(m[f"band_{u.value}"])
                    running += int(m[f"band_{u.value}"])
                by_band[Urgency.PAUSED.value] += n - running
            assignee = m["rep_assignee"]
            if assignee is not None:
                entry = agents.setdefault(int(assignee), [0, Counter(), Counter()])
                entry[0] += n
                entry[1]["on"] += int(m["ack_on"])
                entry[1]["late"] += int(m["ack_late"])
                entry[2]["on"] += int(m["res_on"])
                entry[2]["late"] += int(m["res_late"])
        for label, n in self.younger_open().items():
            by_age[label] = n
            by_age[AGE_BUCKETS[-1][0]] -= n
        out["by_category"] = _most_first(out["by_category"])
        out["root_causes"] = _most_first(root_causes)
        out["backlog"] = {"by_age": by_age, "by_band": by_band}
        names = dict(
            self.s.execute(select(Agent.id, Agent.name).where(Agent.id.in_(list(agents)))).all()
        )
        out["by_agent"] = sorted(
            (
                {
                    "agent": names[agent_id],
                    "handled": e[0],
                    "ack_on_time_pct": on_time_pct(e[1]["on"], e[1]["late"]),
                    "resolve_on_time_pct": on_time_pct(e[2]["on"], e[2]["late"]),
                }
                for agent_id, e in agents.items()
            ),
            key=lambda a: a["agent"],
        )
        return out

    def younger_open(self) -> dict[str, int]:
        """The open cases of the report in each age bucket but the oldest: a range of receipt
        instants each (UNION ALL of index range scans over the last days only, no sort)."""
        is_open = Case.status.in_([st.value for st in Status if st.is_open])
        ages = [self.as_of - timedelta(days=days) for _, days in AGE_BUCKETS]
        parts = []
        for i in range(len(AGE_BUCKETS) - 1):
            # Bucket i: received after the next bucket's bound, up to its own (the first: on).
            conds = [Case.received_at > ages[i + 1]]
            if i > 0:
                conds.append(Case.received_at <= ages[i])
            parts.append(
                select(literal_column(str(i)).label("rep_age"), func.count()).where(
                    *conds, *self.cohort, is_open
                )
            )
        rows = dict(self.s.execute(union_all(*parts)).all())
        return {AGE_BUCKETS[i][0]: int(rows.get(i, 0)) for i in range(len(AGE_BUCKETS) - 1)}

    def by_service(self) -> dict[str, int]:
        if self.actor.sees_all_cases and not self.query.filters():
            # Every case of the period: its services' rows carry its receipt instant, so the
            # period's entries of ix_case_services_received, read in service order, are the
            # whole answer (no join, no sort).
            rows = self.s.execute(
                select(CaseService.service, func.count())
                .where(CaseService.received_at >= self.start, CaseService.received_at < self.end)
                .group_by(CaseService.service)
            ).all()
            return _most_first(dict(rows))
        # Some cases of the period: from its range of the report index into case_services'
        # key, never the wide case rows.
        rows = self.s.execute(
            select(CaseService.service, func.count())
            .select_from(Case)
            .join(CaseService, CaseService.case_id == Case.id)
            .where(*self.cohort)
            .group_by(CaseService.service)
        ).all()
        return _most_first(dict(rows))

    def business_hours(self, column, timed: int) -> dict[str, float | None]:
        """Median and p90 (nearest rank) of a business-seconds column, in hours, over the
        ``timed`` cases of the report that have a value.

        Over every case of a period that holds most of the cases with a value, each value is
        read at its rank from the column's index (``column, received_at``; migration 0015),
        walked in order, the period filtered within it: no sort. Otherwise a histogram counted
        in SQL over the period finds the bucket of each rank, then one ordered read within that
        bucket fetches the value at its position."""
        if timed == 0:
            return {"median": None, "p90": None}
        if self.actor.sees_all_cases and not self.query.filters():
            everyone = self.s.scalar(select(func.count(column)).where(column.is_not(None)))
            if 2 * timed >= int(everyone or 0):
                return {
                    key: hours(
                        self.s.scalar(
                            select(column)
                            .where(column.is_not(None), *self._period_unindexed())
                            .order_by(column)
                            .limit(1)
                            .offset(nearest_rank(timed, pct) - 1)
                        )
                    )
                    for key, pct in (("median", 50), ("p90", 90))
                }
        dialect_floor = (
            func.floor(column / PERCENTILE_BUCKET_S)
            if self.ctx.db.is_postgres
            else cast(column / PERCENTILE_BUCKET_S, Integer)
        )
        bucket = cast(dialect_floor, Integer).label("rep_bucket")
        rows = self.s.execute(
            select(bucket, func.count())
            .where(*self.cohort, column.is_not(None))
            .group_by(_named("rep_bucket"))
            .order_by(_named("rep_bucket"))
        ).all()
        total = sum(n for _, n in rows)
        if total == 0:
            return {"median": None, "p90": None}
        out: dict[str, float | None] = {}
        for key, pct in (("median", 50), ("p90", 90)):
            rank = nearest_rank(total, pct)
            before = 0
            for b, n in rows:
                if before + n >= rank:
                    lo, hi = b * PERCENTILE_BUCKET_S, (b + 1) * PERCENTILE_BUCKET_S
                    value = self.s.scalar(
                        select(column)
                        .where(*self.cohort, column >= lo, column < hi)
                        .order_by(column)
                        .limit(1)
                        .offset(rank - before - 1)
                    )
                    out[key] = hours(value)
                    break
                before += n
        return out

    def escalations(self) -> dict:
        # Escalations are a few per hundred cases: SQLite walks them and looks up each one's
        # case by its key, rather than the period's million cases probing for escalations.
        level = cast(Escalation.level, Integer)
        requested = dict(
            self.s.execute(
                select(level, func.count())
                .join(Case, Case.id == Escalation.case_id)
                .where(*self._period_unindexed(), *self.filters)
                .group_by(level)
            ).all()
        )
        decided = dict(
            self.s.execute(
                select(EscalationDecision.outcome, func.count())
                .join(Case, Case.id == EscalationDecision.case_id)
                .where(*self._period_unindexed(), *self.filters)
                .group_by(EscalationDecision.outcome)
            ).all()
        )
        total = sum(requested.values())
        by_level = {lv: 0 for lv in ESCALATION_LEVELS}
        for lv, n in requested.items():
            by_level[str(lv)] = by_level.get(str(lv), 0) + n
        by_decision = {o.value: decided.get(o.value, 0) for o in EscalationOutcome}
        for outcome, n in decided.items():
            by_decision.setdefault(outcome, n)
        by_decision[PENDING] = max(0, total - sum(decided.values()))
        return {"requested": total, "by_level": by_level, "by_decision": by_decision}

    @staticmethod
    def weekly(mondays: list[date], weeks: list) -> list[dict]:
        return [
            {
                "week": iso_week_label(monday),
                "received": int(w["received"]),
                "ack_on_time_pct": on_time_pct(int(w["ack_on"] or 0), int(w["ack_late"] or 0)),
                "resolve_on_time_pct": on_time_pct(int(w["res_on"] or 0), int(w["res_late"] or 0)),
            }
            for monday, w in zip(mondays, weeks, strict=True)
        ]

    def build(self) -> dict:
        mondays, weeks = self.week_figures()
        t = self.totals(weeks)
        dims = self.breakdown()
        tz = self.ctx.calendar.tz
        return {
            "period": {
                "from": self.query.date_from.isoformat(),
                "to": self.query.date_to.isoformat(),
            },
            "as_of": self.as_of.astimezone(tz).isoformat(),
            "cases_received": int(t["received"]),
            "by_channel": dims["by_channel"],
            "by_service": self.by_service(),
            "by_category": dims["by_category"],
            "by_priority": dims["by_priority"],
            "by_status": dims["by_status"],
            "ack": _clock(t["received"], t["ack_on"], t["ack_late"]),
            "resolve": _clock(t["received"], t["res_on"], t["res_late"]),
            "ack_business_hours": self.business_hours(Case.ack_business_s, t["ack_timed"]),
            "resolve_business_hours": self.business_hours(Case.resolve_business_s, t["res_timed"]),
            "extensions": int(t["extended"]),
            "reopened": int(t["reopened"]),
            "escalations": self.escalations(),
            "referrals": int(t["referred"]),
            "closing_responses": {r.value: int(t[f"resp_{r.value}"]) for r in CustomerResponse},
            "root_causes": dims["root_causes"],
            "backlog": dims["backlog"],
            "weekly": self.weekly(mondays, weeks),
            "by_agent": dims["by_agent"] if self.actor.sees_all_cases else None,
        }


def _clock(received, on, late) -> dict:
    on, late = int(on), int(late)
    return {
        "on_time": on,
        "late": late,
        "pending": int(received) - on - late,
        "on_time_pct": on_time_pct(on, late),
    }


def _unpaired(row) -> dict:
    """A result row as a dict, each pair of counts (_Report._pair, labelled "a|b") split."""
    out = {}
    for key, value in row.items():
        if "|" in key:
            low, high = key.split("|")
            total = int(value or 0)
            out[low], out[high] = total % PAIR, total // PAIR
        else:
            out[key] = value
    return out


def _most_first(counts: dict[str, int]) -> dict[str, int]:
    """Most frequent first, then by name."""
    return {k: int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def _named(label: str):
    """GROUP BY an output column's label: the expression itself carries bound values, which
    PostgreSQL would see as a different expression from the one selected."""
    return literal_column(label)


def _bucket_of(column, bounds: list[datetime], offset: int = 0):
    """SQL for the index of the interval ``column`` falls in, given sorted inner ``bounds``
    (interval i is [bounds[i-1], bounds[i])): a balanced CASE tree, about log2(n) comparisons."""
    if not bounds:
        return literal_column(str(int(offset)))
    mid = len(bounds) // 2
    return case(
        (column < bounds[mid], _bucket_of(column, bounds[:mid], offset)),
        else_=_bucket_of(column, bounds[mid + 1 :], offset + mid + 1),
    )


def _check(actor: Actor, query: ReportQuery) -> None:
    require_case_handler(actor)
    problem = report_problem(query)
    if problem is not None:
        raise ValidationFailed([problem])


@refusals_logged("report")
def build_report(ctx: AppContext, actor: Actor, query: ReportQuery) -> dict:
    """The report of ``query`` as ``actor`` may see it (see the module's docstring)."""
    _check(actor, query)
    with db_refusals(), ctx.db.session() as s:
        return _Report(ctx, actor, query, s).build()


@refusals_logged("report")
def resolve_hours_distribution(
    ctx: AppContext, actor: Actor, query: ReportQuery, bucket_edges: list[float]
) -> list[int]:
    """How many resolved cases of the report took each span of business hours to resolve, for
    the report screen's histogram: increasing ``bucket_edges`` (hours) [e0, …, en] give n + 2
    counts: hours < e0, e0 <= hours < e1, …, hours >= en."""
    _check(actor, query)
    edges = [float(e) for e in bucket_edges]
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValidationFailed([FieldError("buckets", "buckets: the edges must increase.")])
    with db_refusals(), ctx.db.session() as s:
        report = _Report(ctx, actor, query, s)
        column = Case.resolve_business_s
        bucket = _bucket_of(column, [e * 3600 for e in edges])
        rows = s.execute(
            select(bucket.label("rep_bucket"), func.count())
            .where(*report.cohort, column.is_not(None))
            .group_by(_named("rep_bucket"))
        ).all()
    counts = [0] * (len(edges) + 1)
    for b, n in rows:
        counts[int(b)] += int(n)
    return counts
