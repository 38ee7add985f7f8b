"""History import (issue 10 §5): ``complaint-tui import FILE.jsonl``, supervisors and managers.

The whole file is read and every line checked and replayed (domain/history.py) before anything
is written; a file with any bad line imports nothing, and every bad line is named. A good file is
written in one transaction with bulk inserts (SQLAlchemy Core executemany): refs and row ids
are taken in one step each.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Integer, cast, func, select, text, update
from sqlalchemy.orm import Session

from complaint_tui.domain.enums import EventKind, Role
from complaint_tui.domain.history import BadLine, HistoryRecord, Replayed, parse_line, replay
from complaint_tui.domain.intake import stored_fields
from complaint_tui.domain.lifecycle import Entry
from complaint_tui.services.audit import log_access, record_refusal
from complaint_tui.services.cases import CaseDesk, ref_of, ref_prefix
from complaint_tui.services.changes import announce_change
from complaint_tui.services.context import AppContext
from complaint_tui.services.demo import _sqlite_value as sqlite_value
from complaint_tui.services.errors import PermissionDenied, Refused
from complaint_tui.services.files import UnreadableFile, read_regular_file
from complaint_tui.services.identity import Actor
from complaint_tui.store.models import (
    Agent,
    Case,
    CaseService,
    Escalation,
    EscalationDecision,
    RefCounter,
    TimelineEvent,
)
from complaint_tui.store.policy import in_force_id
from complaint_tui.store.search import PG_SEARCH_COLUMN, PG_VECTOR, SEARCH_TABLE, case_document

MAX_IMPORT_BYTES = 1024**3  # the whole file
MAX_LINE_BYTES = 8 * 1024**2  # one case: a description of a million characters, escaped
IMPORTERS = (Role.SUPERVISOR, Role.MANAGER)
ACTION = "import"  # the access log's action


class ImportRefused(Refused):
    """A file with bad lines: ``problems`` holds one sentence per problem, each starting with
    its line number; str() sums them up."""

    def __init__(self, problems: list[str], summary: str) -> None:
        super().__init__(summary)
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    refs: tuple[tuple[str, str | None], ...]  # (new ref, source_ref), in the file's order
    seconds: float


def import_history(ctx: AppContext, actor: Actor, path: Path) -> ImportResult:
    """Import every case of a JSON-lines history file, or none (ImportRefused names every bad
    line)."""
    started = time.perf_counter()
    if actor.role not in IMPORTERS:
        article = "an" if actor.role.value[0] in "aeiou" else "a"
        refusal = PermissionDenied(
            f"{actor.name} is {article} {actor.role.value}; only supervisors and managers "
            "import case histories."
        )
        raise record_refusal(ctx, actor.name, ACTION, None, refusal)
    lines = read_lines(path)
    desk = CaseDesk(ctx, actor)
    with desk._tx(write=False) as s:
        agents = dict(
            s.execute(
                select(Agent.name, Agent.id).where(Agent.active.is_(True), Agent.role != "admin")
            ).all()
        )
        # Imported before: a file imported twice would make every case twice.
        seen = {
            source: f"was imported before, as {ref}"
            for source, ref in s.execute(
                select(Case.source_ref, Case.ref).where(Case.source_ref.is_not(None))
            )
        }
    now = ctx.now()
    rules, sla, external = ctx.settings.intake, ctx.sla, ctx.settings.external
    cases: list[tuple[HistoryRecord, Replayed]] = []
    problems: list[str] = []
    for number, line in lines:
        record, found = parse_line(line, rules, agents, now)
        if record is not None and record.source_ref is not None:
            earlier = seen.get(record.source_ref)
            if earlier is not None:
                record, found = None, [f"source_ref: {record.source_ref!r} {earlier}."]
            else:
                seen[record.source_ref] = f"is already on line {number}"
        if record is not None:
            try:
                cases.append(
                    (record, replay(record, sla, external, record.source_ref or "this case"))
                )
            except BadLine as exc:
                found = [str(exc)]
        problems += [f"line {number}: {p}" for p in found]
    if problems:
        bad = len({p.split(":", 1)[0] for p in problems})
        raise ImportRefused(
            problems,
            f"{path.name}: {bad:,} bad line{'s' if bad != 1 else ''} of {len(lines):,}; "
            "nothing was imported.",
        )
    if not cases:
        raise Refused(f"{path.name} holds no cases to import.")
    with desk._tx(write=True, logged_as=ACTION) as s:
        refs = _write(ctx, actor, s, cases, agents, path)
    return ImportResult(tuple(refs), time.perf_counter() - started)


def read_lines(path: Path) -> list[tuple[int, str]]:
    """The file's non-blank lines with their numbers (from 1); Refused, in one sentence, for
    anything that is not a readable UTF-8 text file of sensible size."""
    shown = str(path)
    try:
        size, data = read_regular_file(path, MAX_IMPORT_BYTES)
    except UnreadableFile as exc:
        raise Refused(f"{shown!r} {exc}.") from None
    if size > MAX_IMPORT_BYTES:
        raise Refused(f"{shown!r} is {size:,} bytes, over the {MAX_IMPORT_BYTES:,}-byte limit.")
    if not data.strip():
        raise Refused(f"{shown!r} is empty; there are no cases to import.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if len(raw) > MAX_LINE_BYTES:
            raise Refused(
                f"{shown!r}: line {number} is {len(raw):,} bytes, over the "
                f"{MAX_LINE_BYTES:,}-byte limit for one case; nothing was imported."
            )
        try:
            line = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            raise Refused(
                f"{shown!r} is not UTF-8 text (line {number}); nothing was imported."
            ) from None
        if line.strip():
            out.append((number, line))
    return out


# ---- writing ---------------------------------------------------------------------------------
def _take_refs(ctx: AppContext, s: Session, year: int, n: int) -> int:
    """The first of ``n`` consecutive numbers of the year's refs, taken in one step."""
    if ctx.db.is_postgres:
        return s.execute(text("SELECT ct_next_refs(:y, :n)"), {"y": year, "n": n}).scalar_one()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    s.execute(sqlite_insert(RefCounter).values(year=year, last=0).on_conflict_do_nothing())
    last = s.scalar(select(RefCounter.last).where(RefCounter.year == year)) or 0
    prefix = ref_prefix(year)
    in_use = s.scalar(
        select(func.max(cast(func.substr(Case.ref, len(prefix) + 1), Integer))).where(
            Case.ref.startswith(prefix)
        )
    )
    first = max(last, in_use or 0) + 1
    s.execute(update(RefCounter).where(RefCounter.year == year).values(last=first + n - 1))
    return first


def _take_ids(ctx: AppContext, s: Session, table: str, n: int) -> list[int]:
    if n == 0:
        return []
    if ctx.db.is_postgres:
        return list(
            s.execute(
                text(
                    f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": n},
            ).scalars()
        )
    # SQLite: the write transaction holds the database's write lock, so nobody else takes these.
    start = s.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one() + 1
    return list(range(start, start + n))


CASE_FIELDS = (
    "status",
    "received_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "ack_due_at",
    "resolve_due_at",
    "paused_at",
    "paused_remaining_s",
    "ack_business_s",
    "resolve_business_s",
    "paused_business_s",
    "next_update_due_at",
    "last_customer_update_at",
    "escalation_level",
    "escalation_pending",
    "escalation_requested_at",
    "escalation_due_at",
    "outcome",
    "root_cause",
    "customer_response",
    "reopen_count",
    "extension_count",
    "referred_to",
    "queue_bucket",
    "queue_at",
)


def _insert_many(conn, table: str, rows: list[dict], *, sqlite: bool) -> None:
    """One executemany on the driver's cursor: SQLAlchemy's per-value type processing costs more
    than the insert itself at this size. Instants go in as the demo loader writes them (SQLite:
    SQLAlchemy's naive-UTC text; PostgreSQL: aware values the driver sends as timestamptz)."""
    if not rows:
        return
    columns = list(rows[0])
    marks = ", ".join("?" if sqlite else "%s" for _ in columns)
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    if sqlite:
        values = [tuple(sqlite_value(row[c]) for c in columns) for row in rows]
    else:
        values = [tuple(row[c] for c in columns) for row in rows]
    conn.exec_driver_sql(statement, values)


def _write(
    ctx: AppContext,
    actor: Actor,
    s: Session,
    cases: list[tuple[HistoryRecord, Replayed]],
    agents: dict[str, int],
    path: Path,
) -> list[tuple[str, str | None]]:
    now = ctx.now()
    year = ctx.calendar.local(now).year
    first = _take_refs(ctx, s, year, len(cases))
    ids = _take_ids(ctx, s, "cases", len(cases))
    n_escalations = sum(len(r.escalations) for _, r in cases)
    escalation_ids = iter(_take_ids(ctx, s, "escalations", n_escalations))
    policy_id = s.scalar(in_force_id())
    me = actor.name
    case_rows, service_rows, event_rows, escalation_rows, decision_rows = [], [], [], [], []
    search_rows = []
    refs: list[tuple[str, str | None]] = []
    imported = f"Imported from {path.name}"
    for i, (record, done) in enumerate(cases):
        case_id, ref = ids[i], ref_of(year, first + i)
        draft, c = record.draft, done.case
        row = {name: getattr(c, name) for name in CASE_FIELDS}
        row.update(
            id=case_id,
            ref=ref,
            **stored_fields(draft),
            assignee_id=agents[record.assignee] if record.assignee else None,
            policy_version_id=policy_id,
            version=1,
            created_at=now,
            updated_at=now,
            source_ref=record.source_ref,
        )
        case_rows.append(row)
        refs.append((ref, record.source_ref))
        service_rows += [
            {"case_id": case_id, "service": svc, "position": p, "received_at": c.received_at}
            for p, svc in enumerate(draft.services)
        ]
        search_rows.append(
            {
                "id": case_id,
                "body": case_document(ref, row["customer"], row["subject"], draft.description),
            }
        )
        timeline = list(done.timeline)
        source = f" (source ref {record.source_ref})" if record.source_ref else ""
        timeline.append((now, Entry(EventKind.NOTE, f"{imported}{source} by {me}.")))
        if record.assignee:
            timeline.append((now, Entry(EventKind.ASSIGNMENT, f"assigned to {record.assignee}")))
        event_rows += [
            {
                "case_id": case_id,
                "kind": e.kind.value,
                "actor": me,
                "at": at,
                "text": e.text,
                "customer_visible": e.kind.customer_visible,
            }
            for at, e in timeline
        ]
        for esc in done.escalations:
            esc_id = next(escalation_ids)
            escalation_rows.append(
                {
                    "id": esc_id,
                    "case_id": case_id,
                    "level": esc.level,
                    "request": esc.request,
                    "requested_by": me,
                    "requested_at": esc.requested_at,
                    "due_at": esc.due_at,
                }
            )
            if esc.decision is not None:
                outcome, explanation, at = esc.decision
                decision_rows.append(
                    {
                        "escalation_id": esc_id,
                        "case_id": case_id,
                        "level": esc.level,
                        "outcome": outcome.value,
                        "explanation": explanation,
                        "note": "",
                        "decided_by": me,
                        "decided_at": at,
                    }
                )
    conn = s.connection()
    for table, rows in (
        (Case.__table__, case_rows),
        (CaseService.__table__, service_rows),
        (TimelineEvent.__table__, event_rows),
        (Escalation.__table__, escalation_rows),
        (EscalationDecision.__table__, decision_rows),
    ):
        _insert_many(conn, table.name, rows, sqlite=ctx.db.is_sqlite)
    if ctx.db.is_postgres:
        conn.execute(
            text(
                f"UPDATE cases SET {PG_SEARCH_COLUMN} = {PG_VECTOR.format('d.body')} "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:bodies AS text[])) AS d(id, body) "
                "WHERE cases.id = d.id"
            ),
            {"ids": [r["id"] for r in search_rows], "bodies": [r["body"] for r in search_rows]},
        )
    else:
        conn.execute(
            text(f"INSERT INTO {SEARCH_TABLE} (rowid, body) VALUES (:id, :body)"), search_rows
        )
    log_access(s, now, me, ACTION, None, True, f"{len(cases):,} cases from {path}")
    announce_change(s, ctx.db, refs[0][0])
    return refs
