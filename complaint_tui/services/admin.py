"""Admin use cases: bootstrapping a database, agents. (Policy versions: services/policy.py.)"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from sqlalchemy import and_, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from complaint_tui.domain.enums import EventKind, Role, Status
from complaint_tui.domain.lifecycle import handover_text
from complaint_tui.domain.text import has_unstorable
from complaint_tui.services.audit import record_refusal
from complaint_tui.services.context import AppContext, db_refusals
from complaint_tui.services.errors import Conflict, PermissionDenied, Refused
from complaint_tui.services.identity import Actor, login_name
from complaint_tui.services.permissions import refusals_logged, require_admin
from complaint_tui.store import access
from complaint_tui.store.models import (
    Agent,
    Case,
    PolicyVersion,
    Recusal,
    TimelineEvent,
    UTCDateTime,
)

_AGENT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$")


@dataclass(frozen=True)
class AgentView:
    name: str
    role: Role
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class InitResult:
    revision_before: str | None
    revision_after: str | None
    admin_created: str | None
    groups: tuple[str, ...] = ()  # PostgreSQL: the desk's group roles, grants re-applied


def default_policy_text() -> str:
    return (
        resources.files("complaint_tui")
        .joinpath("seed/complaint-policy.txt")
        .read_text(encoding="utf-8")
    )


def init_database(ctx: AppContext, as_name: str | None = None) -> InitResult:
    """Create or upgrade the schema; on an empty database the current login becomes admin."""
    before = ctx.db.current_revision()
    ctx.init_schema()
    after = ctx.db.current_revision()
    created = None
    now = ctx.now()
    with ctx.db.session(write=True) as s:
        if s.scalar(select(func.count()).select_from(Agent)) == 0:
            name = login_name(ctx, as_name)
            s.add(Agent(name=name, role=Role.ADMIN.value, active=True, created_at=now))
            created = name
        if s.scalar(select(func.count()).select_from(PolicyVersion)) == 0:
            s.add(
                PolicyVersion(
                    label="1",
                    last_updated=ctx.calendar.local(now).date(),
                    text=default_policy_text(),
                    created_at=now,
                    created_by=created or "init",
                )
            )
    groups: tuple[str, ...] = ()
    if ctx.db.is_postgres:
        try:
            with db_refusals(), ctx.db.session(write=True) as s:
                groups = tuple(access.apply_access(s.connection()).values())
        except access.NotTheOwner as exc:
            refusal = PermissionDenied(str(exc))
            raise record_refusal(ctx, ctx.database_login(), "init", None, refusal) from None
        except access.AccessError as exc:
            raise Refused(str(exc)) from None
    return InitResult(before, after, created, groups)


@refusals_logged("agent_add")
def add_agent(ctx: AppContext, actor: Actor, name: str, role: Role | str) -> AgentView:
    require_admin(actor, "add agents")
    name = name.strip()
    if not _AGENT_NAME.match(name):
        raise Refused(
            f"Agent name {name!r} must be 1-64 letters, digits, . _ @ - and start with a letter or digit."
        )
    try:
        role = Role(role)
    except ValueError:
        raise Refused("role: choose one of " + ", ".join(r.value for r in Role) + ".") from None
    now = ctx.now()
    with db_refusals(), ctx.db.session(write=True) as s:
        if s.scalar(select(Agent).where(Agent.name == name)) is not None:
            raise Conflict(f"Agent {name!r} already exists.")
        s.add(Agent(name=name, role=role.value, active=True, created_at=now))
        if ctx.db.is_postgres:
            # The person's login role and its group, in the same transaction as the agent.
            s.flush()
            access.create_login(s, name)
    return AgentView(name, role, True, now)


@refusals_logged("agent_role")
def set_agent_role(ctx: AppContext, actor: Actor, name: str, role: Role | str) -> AgentView:
    """A new role for an agent; on PostgreSQL its login moves to that role's group."""
    require_admin(actor, "change an agent's role")
    try:
        role = Role(role)
    except ValueError:
        raise Refused("role: choose one of " + ", ".join(r.value for r in Role) + ".") from None
    with db_refusals(), ctx.db.session(write=True) as s:
        agent = s.scalar(select(Agent).where(Agent.name == name))
        if agent is None:
            raise Refused(f"No agent {name!r}.")
        if agent.id == actor.id:
            raise PermissionDenied("You cannot change your own role; ask another admin.")
        if agent.role == role.value:
            raise Refused(f"{name} is already {role.value}.")
        agent.role = role.value  # a trigger moves the login to the new group (PostgreSQL)
    return AgentView(agent.name, role, agent.active, agent.created_at)


@dataclass(frozen=True)
class Handover:
    """What deactivating an agent did with the cases they held."""

    name: str
    moved: int  # cases moved (every status but closed)
    to: str | None  # who took them; None: unassigned


def _in_hand(s: Session, ctx: AppContext, agent: Agent, target: Agent | None) -> tuple[int, int]:
    """(cases the agent holds that are not closed, of which ``target`` recused from)."""
    if ctx.db.is_postgres:  # an admin sees no case: counts through the owner's function
        row = s.execute(
            text("SELECT in_hand, target_recused FROM ct_cases_in_hand(:f, :t)"),
            {"f": agent.name, "t": target.name if target else None},
        ).one()
        return int(row.in_hand), int(row.target_recused)
    held = and_(Case.assignee_id == agent.id, Case.status != Status.CLOSED.value)
    in_hand = s.scalar(select(func.count()).select_from(Case).where(held)) or 0
    recused = 0
    if target is not None:
        recused = (
            s.scalar(
                select(func.count())
                .select_from(Case)
                .join(Recusal, and_(Recusal.case_id == Case.id, Recusal.agent_id == target.id))
                .where(held)
            )
            or 0
        )
    return in_hand, recused


def _hand_over(
    s: Session, ctx: AppContext, actor: Actor, agent: Agent, target: Agent | None
) -> int:
    """Move every case ``agent`` holds (not closed) to ``target`` (None: nobody), each with an
    assignment entry in its timeline, in the caller's transaction."""
    now = ctx.now()
    if ctx.db.is_postgres:
        return int(
            s.execute(
                text("SELECT ct_hand_over(:f, :t, :at)"),
                {"f": agent.name, "t": target.name if target else None, "at": now},
            ).scalar_one()
        )
    held = and_(Case.assignee_id == agent.id, Case.status != Status.CLOSED.value)
    s.execute(
        insert(TimelineEvent).from_select(
            ["case_id", "kind", "actor", "at", "text", "customer_visible"],
            select(
                Case.id,
                literal(EventKind.ASSIGNMENT.value),
                literal(actor.name),
                literal(now, UTCDateTime()),
                literal(handover_text(agent.name, target.name if target else None)),
                literal(False),
            )
            .where(held)
            .order_by(Case.id),
        )
    )
    result = s.execute(
        update(Case)
        .where(held)
        .values(assignee_id=target.id if target else None, version=Case.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


@refusals_logged("agent_active")
def set_agent_active(
    ctx: AppContext,
    actor: Actor,
    name: str,
    active: bool,
    *,
    reassign_to: str | None = None,
    unassign: bool = False,
) -> Handover:
    """Activate or deactivate an agent. Deactivating one who still holds cases (any status but
    closed) is refused unless they go to ``reassign_to`` (another active agent) or to nobody
    (``unassign``); either way every case moved gets a timeline entry, in the same transaction."""
    require_admin(actor, "activate or deactivate agents")
    if reassign_to is not None and unassign:
        raise Refused("Choose one: reassign the cases to another agent, or unassign them.")
    if active and (reassign_to is not None or unassign):
        raise Refused("Only deactivating an agent hands over their cases.")
    wanted = [] if has_unstorable(name) else [name]
    if not active and reassign_to is not None and not has_unstorable(reassign_to):
        wanted.append(reassign_to.strip())
    with db_refusals(), ctx.db.session(write=True) as s:
        # No case may be left with an inactive assignee (issue 9). PostgreSQL: the agent's row
        # (and the target's) is locked before the cases in hand are counted, in id order as
        # every deactivation locks them, so two handing over to each other do not deadlock.
        # An assignment to the agent reads its row FOR SHARE (migration 0016's trigger), which
        # this lock excludes: one that got there first is waited for and then counted (READ
        # COMMITTED: the count is a new statement, with a snapshot taken after the lock); one
        # that comes later waits for this commit and is then refused, the agent being inactive.
        # The rows read here are the locked, latest versions. SQLite: this write transaction
        # holds the database's one write lock from its BEGIN IMMEDIATE; nothing interleaves.
        rows = s.scalars(
            select(Agent).where(Agent.name.in_(wanted)).order_by(Agent.id).with_for_update()
        ).all()
        by_name = {a.name: a for a in rows}
        agent = by_name.get(name)
        if agent is None:
            raise Refused(f"No agent {name!r}.")
        if agent.id == actor.id and not active:
            raise PermissionDenied("You cannot deactivate yourself.")
        if active:
            agent.active = True  # a trigger restores the login's group (PostgreSQL)
            return Handover(agent.name, 0, None)
        target = None
        if reassign_to is not None:
            target = by_name.get(reassign_to.strip())
            if target is None or not target.active or target.role == Role.ADMIN.value:
                raise Refused(f"No active agent {reassign_to.strip()!r} to take the cases.")
            if target.id == agent.id:
                raise Refused(f"{agent.name} cannot take over their own cases.")
        held, recused = _in_hand(s, ctx, agent, target)
        if held and target is None and not unassign:
            raise Refused(
                f"{agent.name} holds {_cases(held)} that {'is' if held == 1 else 'are'} not "
                "closed; give --reassign-to OTHER or --unassign to hand "
                f"{'it' if held == 1 else 'them'} over."
            )
        if recused and target is not None:
            raise Refused(
                f"{target.name} recused from {_cases(recused)} of {agent.name}'s; "
                "reassign those first, or use --unassign."
            )
        agent.active = False  # a trigger revokes the login's group (PostgreSQL)
        s.flush()
        moved = _hand_over(s, ctx, actor, agent, target) if held else 0
    return Handover(agent.name, moved, target.name if target else None)


def _cases(n: int) -> str:
    return f"{n:,} case" + ("" if n == 1 else "s")


@refusals_logged("agent_list")
def list_agents(ctx: AppContext, actor: Actor) -> list[AgentView]:
    if actor.role is Role.AGENT:
        raise PermissionDenied("Only supervisors, managers and admins may list agents.")
    with ctx.db.session() as s:
        rows = s.scalars(select(Agent).order_by(Agent.name)).all()
    return [AgentView(a.name, Role(a.role), a.active, a.created_at) for a in rows]
