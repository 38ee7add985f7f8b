"""Case use cases: intake, every workflow action of SPEC §3, take-next, reads with need-to-know."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy import text as sql
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from complaint_tui.domain import lifecycle
from complaint_tui.domain.enums import (
    CustomerResponse,
    EscalationOutcome,
    EventKind,
    Priority,
    QueueBucket,
    Status,
    Urgency,
)
from complaint_tui.domain.intake import (
    AttachmentInput,
    FieldError,
    IntakeDraft,
    attachment_problem,
    cleaned,
    stored_fields,
    validate_intake,
)
from complaint_tui.domain.lifecycle import Entry
from complaint_tui.domain.ownership import assign_refusal, case_refusal
from complaint_tui.domain.root_cause import root_cause_problem, stored_root_cause
from complaint_tui.domain.text import InvalidText, clean_input, has_unstorable, safe_filename
from complaint_tui.domain.workflow import (
    Action,
)
from complaint_tui.services.audit import log_access, record_refusal
from complaint_tui.services.changes import announce_change
from complaint_tui.services.context import AppContext, _first_line, refusal_from_db
from complaint_tui.services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Refused,
    Unavailable,
    ValidationFailed,
)
from complaint_tui.services.identity import Actor
from complaint_tui.services.permissions import (
    can_view,
    hold_of,
    require_case_handler,
    view_refusal,
    visible_filter,
)
from complaint_tui.services.search import is_common, search_condition, search_order
from complaint_tui.services.views import (
    AttachmentView,
    CaseDetail,
    CaseSummary,
    DecisionRecord,
    EscalationRecord,
    ReportedEventView,
    TimelineEntry,
    clocks_of,
    missed,
    summary_of,
)
from complaint_tui.store.models import (
    Agent,
    Attachment,
    Case,
    CaseService,
    Escalation,
    EscalationDecision,
    PolicyVersion,
    Recusal,
    RefCounter,
    ReportedEvent,
    TimelineEvent,
)
from complaint_tui.store.policy import in_force_id
from complaint_tui.store.search import index_case

T = TypeVar("T")
SAVE = Action.SAVE_ATTACHMENT.value  # the access log's action for saving an attachment to disk
MAX_NOTE_CHARS = 100_000
MAX_ROW_ID = 2**63 - 1
# The assignee filter's value for "assigned to nobody" (case list --assignee none, the filter).
UNASSIGNED = "none"


class CaseDesk:
    """The case use cases, acting as one actor. The CLI and the TUI call only this."""

    def __init__(self, ctx: AppContext, actor: Actor) -> None:
        self.ctx = ctx
        self.actor = actor

    # ---- plumbing ---------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self.ctx.now()

    @contextmanager
    def _tx(self, *, write: bool, logged_as: str | None = None) -> Iterator[Session]:
        """A transaction that turns driver failures into one-sentence refusals; with
        ``logged_as``, a permission refused in it (the database's) is logged as that action."""
        if logged_as is not None:
            try:
                with self._tx(write=write) as s:
                    yield s
            except Refused as exc:
                raise self._refuse(logged_as, None, exc) from None
            return
        try:
            with self.ctx.db.session(write=write) as s:
                yield s
        except StaleDataError:
            raise Conflict(
                "Someone else changed this case at the same moment; nothing was saved, try again."
            ) from None
        except OperationalError as exc:
            refusal = refusal_from_db(exc)  # a deadlock is one, and no failure to answer
            if refusal is not None:
                raise refusal from None
            raise Unavailable(f"The database did not answer: {_first_line(exc)}.") from None
        except DataError as exc:
            raise Refused(f"The database refused a value: {_first_line(exc)}.") from None
        except DBAPIError as exc:  # on PostgreSQL: row-level security, grants, audit triggers
            refusal = refusal_from_db(exc)
            if refusal is None:
                raise
            raise refusal from None

    def _refuse(self, action: str, ref: str | None, exc: Refused) -> Refused:
        """A permission refusal is written to the access log (once); others are not."""
        if isinstance(exc, PermissionDenied):
            record_refusal(self.ctx, self.actor.name, action, ref, exc)
        return exc

    def _require_handler(self, action: str, ref: str | None = None) -> None:
        """Admins handle no cases; the refused attempt is logged like any other (policy §4)."""
        try:
            require_case_handler(self.actor)
        except PermissionDenied as exc:
            raise self._refuse(action, ref, exc) from None

    def _load(self, s: Session, ref: str, *, action: Action | None = None) -> Case:
        """The case, once this actor may read it, and, given ``action``, apply that action to
        it for who they are (domain/ownership.py): only then is it locked (PostgreSQL)."""
        if has_unstorable(ref):  # no ref holds these; PostgreSQL would refuse the query itself
            raise NotFound(f"No case {ref.strip()!r}.")
        key = ref.strip().upper()
        stmt = select(Case).where(Case.ref == key)
        lock = action is not None and self.ctx.db.is_postgres
        case = s.scalars(stmt.with_for_update(of=Case) if lock else stmt).unique().one_or_none()
        if case is None and lock:
            # Row-level security keeps from SELECT … FOR UPDATE a case one may read but not
            # change: the rule's own sentence says why, rather than "no case".
            case = s.scalars(stmt).unique().one_or_none()
            if case is not None:
                self._check(s, case, action)
                raise PermissionDenied(
                    f"The database does not let {self.actor.name} change {case.ref}: it is not "
                    "assigned to them, or they recused from it."
                )
        if case is None:
            if self._hidden(s, key):
                raise view_refusal(self.actor, key)
            raise NotFound(f"No case {ref.strip()!r}.")
        self._check(s, case, action)
        return case

    def _check(self, s: Session, case: Case, action: Action | None) -> None:
        if not can_view(self.actor, case):
            raise view_refusal(self.actor, case.ref)
        if action is not None:
            problem = case_refusal(self.actor, action, hold_of(s, self.actor, case))
            if problem is not None:
                raise PermissionDenied(problem)

    def _hidden(self, s: Session, ref: str) -> bool:
        """PostgreSQL: whether a case this agent cannot see exists (a confidential one, hidden by
        row-level security), so it is refused as on SQLite and the attempt logged."""
        if not self.ctx.db.is_postgres or self.actor.sees_all_cases:
            return False
        return bool(s.scalar(select(func.ct_case_exists(ref))))

    def _event(
        self, s: Session, case: Case, kind: EventKind, text: str = "", at: datetime | None = None
    ) -> None:
        s.add(
            TimelineEvent(
                case_id=case.id,
                kind=kind.value,
                actor=self.actor.name,
                at=at or self.now,
                text=text,
                customer_visible=kind.customer_visible,
            )
        )

    @staticmethod
    def _set_queue(case: Case) -> None:
        lifecycle.set_queue(case)

    def _act(
        self,
        action: str,
        ref: str,
        change: Callable[[Session, Case, datetime], None],
        expected_version: int | None,
        *,
        reload: bool = False,
    ) -> CaseDetail:
        """Load, check, change and save one case in one transaction; refusals change nothing.

        The write transaction holds the lock (SQLite's is database-wide) only for the change;
        the case detail the caller gets is read after the commit."""
        self._require_handler(action, ref)
        try:
            with self._tx(write=True) as s:
                case = self._load(s, ref, action=Action(action))
                if expected_version is not None and case.version != expected_version:
                    raise Conflict(
                        f"{case.ref} was changed by someone else since you opened it; nothing was saved."
                    )
                now = self.now
                was = Status(case.status)
                try:
                    change(s, case, now)
                except lifecycle.StepRefused as exc:
                    raise Refused(str(exc)) from None
                self._return_departed(s, case, was, now)
                case.updated_at = now
                # Every change bumps the version, even one that only adds an event in the same
                # clock tick, so a stale expected_version is always caught.
                flag_modified(case, "updated_at")
                self._set_queue(case)
                s.flush()
                if reload:  # a trigger changed the case row as well
                    s.refresh(case)
                announce_change(s, self.ctx.db, case.ref)
                case_id = case.id
                detail = self._detail_in_write(s, case, now)
        except Refused as exc:
            raise self._refuse(action, ref, exc) from None
        return detail or self._detail_after_write(case_id, now)

    def _return_departed(self, s: Session, case: Case, was: Status, now: datetime) -> None:
        """A case made open again whose agent is no longer active returns to the unassigned
        queue in the same transaction (lifecycle.return_departed); only such a step reads the
        assignee. PostgreSQL's last line: migration 0019 refuses an open case held by an
        inactive agent, which a deactivation racing this step would otherwise leave."""
        if case.assignee_id is None or not lifecycle.made_open(was, case):
            return
        holder = s.get(Agent, case.assignee_id)
        if holder is None:
            return
        self._write(s, case, lifecycle.return_departed(case, was, holder.name, holder.active), now)

    @staticmethod
    def _text(
        name: str, value: str | None, *, required: bool = True, limit: int = MAX_NOTE_CHARS
    ) -> str:
        try:
            value = clean_input(value or "", name).strip()
        except InvalidText as exc:
            raise invalid(str(exc)) from None
        if required and not value:
            raise invalid(f"{name}: this cannot be empty.")
        if len(value) > limit:
            raise invalid(f"{name}: at most {limit:,} characters.")
        return value

    def _allow(self, action: Action, case: Case) -> None:
        """Refuse, in the workflow's own sentence, an action the case's state does not allow."""
        lifecycle.allow(action, case, self.now)

    # ---- intake ----------------------------------------------------------------------------
    def create(self, draft: IntakeDraft) -> CaseDetail:
        self._require_handler("create")
        now = self.now
        try:
            draft = cleaned(draft)
        except InvalidText as exc:
            raise invalid(str(exc)) from None
        errors = validate_intake(draft, self.ctx.settings.intake, now)
        if errors:
            raise ValidationFailed(errors)
        received = draft.received_at or now
        sla = self.ctx.sla
        with self._tx(write=True, logged_as="create") as s:
            ref = self._next_ref(s, now)
            policy_id = s.scalar(in_force_id())
            case = Case(
                ref=ref,
                **stored_fields(draft),
                assignee_id=None,
                policy_version_id=policy_id,
                created_at=now,
                updated_at=now,
            )
            received_entries = lifecycle.receive(case, sla, received, draft.channel)
            case.services = [
                CaseService(service=svc, position=i, received_at=case.received_at)
                for i, svc in enumerate(draft.services)
            ]
            self._set_queue(case)
            if self.ctx.db.is_postgres:
                # The id up front, so the INSERT needs no RETURNING: PostgreSQL checks returned
                # rows against row-level security, and an agent's confidential intake is not
                # theirs to see (they may read it back only within this transaction).
                case.id = s.scalar(select(func.nextval(func.pg_get_serial_sequence("cases", "id"))))
            s.add(case)
            s.flush()
            index_case(s, case.id, case.ref, case.customer, case.subject, case.description)
            for ev in draft.events:
                s.add(ReportedEvent(case_id=case.id, at=ev.at, note=ev.note.strip()))
            self._write(s, case, received_entries, now)
            for att in draft.attachments:
                self._add_attachment(s, case, att, now)
            s.flush()
            announce_change(s, self.ctx.db, case.ref)
            case_id = case.id
            detail = self._detail_in_write(s, case, now)
        return detail or self._detail_after_write(case_id, now)

    def _next_ref(self, s: Session, now: datetime) -> str:
        """The year's next ref. A counter behind the cases (reset by hand, restored from an old
        backup) continues after the highest number in use instead of repeating a ref."""
        year = self.ctx.calendar.local(now).year
        if self.ctx.db.is_postgres:
            # Agents may not write the counter: a SECURITY DEFINER function does (access_control migration).
            number = s.execute(sql("SELECT ct_next_ref(:y)"), {"y": year}).scalar_one()
            return ref_of(year, number)
        from sqlalchemy.dialects.sqlite import insert

        s.execute(insert(RefCounter).values(year=year, last=0).on_conflict_do_nothing())
        number = s.execute(
            RefCounter.__table__.update()
            .where(RefCounter.year == year)
            .values(last=RefCounter.last + 1)
            .returning(RefCounter.last)
        ).scalar_one()
        if s.scalar(select(Case.id).where(Case.ref == ref_of(year, number))) is not None:
            prefix = ref_prefix(year)
            used = s.scalars(select(Case.ref).where(Case.ref.startswith(prefix)))
            number = max(int(r[len(prefix) :]) for r in used if r[len(prefix) :].isdigit()) + 1
            s.execute(
                RefCounter.__table__.update().where(RefCounter.year == year).values(last=number)
            )
        return ref_of(year, number)

    def _add_attachment(
        self, s: Session, case: Case, att: AttachmentInput, now: datetime
    ) -> Attachment:
        problem = attachment_problem(
            att.name, len(att.data), self.ctx.settings.intake.max_attachment_bytes
        )
        if problem is not None:
            raise invalid(problem)
        name = safe_filename(att.name)
        ctype = att.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        row = Attachment(
            case_id=case.id,
            name=name,
            content_type=ctype[:128],
            size=len(att.data),
            sha256=hashlib.sha256(att.data).hexdigest(),
            data=att.data,
            added_at=now,
            added_by=self.actor.name,
        )
        s.add(row)
        self._event(s, case, EventKind.ATTACHMENT, f"Attached {name} ({len(att.data):,} bytes).")
        return row

    # ---- reads -----------------------------------------------------------------------------
    def get(self, ref: str) -> CaseDetail:
        """The full case; the view is written to the access log before it is returned.

        The case is read in a read transaction (a snapshot, which waits for no writer); the
        access-log row follows in a short write transaction of its own. Only a logged view is
        returned: if the row cannot be written, the caller gets the refusal and no case. The
        two cannot share one transaction on SQLite: a read that turns into a write fails at
        once when another writer committed after its snapshot.
        """
        try:
            with self._tx(write=False) as s:
                case = self._load(s, ref)
                now = self.now
                detail = self._detail(s, case, now)
        except Refused as exc:
            raise self._refuse("view", ref, exc) from None
        self._log_allowed(now, "view", detail.ref)
        return detail

    def locate(self, ref: str) -> str:
        """The stored ref of a case this actor may see, for "go to ref" before the case is
        opened (its view is logged then): an unknown ref, or a case not shown to them, is
        refused with one sentence (the latter logged, like any refused view)."""
        self._require_handler("view", ref)
        try:
            with self._tx(write=False) as s:
                return self._load(s, ref).ref
        except Refused as exc:
            raise self._refuse("view", ref, exc) from None

    def _log_allowed(self, at: datetime, action: str, ref: str, detail: str = "") -> None:
        self._log(action, ref, True, detail, at)

    def _log(
        self, action: str, ref: str, allowed: bool, detail: str, at: datetime | None = None
    ) -> None:
        with self._tx(write=True) as s:
            log_access(s, at or self.now, self.actor.name, action, ref, allowed, detail)

    def _detail_in_write(self, s: Session, case: Case, now: datetime) -> CaseDetail | None:
        """PostgreSQL: the detail, read inside the write. Its lock is the case's row only, and
        under row-level security the writer may lose sight of the case at commit (an agent's
        confidential intake, a recusal). SQLite: None, so the database-wide write lock is held
        only for the change and the detail is read after the commit."""
        return self._detail(s, case, now) if self.ctx.db.is_postgres else None

    def _detail_after_write(self, case_id: int, now: datetime) -> CaseDetail:
        """The case as just committed, read in a read transaction of its own. Access was checked
        by the write and is not checked again: releasing a confidential case ends it, and the
        actor still sees the result of their own change, as when the detail came from the write."""
        with self._tx(write=False) as s:
            return self._detail(s, s.get_one(Case, case_id), now)

    def _detail(self, s: Session, case: Case, now: datetime) -> CaseDetail:
        # Plain rows, not ORM objects: a history of thousands of events is read twice as fast.
        timeline = s.execute(
            select(
                TimelineEvent.id,
                TimelineEvent.kind,
                TimelineEvent.actor,
                TimelineEvent.at,
                TimelineEvent.text,
                TimelineEvent.customer_visible,
            )
            .where(TimelineEvent.case_id == case.id)
            .order_by(TimelineEvent.id)
        ).all()
        reported = s.scalars(
            select(ReportedEvent)
            .where(ReportedEvent.case_id == case.id)
            .order_by(ReportedEvent.at, ReportedEvent.id)
        ).all()
        atts = s.scalars(
            select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
        ).all()
        policy = s.get(PolicyVersion, case.policy_version_id) if case.policy_version_id else None
        escalations = self._escalations(s, case) if case.escalation_level else ()
        # Looked up by id: the relationship attribute is stale after assignee_id changes.
        assignee = s.get(Agent, case.assignee_id) if case.assignee_id is not None else None
        summary = summary_of(case, assignee=assignee.name if assignee else "")
        if assignee is None:  # unassigned reads as None, as in list rows and `case list --json`
            summary = replace(summary, assignee=None)
        return CaseDetail(
            summary=summary,
            description=case.description,
            desired_outcome=case.desired_outcome,
            policy_version=policy.label if policy else None,
            acknowledged_at=case.acknowledged_at,
            resolved_at=case.resolved_at,
            closed_at=case.closed_at,
            ack_due_at=case.ack_due_at,
            resolve_due_at=case.resolve_due_at,
            paused_at=case.paused_at,
            paused_remaining=timedelta(seconds=case.paused_remaining_s)
            if case.paused_remaining_s is not None
            else None,
            next_update_due_at=case.next_update_due_at,
            escalation_requested_at=case.escalation_requested_at,
            escalation_due_at=case.escalation_due_at,
            outcome=case.outcome,
            root_cause=case.root_cause,
            customer_response=case.customer_response,
            referred_to=case.referred_to,
            reopen_count=case.reopen_count,
            extension_count=case.extension_count,
            urgency=self.ctx.sla.urgency(summary.status, summary.active_due_at, now),
            clocks=clocks_of(case, self.ctx.sla, now),
            reported_events=tuple(ReportedEventView(e.at, e.note) for e in reported),
            attachments=tuple(
                AttachmentView(
                    a.id, a.name, a.content_type, a.size, a.sha256, a.added_at, a.added_by
                )
                for a in atts
            ),
            timeline=tuple(
                TimelineEntry(t.id, EventKind(t.kind), t.actor, t.at, t.text, t.customer_visible)
                for t in timeline
            ),
            escalations=escalations,
            deadline_missed=missed(case, now),
            source_ref=case.source_ref,
        )

    @staticmethod
    def _escalations(s: Session, case: Case) -> tuple[EscalationRecord, ...]:
        decided: dict[int, list[DecisionRecord]] = {}
        for d in s.scalars(
            select(EscalationDecision)
            .where(EscalationDecision.case_id == case.id)
            .order_by(EscalationDecision.id)
        ):
            decided.setdefault(d.escalation_id, []).append(
                DecisionRecord(
                    d.level,
                    EscalationOutcome(d.outcome),
                    d.explanation,
                    d.note,
                    d.decided_by,
                    d.decided_at,
                )
            )
        return tuple(
            EscalationRecord(
                e.level,
                e.request,
                e.requested_by,
                e.requested_at,
                e.due_at,
                tuple(decided.get(e.id, ())),
            )
            for e in s.scalars(
                select(Escalation).where(Escalation.case_id == case.id).order_by(Escalation.level)
            )
        )

    def list(
        self,
        *,
        status: Status | None = None,
        urgency: Urgency | None = None,
        search: str = "",
        assignee: str | None = None,
        limit: int = 200,
    ) -> list[CaseSummary]:
        """Most urgent first: active clocks by due instant, then paused, then done; with
        ``search``, only the cases it finds (the queue's search); with ``assignee``, only that
        agent's cases (UNASSIGNED: nobody's)."""
        self._require_handler("list")
        stmt = self.summary_query().where(visible_filter(self.actor))
        if status is not None:
            stmt = stmt.where(Case.status == status.value)
        if urgency is not None:
            stmt = stmt.where(self.urgency_condition(urgency))
        if assignee is not None:
            stmt = stmt.where(self.assignee_condition(assignee))
        order = [Case.queue_bucket, Case.queue_at, Case.id]
        with self._tx(write=False) as s:
            if assignee is not None:
                self.check_assignee(s, assignee)
            if search.strip():
                common = is_common(self.ctx.db, s, search)
                stmt = stmt.where(
                    search_condition(
                        self.ctx.db, search, common=common, sees_all=self.actor.sees_all_cases
                    )
                )
                order = search_order(self.ctx.db, order, common=common)
            return self.summaries(s, stmt.order_by(*order).limit(limit))

    @staticmethod
    def assignee_condition(assignee: str):
        """SQL for "assigned to the agent named ``assignee``" (UNASSIGNED: to nobody): an
        equality on assignee_id, so the assignee's queue index (ix_cases_assignee_queue) serves
        it in queue order. The queue's filter and ``case list --assignee`` both use it."""
        if assignee == UNASSIGNED:
            return Case.assignee_id.is_(None)
        return Case.assignee_id == (
            select(Agent.id).where(Agent.name == assignee).scalar_subquery()
        )

    @staticmethod
    def check_assignee(s: Session, assignee: str) -> None:
        """Refuse, in one sentence, an assignee filter naming nobody of the desk."""
        if assignee == UNASSIGNED:
            return
        if (
            has_unstorable(assignee)
            or s.scalar(select(Agent.id).where(Agent.name == assignee)) is None
        ):
            raise NotFound(f"No agent {assignee!r}; name an agent, or none for unassigned cases.")

    def urgency_condition(self, urgency: Urgency):
        if urgency is Urgency.PAUSED:
            return Case.queue_bucket == QueueBucket.PAUSED
        if urgency is Urgency.DONE:
            return Case.queue_bucket == QueueBucket.DONE
        active = Case.queue_bucket == QueueBucket.ACTIVE
        return and_(active, self.due_band_condition(Case.queue_at, urgency))

    def due_band_condition(self, due, band: Urgency, now: datetime | None = None):
        """SQL for "the running clock due at column ``due`` is in ``band`` now" (breached,
        urgent, soon or ok; at ``now`` if given): a range of due instants, so an index on
        ``due`` counts it."""
        now = now or self.now
        urgent_until, soon_until = self.ctx.sla.band_limits(now)
        return {
            Urgency.BREACHED: due <= now,
            Urgency.URGENT: and_(due > now, due <= urgent_until),
            Urgency.SOON: and_(due > urgent_until, due <= soon_until),
            Urgency.OK: due > soon_until,
        }[band]

    @staticmethod
    def summary_query() -> Select:
        return select(
            Case.id,
            Case.ref,
            Case.customer,
            Case.subject,
            Case.status,
            Case.priority,
            Case.channel,
            Case.category,
            Agent.name.label("assignee"),
            Case.confidential,
            Case.escalation_level,
            Case.escalation_pending,
            Case.received_at,
            Case.queue_bucket,
            Case.queue_at,
            Case.version,
            Case.escalation_due_at,
            Case.next_update_due_at,
        ).outerjoin(Agent, Agent.id == Case.assignee_id)

    @staticmethod
    def summaries(s: Session, stmt: Select) -> list[CaseSummary]:
        rows = s.execute(stmt).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        services: dict[int, list[str]] = {i: [] for i in ids}
        for case_id, svc in s.execute(
            select(CaseService.case_id, CaseService.service)
            .where(CaseService.case_id.in_(ids))
            .order_by(CaseService.case_id, CaseService.position)
        ):
            services[case_id].append(svc)
        return [
            CaseSummary(
                id=r.id,
                ref=r.ref,
                customer=r.customer,
                services=tuple(services[r.id]),
                subject=r.subject,
                status=Status(r.status),
                priority=r.priority,
                channel=r.channel,
                category=r.category,
                assignee=r.assignee,
                confidential=r.confidential,
                escalation_level=r.escalation_level,
                escalation_pending=r.escalation_pending,
                received_at=r.received_at,
                queue_bucket=r.queue_bucket,
                queue_at=r.queue_at,
                version=r.version,
                escalation_due_at=r.escalation_due_at,
                next_update_due_at=r.next_update_due_at,
            )
            for r in rows
        ]

    def attachment_data(self, ref: str, attachment_id: int) -> tuple[AttachmentView, bytes]:
        """An attachment's bytes, read like a case view (get): logged before they are returned."""
        view, data, case_ref = self._attachment(ref, attachment_id, "attachment")
        self._log_allowed(self.now, "attachment", case_ref, view.name)
        return view, data

    def save_attachment(
        self, ref: str, attachment_id: int, write: Callable[[AttachmentView, bytes], Path]
    ) -> Path:
        """Read an attachment and ``write`` it to disk (services/files.py), logged as a save: the
        file written, or why it was not (a refusal; nothing reached the disk). A save that
        cannot be logged is undone, as a view that cannot be logged is not shown."""
        view, data, case_ref = self._attachment(ref, attachment_id, SAVE)
        try:
            path = write(view, data)
        except Refused as exc:
            self._log(SAVE, case_ref, False, f"{view.name} was not saved: {exc}")
            raise
        try:
            self._log(SAVE, case_ref, True, f"{view.name} saved as {path}")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def _attachment(
        self, ref: str, attachment_id: int, action: str
    ) -> tuple[AttachmentView, bytes, str]:
        try:
            with self._tx(write=False) as s:
                case = self._load(s, ref)
                # Ids are signed 64-bit on both databases; a bigger number is no id (and SQLite's
                # driver would overflow on it).
                fits = 0 < attachment_id <= MAX_ROW_ID
                att = s.get(Attachment, attachment_id) if fits else None
                if att is None or att.case_id != case.id:
                    raise NotFound(f"{case.ref} has no attachment {attachment_id}.")
                view = AttachmentView(
                    att.id,
                    att.name,
                    att.content_type,
                    att.size,
                    att.sha256,
                    att.added_at,
                    att.added_by,
                )
                return view, att.data, case.ref
        except Refused as exc:
            raise self._refuse(action, ref, exc) from None

    # ---- workflow --------------------------------------------------------------------------
    # What each step does to the case is domain/lifecycle.py's (the history import replays the
    # same steps); here the typed text is checked and the step's timeline entries written.
    def _write(self, s: Session, case: Case, entries: list[Entry], now: datetime) -> None:
        for entry in entries:
            self._event(s, case, entry.kind, entry.text, now)

    def acknowledge(
        self, ref: str, message: str = "", *, expected_version: int | None = None
    ) -> CaseDetail:
        def change(s: Session, case: Case, now: datetime) -> None:
            lifecycle.allow(Action.ACKNOWLEDGE, case, now)
            text = self._text("message", message, required=False)
            self._write(s, case, lifecycle.acknowledge(case, self.ctx.sla, now, text), now)

        return self._act("acknowledge", ref, change, expected_version)

    def start(self, ref: str, note: str = "", *, expected_version: int | None = None) -> CaseDetail:
        """Begin investigating; a new case is acknowledged on the way (SPEC §3)."""

        def change(s: Session, case: Case, now: datetime) -> None:
            lifecycle.allow(Action.START, case, now)
            text = self._text("note", note, required=False)
            self._write(s, case, lifecycle.start(case, self.ctx.sla, now, text), now)

        return self._act("start", ref, change, expected_version)

    def wait(self, ref: str, request: str, *, expected_version: int | None = None) -> CaseDetail:
        """Wait on the customer: the resolution clock pauses, the request is sent to them."""

        def change(s: Session, case: Case, now: datetime) -> None:
            text = self._text("request", request)
            self._write(s, case, lifecycle.wait(case, self.ctx.sla, now, text), now)

        return self._act("wait", ref, change, expected_version)

    def resume(
        self, ref: str, note: str = "", *, expected_version: int | None = None
    ) -> CaseDetail:
        def change(s: Session, case: Case, now: datetime) -> None:
            # The state first: "not waiting on the customer" before any complaint about the note.
            lifecycle.allow(Action.RESUME, case, now)
            text = self._text("note", note, required=False)
            self._write(s, case, lifecycle.resume(case, self.ctx.sla, now, text), now)

        return self._act("resume", ref, change, expected_version)

    def note(self, ref: str, text: str, *, expected_version: int | None = None) -> CaseDetail:
        """An internal note: never shown to the customer."""

        def change(s: Session, case: Case, now: datetime) -> None:
            lifecycle.allow(Action.NOTE, case, now)
            self._write(s, case, lifecycle.note(case, now, self._text("note", text)), now)

        return self._act("note", ref, change, expected_version)

    def update(self, ref: str, text: str, *, expected_version: int | None = None) -> CaseDetail:
        """A customer-visible progress update; restarts the next-update clock."""

        def change(s: Session, case: Case, now: datetime) -> None:
            body = self._text("update", text)
            self._write(s, case, lifecycle.update(case, self.ctx.sla, now, body), now)

        return self._act("update", ref, change, expected_version)

    def resolve(
        self, ref: str, outcome: str, root_cause: str, *, expected_version: int | None = None
    ) -> CaseDetail:
        def change(s: Session, case: Case, now: datetime) -> None:
            body = self._text("outcome", outcome)
            cause = self._root_cause(root_cause)
            self._write(s, case, lifecycle.resolve(case, self.ctx.sla, now, body, cause), now)

        return self._act("resolve", ref, change, expected_version)

    def _root_cause(self, value: str) -> str:
        """The stored form of a root cause from the configured list or "Other: ..."."""
        typed = self._text("root cause", value, required=False)
        allowed = self.ctx.settings.intake.root_causes
        problem = root_cause_problem(typed, allowed)
        if problem is not None:
            raise invalid(problem)
        return stored_root_cause(typed, allowed)

    def close(
        self, ref: str, response: CustomerResponse | str, *, expected_version: int | None = None
    ) -> CaseDetail:
        def change(s: Session, case: Case, now: datetime) -> None:
            try:
                answer = CustomerResponse(response)
            except ValueError:
                raise invalid(
                    "response: choose one of " + ", ".join(r.value for r in CustomerResponse) + "."
                ) from None
            self._write(s, case, lifecycle.close(case, now, answer), now)

        return self._act("close", ref, change, expected_version)

    def reopen(self, ref: str, reason: str, *, expected_version: int | None = None) -> CaseDetail:
        def change(s: Session, case: Case, now: datetime) -> None:
            why = self._text("reason", reason)
            self._write(s, case, lifecycle.reopen(case, self.ctx.sla, now, why), now)

        return self._act("reopen", ref, change, expected_version)

    def assign(
        self, ref: str, agent_name: str | None, *, expected_version: int | None = None
    ) -> CaseDetail:
        """Assign to an agent (None unassigns). Agents may only take an unassigned case or release
        their own (domain/ownership.py)."""

        def change(s: Session, case: Case, now: datetime) -> None:
            self._allow(Action.ASSIGN, case)
            target: Agent | None = None
            if agent_name:
                name = agent_name.strip()
                target = (
                    None
                    if has_unstorable(name)
                    else s.scalar(select(Agent).where(Agent.name == name))
                )
                if target is None or not target.active:
                    raise NotFound(f"No active agent {agent_name.strip()!r}.")
                if target.role == "admin":
                    raise Refused(f"{target.name} is an admin and does not handle cases.")
            problem = assign_refusal(
                self.actor,
                case.ref,
                target.id if target else None,
                target.name if target else "",
                target_recused=target is not None
                and s.get(Recusal, (case.id, target.id)) is not None,
            )
            if problem is not None:
                raise PermissionDenied(problem)
            if (target.id if target else None) == case.assignee_id:
                raise Refused(
                    f"{case.ref} is already {'assigned to ' + target.name if target else 'unassigned'}."
                )
            case.assignee_id = target.id if target else None
            self._event(
                s,
                case,
                EventKind.ASSIGNMENT,
                f"assigned to {target.name}" if target else "unassigned",
                now,
            )

        return self._act("assign", ref, change, expected_version)

    def recuse(self, ref: str, reason: str, *, expected_version: int | None = None) -> CaseDetail:
        """Step away for a conflict of interest (policy §5): unassigns and bars take-next."""

        def change(s: Session, case: Case, now: datetime) -> None:
            why = self._text("reason", reason)
            self._allow(Action.RECUSE, case)
            if s.get(Recusal, (case.id, self.actor.id)) is not None:
                raise Refused(f"You have already recused yourself from {case.ref}.")
            # The database releases the case if they hold it (a trigger on recusals): on
            # PostgreSQL an agent may not write a confidential case out of their own sight.
            s.add(Recusal(case_id=case.id, agent_id=self.actor.id, at=now, reason=why))
            self._event(s, case, EventKind.RECUSAL, f"{self.actor.name} recused: {why}", now)

        return self._act("recuse", ref, change, expected_version, reload=True)

    def set_priority(
        self, ref: str, priority: Priority | str, *, expected_version: int | None = None
    ) -> CaseDetail:
        def change(s: Session, case: Case, now: datetime) -> None:
            try:
                new = Priority(priority)
            except ValueError:
                raise invalid(
                    "priority: choose one of " + ", ".join(p.value for p in Priority) + "."
                ) from None
            self._allow(Action.PRIORITY, case)
            if new.value == case.priority:
                raise Refused(f"{case.ref} is already {new.value} priority.")
            old, case.priority = case.priority, new.value
            self._event(s, case, EventKind.PRIORITY_CHANGE, f"{old} → {new.value}", now)

        return self._act("priority", ref, change, expected_version)

    def escalate(
        self, ref: str, request: str, *, expected_version: int | None = None
    ) -> CaseDetail:
        """Record the customer's request to escalate (policy §3): level 1 supervisor, 2 manager."""

        def change(s: Session, case: Case, now: datetime) -> None:
            text = self._text("request", request)
            self._write(s, case, lifecycle.escalate(case, self.ctx.sla, now, text), now)
            self._record_request(s, case, text)

        return self._act("escalate", ref, change, expected_version)

    def _record_request(self, s: Session, case: Case, text: str) -> Escalation:
        """The record of the review request a step just made (the case's pending columns)."""
        row = Escalation(
            case_id=case.id,
            level=case.escalation_level,
            request=text,
            requested_by=self.actor.name,
            requested_at=case.escalation_requested_at,
            due_at=case.escalation_due_at,
        )
        s.add(row)
        return row

    def _pending_request(self, s: Session, case: Case, now: datetime) -> Escalation:
        """The record of the escalation being decided. A request made before schema 0009 in a
        shape its backfill did not recognise has none: it is recorded now, by the decider, from
        the case's own columns, so the decision has a request to belong to."""
        row = s.scalar(
            select(Escalation).where(
                Escalation.case_id == case.id, Escalation.level == case.escalation_level
            )
        )
        if row is None:
            row = Escalation(
                case_id=case.id,
                level=case.escalation_level,
                request="(recorded before escalation requests were kept; see the timeline)",
                requested_by=self.actor.name,
                requested_at=case.escalation_requested_at or now,
                due_at=case.escalation_due_at,
            )
            s.add(row)
            s.flush()
        return row

    def decide(
        self,
        ref: str,
        outcome: EscalationOutcome | str,
        explanation: str,
        note: str = "",
        *,
        expected_version: int | None = None,
    ) -> CaseDetail:
        """Record a decision on the escalation: confirm the resolution, reopen the case for
        investigation, or (level 1) refer it to a manager. The explanation is sent to the
        customer; the note stays internal."""

        def change(s: Session, case: Case, now: datetime) -> None:
            text = self._text("explanation", explanation)
            extra = self._text("note", note, required=False)
            try:
                result = EscalationOutcome(outcome)
            except ValueError:
                raise invalid(
                    "outcome: choose one of " + ", ".join(o.value for o in EscalationOutcome) + "."
                ) from None
            # Who may decide this level was judged on loading (domain/ownership.py).
            lifecycle.check_decision(case, now, result)
            level = case.escalation_level
            escalation = self._pending_request(s, case, now)
            # A referral up passes what the customer asked for at level 1 to the manager.
            entries = lifecycle.decide(
                case, self.ctx.sla, now, result, text, extra, escalation.request
            )
            s.add(
                EscalationDecision(
                    escalation_id=escalation.id,
                    case_id=case.id,
                    level=level,
                    outcome=result.value,
                    explanation=text,
                    note=extra,
                    decided_by=self.actor.name,
                    decided_at=now,
                )
            )
            self._write(s, case, entries, now)
            if result is EscalationOutcome.REFER_UP:
                self._record_request(s, case, escalation.request)

        return self._act("decide", ref, change, expected_version)

    def extend(
        self, ref: str, business_days: int, explanation: str, *, expected_version: int | None = None
    ) -> CaseDetail:
        """Extend the resolution deadline, with an explanation the customer sees (policy §2)."""

        def change(s: Session, case: Case, now: datetime) -> None:
            text = self._text("explanation", explanation)
            problem = lifecycle.extension_days_problem(business_days)
            if problem is not None:
                raise invalid(problem)
            self._write(
                s, case, lifecycle.extend(case, self.ctx.sla, now, business_days, text), now
            )

        return self._act("extend", ref, change, expected_version)

    def refer(self, ref: str, note: str = "", *, expected_version: int | None = None) -> CaseDetail:
        """Record that the customer was told about external dispute resolution (policy §7)."""

        def change(s: Session, case: Case, now: datetime) -> None:
            lifecycle.allow(Action.REFER, case, now)
            ext = self.ctx.settings.external
            extra = self._text("note", note, required=False)
            entries = lifecycle.refer(case, now, ext.name, ext.contact, ext.info, extra)
            self._write(s, case, entries, now)

        return self._act("refer", ref, change, expected_version)

    def attach(
        self, ref: str, att: AttachmentInput, *, expected_version: int | None = None
    ) -> CaseDetail:
        def change(s: Session, case: Case, now: datetime) -> None:
            self._allow(Action.ATTACH, case)
            self._add_attachment(s, case, att, now)

        return self._act("attach", ref, change, expected_version)

    # ---- take next -------------------------------------------------------------------------
    def take_next(self) -> CaseDetail | None:
        """Assign the most urgent unassigned case this agent may handle; None when there is none.

        PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent agents never get the same case.
        SQLite: the write transaction starts with BEGIN IMMEDIATE, so takers run one at a time.
        """
        self._require_handler("take_next")
        recused = exists().where(
            and_(Recusal.case_id == Case.id, Recusal.agent_id == self.actor.id)
        )
        stmt = (
            select(Case)
            .where(
                Case.assignee_id.is_(None),
                Case.queue_bucket == QueueBucket.ACTIVE,
                visible_filter(self.actor),
                ~recused,
            )
            .order_by(Case.queue_bucket, Case.queue_at, Case.id)
            .limit(1)
        )
        if self.ctx.db.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True, of=Case)
        with self._tx(write=True, logged_as="take_next") as s:
            case = s.scalars(stmt).unique().one_or_none()
            if case is None:
                return None
            now = self.now
            case.assignee_id = self.actor.id
            case.updated_at = now
            self._event(
                s, case, EventKind.ASSIGNMENT, f"taken by {self.actor.name} (take next)", now
            )
            log_access(s, now, self.actor.name, "view", case.ref, True, "take next")
            s.flush()
            announce_change(s, self.ctx.db, case.ref)
            case_id = case.id
            detail = self._detail_in_write(s, case, now)
        return detail or self._detail_after_write(case_id, now)

    def count(self, condition=None) -> int:
        stmt = select(func.count()).select_from(Case).where(visible_filter(self.actor))
        if condition is not None:
            stmt = stmt.where(condition)
        with self._tx(write=False) as s:
            return s.scalar(stmt) or 0


def ref_prefix(year: int) -> str:
    return f"C-{year}-"


def ref_of(year: int, number: int) -> str:
    return f"{ref_prefix(year)}{number:05d}"


def invalid(message: str) -> ValidationFailed:
    """A one-field validation refusal; the message starts with the field's name."""
    return ValidationFailed([FieldError(message.split(":", 1)[0], message)])
