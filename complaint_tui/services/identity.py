"""Who is acting: SQLite trusts the OS login (or --as), PostgreSQL the database role."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from sqlalchemy import select

from complaint_tui.domain.enums import Role
from complaint_tui.domain.text import has_unstorable, one_line
from complaint_tui.services.audit import record_refusal
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import PermissionDenied, Refused
from complaint_tui.store.models import Agent

# The access log's action for a refused identity: who tried is known, what they meant to do is not.
LOGIN = "login"


@dataclass(frozen=True)
class Actor:
    id: int
    name: str
    role: Role

    @property
    def sees_all_cases(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.MANAGER)

    @property
    def handles_cases(self) -> bool:
        return self.role is not Role.ADMIN


def checked_override(name: str) -> str:
    """An agent name given to act as (--as, COMPLAINT_TUI_AGENT), trimmed; refused when empty
    (taking it as "no name" would quietly act as the OS login) or unlike any agent name."""
    name = name.strip()
    if not name:
        raise Refused("The agent name to act as is empty; give a name or leave --as out.")
    if has_unstorable(name) or name != one_line(name):
        raise Refused(f"The agent name {name!r} holds characters no agent name has.")
    return name


def login_name(ctx: AppContext, override: str | None = None) -> str:
    """The name this session acts as, before checking it is a registered agent."""
    if override is None:
        override = os.environ.get("COMPLAINT_TUI_AGENT") or None
    if override is not None:
        override = checked_override(override)
    if ctx.db.is_postgres:
        role = ctx.database_login()
        if override and override != role:
            # Acting as someone else: refused, and logged in the login's own name.
            raise record_refusal(
                ctx,
                role,
                LOGIN,
                None,
                PermissionDenied(
                    f"On PostgreSQL you act as your database role ({role}); connect as "
                    f"{override} instead of using --as."
                ),
            )
        return role
    if override:
        return override
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no login name in this environment
        raise Refused("Cannot tell who you are; pass --as NAME.") from None


def resolve_actor(ctx: AppContext, override: str | None = None) -> Actor:
    name = login_name(ctx, override)
    return actor_named(ctx, name)


def actor_named(ctx: AppContext, name: str) -> Actor:
    with ctx.db.session() as s:
        agent = s.scalar(select(Agent).where(Agent.name == name))
    if agent is None or not agent.active:
        refusal = PermissionDenied(
            f"{name!r} is not an active agent here; an admin can add you with "
            f"`complaint-tui agent add {name} --role agent`."
        )
        raise record_refusal(ctx, name, LOGIN, None, refusal)
    return Actor(agent.id, agent.name, Role(agent.role))
