"""Admin use cases: bootstrapping a database, agents. (Policy versions: services/policy.py.)"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from sqlalchemy import func, select

from complaint_tui.domain.enums import Role
from complaint_tui.domain.text import has_unstorable
from complaint_tui.services.audit import record_refusal
from complaint_tui.services.context import AppContext, db_refusals
from complaint_tui.services.errors import Conflict, PermissionDenied, Refused
from complaint_tui.services.identity import Actor, login_name
from complaint_tui.services.permissions import refusals_logged, require_admin
from complaint_tui.store import access
from complaint_tui.store.models import Agent, PolicyVersion

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


@refusals_logged("agent_active")
def set_agent_active(ctx: AppContext, actor: Actor, name: str, active: bool) -> None:
    require_admin(actor, "activate or deactivate agents")
    with db_refusals(), ctx.db.session(write=True) as s:
        agent = None if has_unstorable(name) else s.scalar(select(Agent).where(Agent.name == name))
        if agent is None:
            raise Refused(f"No agent {name!r}.")
        if agent.id == actor.id and not active:
            raise PermissionDenied("You cannot deactivate yourself.")
        agent.active = active  # a trigger revokes or restores the login's group (PostgreSQL)


@refusals_logged("agent_list")
def list_agents(ctx: AppContext, actor: Actor) -> list[AgentView]:
    if actor.role is Role.AGENT:
        raise PermissionDenied("Only supervisors, managers and admins may list agents.")
    with ctx.db.session() as s:
        rows = s.scalars(select(Agent).order_by(Agent.name)).all()
    return [AgentView(a.name, Role(a.role), a.active, a.created_at) for a in rows]
