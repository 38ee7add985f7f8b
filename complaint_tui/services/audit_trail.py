"""The audit trail (policy §4): who saw and who changed a case, or what one person did, in time
order. One service for `complaint-tui audit` and the case screen's `L`: same entries, same
order, same words.

Three append-only records are merged:

- the access log: every view, audit read and refused attempt the program wrote;
- the case history (PostgreSQL): every change of a case row, written by a trigger under the login
  that made it, whatever client it used. Its ``via_app`` is the session's own claim to be this
  program, a claim any client can make: only False is certain ("outside the app"); True reads
  "app (claimed)";
- the timeline: what was done through the program (notes, customer updates, attachments,
  decisions). Those are rows of other tables, so the case history cannot show them, and on
  SQLite, where nothing writes the case history, the timeline is the only record of changes.

The order is (at, source, id). Pages are read in SQL by that key, each record through its own
index, so a trail of any length is read one bounded page at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, String, literal_column, select, tuple_, union_all

from complaint_tui.domain.clock import instant_problem
from complaint_tui.domain.enums import Role
from complaint_tui.domain.labels import (
    case_field_label,
    event_label,
    response_label,
    show_instant,
    status_label,
)
from complaint_tui.domain.sla import format_business_span
from complaint_tui.domain.text import has_unstorable, one_line
from complaint_tui.services.audit import log_access, record_refusal
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import NotFound, PermissionDenied, Refused
from complaint_tui.services.identity import Actor
from complaint_tui.services.paging import KeysetPages, Page, read_page
from complaint_tui.store.models import (
    AccessLog,
    Agent,
    Case,
    CaseHistory,
    TimelineEvent,
    UTCDateTime,
)

# Sources, named so that they sort in this order: the second part of the trail's key.
ACCESS, CHANGE, TIMELINE = "access", "change", "timeline"
OUTSIDE_APP = "outside the app"
APP_CLAIMED = "app (claimed)"
AUDIT_ACTION = "audit"  # reading a trail is itself in the access log
AUDITORS = (Role.SUPERVISOR, Role.MANAGER)
VALUE_CHARS = 80  # of one old or new value in a change's detail
TEXT_CHARS = 300  # of a timeline text or an access-log detail
_OPERATIONS = {"insert": "case created", "update": "case changed", "delete": "case deleted"}
# A change lists the case's fields in the table's order: what the case is about first, the
# program's bookkeeping (queue position, version, updated) last.
_FIELD_ORDER = {column.name: i for i, column in enumerate(Case.__table__.columns)}

AuditKey = tuple[datetime, str, int]


def audit_refusal(actor: Actor) -> str | None:
    """Why ``actor`` may not read audit trails, in one sentence; None if they may."""
    if actor.role in AUDITORS:
        return None
    article = "an" if actor.role.value[0] in "aeiou" else "a"
    return (
        "Only supervisors and managers may read the audit trail; "
        f"{actor.name} is {article} {actor.role.value}."
    )


@dataclass(frozen=True)
class FieldChange:
    field: str  # the case's column
    old: Any  # as stored (JSON)
    new: Any
    text: str  # "priority: normal → high"


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    source: str  # ACCESS | CHANGE | TIMELINE
    id: int  # the row's id in its own record
    actor: str
    action: str
    allowed: bool
    detail: str  # one line, customer text made inert; never markup
    ref: str | None = None
    via: str | None = None  # changes: OUTSIDE_APP or APP_CLAIMED
    changes: tuple[FieldChange, ...] = ()

    @property
    def key(self) -> AuditKey:
        return (self.at, self.source, self.id)

    @property
    def mark(self) -> str:
        """What kind of entry this is, in a word or three: allowed, REFUSED, outside the app …"""
        if self.source == CHANGE:
            return self.via or ""
        if self.source == TIMELINE:
            return "timeline"
        return "allowed" if self.allowed else "REFUSED"

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(tz).isoformat(),
            "actor": self.actor,
            "action": self.action,
            "allowed": self.allowed,
            "detail": self.detail,
            "ref": self.ref,
            "source": self.source,
            "via": self.via,
            "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in self.changes],
        }


@dataclass(frozen=True)
class TrailScope:
    """Whose trail: one case's (``ref``), or one login's in a period of local dates."""

    ref: str | None = None
    case_id: int | None = None  # None: no change history or timeline (only access-log rows)
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive: the start of the day after the last
    period: str = ""  # "from 2026-11-01 to 2026-11-30", as asked

    @property
    def title(self) -> str:
        if self.ref is not None:
            return self.ref
        return " ".join(part for part in (one_line(self.actor or "", 64), self.period) if part)


# Report figures kept on the case (migration 0011): business seconds.
BUSINESS_SECONDS = frozenset({"ack_business_s", "resolve_business_s", "paused_business_s"})


class AuditTrail(KeysetPages[TrailScope, AuditEntry]):
    """The audit trails, read by one actor (a supervisor or a manager)."""

    def __init__(self, ctx: AppContext, actor: Actor) -> None:
        self.ctx = ctx
        self.actor = actor
        self._desk = CaseDesk(ctx, actor)  # its transactions turn driver errors into sentences

    # ---- opening: the permission check and the access-log row -------------------------------
    def _require_auditor(self, ref: str | None) -> None:
        problem = audit_refusal(self.actor)
        if problem is not None:
            refusal = PermissionDenied(problem)
            raise record_refusal(self.ctx, self.actor.name, AUDIT_ACTION, ref, refusal)

    def _log_read(self, ref: str | None, detail: str) -> None:
        with self._desk._tx(write=True) as s:
            log_access(s, self.ctx.now(), self.actor.name, AUDIT_ACTION, ref, True, detail)

    def open_case(self, ref: str) -> TrailScope:
        """Who saw and who changed the case: checks the reader, writes the read to the access
        log (so it is the trail's last entry) and returns the scope to page through."""
        wanted = ref.strip().upper()
        storable = not has_unstorable(wanted) and 0 < len(wanted) <= 20
        self._require_auditor(wanted if storable else None)
        if not storable:
            raise NotFound(f"No case {ref.strip()!r}.")
        with self._desk._tx(write=False) as s:
            case_id = s.scalar(select(Case.id).where(Case.ref == wanted))
            if case_id is None:  # a deleted case: its history outlives it
                case_id = s.scalar(
                    select(CaseHistory.case_id).where(CaseHistory.ref == wanted).limit(1)
                )
            logged = s.scalar(select(AccessLog.id).where(AccessLog.case_ref == wanted).limit(1))
        if case_id is None and logged is None:
            raise NotFound(f"No case {ref.strip()!r}.")
        self._log_read(wanted, "")
        return TrailScope(ref=wanted, case_id=case_id)

    def open_actor(
        self, name: str, first: date | None = None, last: date | None = None
    ) -> TrailScope:
        """Everything one login did from local date ``first`` to ``last`` (both included, in
        the calendar's zone; either may be left open)."""
        self._require_auditor(None)
        who = name.strip()
        if not who:
            raise Refused("Name the person whose trail to show.")
        if has_unstorable(who) or who != one_line(who):
            raise Refused(f"{who!r} holds characters no login name has.")
        calendar = self.ctx.calendar
        for day in (first, last):
            problem = instant_problem(calendar.day_start(day)) if day else None
            if problem is not None:
                raise Refused(f"{problem}.")
        since = calendar.day_start(first) if first else None
        until = calendar.day_start(last + timedelta(days=1)) if last else None
        if first and last and first > last:
            raise Refused(f"The period is empty: it starts on {first}, after its end on {last}.")
        period = " ".join(
            part for part in (first and f"from {first}", last and f"to {last}") if part
        )
        self._log_read(None, " ".join(part for part in (f"trail of {who}", period) if part))
        return TrailScope(actor=who, since=since, until=until, period=period)

    # ---- pages -------------------------------------------------------------------------------
    def key_of(self, scope: TrailScope, entry: AuditEntry) -> AuditKey:
        return entry.key

    def entries(self, scope: TrailScope, page_size: int = 500) -> Iterator[AuditEntry]:
        """The whole trail, oldest first, read one page at a time."""
        page = self.first(scope, page_size)
        while True:
            yield from page.rows
            if page.at_end or not page.rows:
                return
            page = self.after(scope, page.rows[-1].key, page_size)

    def _page(
        self, scope: TrailScope, key: AuditKey | None, limit: int, *, forward: bool
    ) -> Page[AuditEntry]:
        self._require_auditor(scope.ref)
        with self._desk._tx(write=False) as s:
            keys = s.execute(_keys_query(scope, key, limit + 1, forward)).all()
            entries = self._entries(s, scope, keys[:limit])
        return read_page(entries, len(keys) > limit, key, forward=forward)

    # ---- entries -----------------------------------------------------------------------------
    def _entries(self, s, scope: TrailScope, keys) -> list[AuditEntry]:
        ids = {source: [k.id for k in keys if k.source == source] for source in _SOURCES}
        made: dict[tuple[str, int], AuditEntry] = {}
        if ids[ACCESS]:
            for row in s.scalars(select(AccessLog).where(AccessLog.id.in_(ids[ACCESS]))):
                made[(ACCESS, row.id)] = AuditEntry(
                    row.at,
                    ACCESS,
                    row.id,
                    one_line(row.actor),
                    one_line(row.action),
                    row.allowed,
                    one_line(row.detail or "", TEXT_CHARS),
                    row.case_ref,
                )
        if ids[CHANGE]:
            rows = list(s.scalars(select(CaseHistory).where(CaseHistory.id.in_(ids[CHANGE]))))
            names = _agent_names(s, rows)
            for row in rows:
                made[(CHANGE, row.id)] = self._change_entry(row, names)
        if ids[TIMELINE]:
            for row in s.execute(
                select(
                    TimelineEvent.id,
                    TimelineEvent.kind,
                    TimelineEvent.actor,
                    TimelineEvent.at,
                    TimelineEvent.text,
                    TimelineEvent.customer_visible,
                    Case.ref,
                )
                .outerjoin(Case, Case.id == TimelineEvent.case_id)
                .where(TimelineEvent.id.in_(ids[TIMELINE]))
            ):
                text = one_line(row.text or "", TEXT_CHARS)
                made[(TIMELINE, row.id)] = AuditEntry(
                    row.at,
                    TIMELINE,
                    row.id,
                    one_line(row.actor),
                    _event_action(row.kind),
                    True,
                    f"to customer: {text}" if row.customer_visible else text,
                    row.ref,
                )
        return [made[(k.source, k.id)] for k in keys]

    def _change_entry(self, row: CaseHistory, names: dict[int, str]) -> AuditEntry:
        old, new = row.old_values or {}, row.new_values or {}
        fields = sorted(
            row.changed or (), key=lambda f: (_FIELD_ORDER.get(f, len(_FIELD_ORDER)), f)
        )
        changes = tuple(
            FieldChange(
                field,
                old.get(field),
                new.get(field),
                f"{case_field_label(field)}: {self._value(field, old.get(field), names)} → "
                f"{self._value(field, new.get(field), names)}",
            )
            for field in fields
        )
        return AuditEntry(
            row.at,
            CHANGE,
            row.id,
            one_line(row.actor),
            _OPERATIONS.get(row.operation, one_line(row.operation)),
            True,
            "; ".join(c.text for c in changes),
            row.ref,
            APP_CLAIMED if row.via_app else OUTSIDE_APP,
            changes,
        )

    def _value(self, field: str, value: Any, names: dict[int, str]) -> str:
        """A stored value as people read it; one written outside the program need not be one
        it would write, and is then shown as stored."""
        if value is None:
            return "unassigned" if field == "assignee_id" else "—"
        column = Case.__table__.columns.get(field)
        try:
            if field == "assignee_id":
                return one_line(names.get(value) or f"agent #{value}", 64)
            if field == "status":
                return status_label(value)
            if field == "customer_response":
                return response_label(value)
            if field == "paused_remaining_s":
                length = self.ctx.calendar.business_day_length
                return f"{format_business_span(timedelta(seconds=float(value)), length)} left"
            if field in BUSINESS_SECONDS:
                length = self.ctx.calendar.business_day_length
                return format_business_span(timedelta(seconds=float(value)), length)
            if column is not None and isinstance(column.type, UTCDateTime):
                return show_instant(datetime.fromisoformat(value), self.ctx.calendar.tz)
        except (ValueError, TypeError, OverflowError):
            pass
        if isinstance(value, bool):
            return "yes" if value else "no"
        return one_line(str(value), VALUE_CHARS)


_SOURCES = (ACCESS, CHANGE, TIMELINE)


def _event_action(kind: str) -> str:
    try:
        return event_label(kind)
    except ValueError:  # a kind the program does not write (a row added outside it)
        return one_line(kind)


def _agent_names(s, rows: list[CaseHistory]) -> dict[int, str]:
    ids = {
        value
        for row in rows
        for values in (row.old_values or {}, row.new_values or {})
        if isinstance(value := values.get("assignee_id"), int)
    }
    if not ids:
        return {}
    return {
        row.id: row.name for row in s.execute(select(Agent.id, Agent.name).where(Agent.id.in_(ids)))
    }


# ---- the keyset query --------------------------------------------------------------------------
def _branches(scope: TrailScope) -> list[tuple[str, Any, Any, list[ColumnElement[bool]]]]:
    """(source, its at column, its id column, the scope's conditions) for each record read."""
    if scope.ref is not None:
        out = [(ACCESS, AccessLog.at, AccessLog.id, [AccessLog.case_ref == scope.ref])]
        if scope.case_id is not None:
            out += [
                (CHANGE, CaseHistory.at, CaseHistory.id, [CaseHistory.case_id == scope.case_id]),
                (
                    TIMELINE,
                    TimelineEvent.at,
                    TimelineEvent.id,
                    [TimelineEvent.case_id == scope.case_id],
                ),
            ]
    else:
        out = [
            (ACCESS, AccessLog.at, AccessLog.id, [AccessLog.actor == scope.actor]),
            (CHANGE, CaseHistory.at, CaseHistory.id, [CaseHistory.actor == scope.actor]),
            (TIMELINE, TimelineEvent.at, TimelineEvent.id, [TimelineEvent.actor == scope.actor]),
        ]
    for _source, at, _id, conditions in out:
        if scope.since is not None:
            conditions.append(at >= scope.since)
        if scope.until is not None:
            conditions.append(at < scope.until)
    return out


def _beyond(source: str, at, id_, key: AuditKey, forward: bool) -> ColumnElement[bool]:
    """This source's rows strictly after (or before) ``key`` in (at, source, id) order."""
    key_at, key_source, key_id = key
    if source == key_source:
        pair, key_pair = tuple_(at, id_), tuple_(key_at, key_id)
        return pair > key_pair if forward else pair < key_pair
    if (source > key_source) == forward:  # at the key's instant, this source's rows count
        return at >= key_at if forward else at <= key_at
    return at > key_at if forward else at < key_at


def _keys_query(scope: TrailScope, key: AuditKey | None, limit: int, forward: bool) -> Select:
    """The keys of the next ``limit`` entries: each record's own ordered, limited read (an index
    range), merged."""
    parts = []
    for source, at, id_, conditions in _branches(scope):
        where = list(conditions)
        if key is not None:
            where.append(_beyond(source, at, id_, key, forward))
        order = (at.asc(), id_.asc()) if forward else (at.desc(), id_.desc())
        sub = (
            select(
                at.label("at"),
                literal_column(f"'{source}'", String(8)).label("source"),
                id_.label("id"),
            )
            .where(*where)
            .order_by(*order)
            .limit(limit)
            .subquery()
        )
        parts.append(select(sub.c.at, sub.c.source, sub.c.id))
    merged = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    columns = (merged.c.at, merged.c.source, merged.c.id)
    return (
        select(*columns).order_by(*(c.asc() if forward else c.desc() for c in columns)).limit(limit)
    )
