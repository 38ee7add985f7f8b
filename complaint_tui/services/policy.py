"""The policy text and the procedure: publishing and reading versions (policy §8), recording and
listing reviews of the complaint handling procedure (policy §6).

Who may do what: admins publish (they manage the policy text, SPEC §1); managers record reviews
(continuous improvement is theirs: they read the reports the review starts from, and decide the
second escalation level); everyone of the desk reads both. On PostgreSQL the database holds the
same lines (store/access.py): admins alone insert versions, managers alone insert reviews, each
in their own name, and neither table can be changed afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from complaint_tui.domain.enums import Role
from complaint_tui.domain.policy import (
    MAX_POLICY_BYTES,
    MAX_REVIEW_CHARS,
    label_problem,
    last_updated_problem,
    review_date_problem,
)
from complaint_tui.domain.text import InvalidText, clean_input, has_unstorable
from complaint_tui.services.audit import record_refusal
from complaint_tui.services.context import AppContext, db_refusals
from complaint_tui.services.errors import Conflict, NotFound, PermissionDenied, Refused
from complaint_tui.services.files import UnreadableFile, read_text_file
from complaint_tui.services.identity import Actor
from complaint_tui.services.permissions import require_admin
from complaint_tui.store.models import PolicyReview, PolicyVersion
from complaint_tui.store.policy import case_counts, in_force, in_force_id


@dataclass(frozen=True)
class PolicyVersionView:
    label: str
    last_updated: date
    published_at: datetime
    published_by: str
    in_force: bool
    cases: int  # cases stamped with this version


@dataclass(frozen=True)
class PolicyText:
    label: str
    last_updated: date
    published_at: datetime
    published_by: str
    in_force: bool
    text: str


@dataclass(frozen=True)
class ReviewView:
    reviewed_on: date
    findings: str
    actions: str
    policy_version: str | None  # the label of the version in force when it was recorded
    recorded_at: datetime
    recorded_by: str


def _today(ctx: AppContext) -> date:
    return ctx.calendar.local(ctx.now()).date()


def _logged(ctx: AppContext, actor: Actor, action: str, check) -> None:
    """Run a permission check; a refused attempt goes to the access log (policy §4)."""
    try:
        check()
    except PermissionDenied as exc:
        raise record_refusal(ctx, actor.name, action, None, exc) from None


def _require_admin(ctx: AppContext, actor: Actor) -> None:
    _logged(ctx, actor, "policy_publish", lambda: require_admin(actor, "publish a policy version"))


def _require_manager(ctx: AppContext, actor: Actor) -> None:
    def check() -> None:
        if actor.role is not Role.MANAGER:
            raise PermissionDenied("Only a manager may record a procedure review.")

    _logged(ctx, actor, "review_add", check)


def _text(value: str, what: str, limit: int) -> str:
    try:
        value = clean_input(value, what).strip()
    except InvalidText as exc:
        raise Refused(str(exc)) from None
    if not value:
        raise Refused(f"{what}: this cannot be empty.")
    if len(value) > limit:
        raise Refused(f"{what}: at most {limit:,} characters.")
    return value


# ---- versions ------------------------------------------------------------------------------------
def publish_policy_file(
    ctx: AppContext, actor: Actor, path: Path, label: str, last_updated: date | None = None
) -> PolicyVersionView:
    """Publish the UTF-8 text of a file as a new version (read safely: never blocks, bounded)."""
    _require_admin(ctx, actor)
    _checked_label(label)
    try:
        text = read_text_file(path, MAX_POLICY_BYTES)
    except UnreadableFile as exc:
        raise Refused(f"policy text: {str(path)!r} {exc}.") from None
    if not text.strip():
        raise Refused(f"policy text: {str(path)!r} is empty.")
    return publish_policy(ctx, actor, label, text, last_updated)


def publish_policy(
    ctx: AppContext, actor: Actor, label: str, text: str, last_updated: date | None = None
) -> PolicyVersionView:
    """A new version, in force at once (domain/policy.py): cases recorded from now on are
    stamped with it, cases recorded before keep theirs. Last Updated defaults to today (the
    calendar's date)."""
    _require_admin(ctx, actor)
    label = _checked_label(label)
    day = last_updated or _today(ctx)
    problem = last_updated_problem(day, _today(ctx))
    if problem is not None:
        raise Refused(problem)
    body = _text(text, "policy text", MAX_POLICY_BYTES)
    now = ctx.now()
    try:
        with db_refusals(), ctx.db.session(write=True) as s:
            if s.scalar(select(PolicyVersion.id).where(PolicyVersion.label == label)) is not None:
                raise Conflict(f"Policy version {label} already exists; choose another label.")
            s.add(
                PolicyVersion(
                    label=label,
                    last_updated=day,
                    text=body,
                    created_at=now,
                    created_by=actor.name,
                )
            )
    except IntegrityError:  # published under the same label at the same moment
        raise Conflict(f"Policy version {label} already exists; choose another label.") from None
    return PolicyVersionView(label, day, now, actor.name, True, 0)


def _checked_label(label: str) -> str:
    problem = label_problem(label)
    if problem is not None:
        raise Refused(problem)
    return label.strip()


def show_policy(ctx: AppContext, actor: Actor, label: str | None = None) -> PolicyText:
    """A version's text: the one in force, or the one with ``label``."""
    with ctx.db.session() as s:
        current = s.scalar(in_force_id())
        if label is None:
            row = s.get(PolicyVersion, current) if current is not None else None
            if row is None:
                raise NotFound("No policy version has been published; run `complaint-tui init`.")
        else:
            wanted = label.strip()
            row = (
                None
                if has_unstorable(wanted)
                else s.scalar(select(PolicyVersion).where(PolicyVersion.label == wanted))
            )
            if row is None:
                raise NotFound(f"No policy version {wanted!r}; `policy list` shows them.")
        return PolicyText(
            row.label, row.last_updated, row.created_at, row.created_by, row.id == current, row.text
        )


def list_policies(ctx: AppContext, actor: Actor) -> list[PolicyVersionView]:
    """Every version, newest first, with the number of cases stamped with each."""
    with ctx.db.session() as s:
        rows = s.execute(
            select(
                PolicyVersion.id,
                PolicyVersion.label,
                PolicyVersion.last_updated,
                PolicyVersion.created_at,
                PolicyVersion.created_by,
            ).order_by(PolicyVersion.id.desc())
        ).all()
        counts = case_counts(s)
    current = rows[0].id if rows else None
    return [
        PolicyVersionView(
            r.label,
            r.last_updated,
            r.created_at,
            r.created_by,
            r.id == current,
            counts.get(r.id, 0),
        )
        for r in rows
    ]


# ---- procedure reviews ---------------------------------------------------------------------------
def add_review(
    ctx: AppContext,
    actor: Actor,
    findings: str,
    actions: str,
    reviewed_on: date | None = None,
) -> ReviewView:
    """Record a review of the complaint handling procedure (policy §6); the date defaults to
    today. Reviews are never changed: a correction is a later review."""
    _require_manager(ctx, actor)
    day = reviewed_on or _today(ctx)
    problem = review_date_problem(day, _today(ctx))
    if problem is not None:
        raise Refused(problem)
    found = _text(findings, "findings", MAX_REVIEW_CHARS)
    planned = _text(actions, "actions", MAX_REVIEW_CHARS)
    now = ctx.now()
    with db_refusals(), ctx.db.session(write=True) as s:
        version = s.scalars(in_force()).first()
        s.add(
            PolicyReview(
                reviewed_on=day,
                findings=found,
                actions=planned,
                policy_version_id=version.id if version else None,
                recorded_at=now,
                recorded_by=actor.name,
            )
        )
    return ReviewView(day, found, planned, version.label if version else None, now, actor.name)


def list_reviews(ctx: AppContext, actor: Actor) -> list[ReviewView]:
    """Every review, the latest review date first."""
    with ctx.db.session() as s:
        rows = s.execute(
            select(PolicyReview, PolicyVersion.label)
            .outerjoin(PolicyVersion, PolicyVersion.id == PolicyReview.policy_version_id)
            .order_by(PolicyReview.reviewed_on.desc(), PolicyReview.id.desc())
        ).all()
    return [
        ReviewView(r.reviewed_on, r.findings, r.actions, label, r.recorded_at, r.recorded_by)
        for r, label in rows
    ]


def last_review_date(ctx: AppContext, actor: Actor) -> date | None:
    """The date of the latest procedure review, or None before the first (the report screen
    shows it next to the figures)."""
    with ctx.db.session() as s:
        return s.scalar(select(func.max(PolicyReview.reviewed_on)))
