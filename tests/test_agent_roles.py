"""Changing an agent's role (`agent role`), on both databases; on PostgreSQL the login's group
follows (tests/test_pg_roles_cli.py shows it with real logins)."""

from __future__ import annotations

import pytest

from complaint_tui.domain.enums import Role
from complaint_tui.services.admin import list_agents, set_agent_role
from complaint_tui.services.identity import actor_named
from tests.helpers_db import assert_denied, assert_unchanged


def test_an_admin_changes_an_agents_role(ctx, agents):
    view = set_agent_role(ctx, agents["ada"], "alice", "supervisor")
    assert (view.name, view.role) == ("alice", Role.SUPERVISOR)
    assert actor_named(ctx, "alice").role is Role.SUPERVISOR
    roles = {a.name: a.role for a in list_agents(ctx, agents["ada"])}
    assert roles["alice"] is Role.SUPERVISOR and roles["bob"] is Role.AGENT


@pytest.mark.parametrize(
    ("who", "name", "role", "message"),
    [
        ("ada", "bob", "agent", "already agent"),
        ("ada", "nobody", "agent", "No agent 'nobody'"),
        ("ada", "bob", "boss", "role: choose one of"),
    ],
)
def test_role_changes_that_are_refused_change_nothing(ctx, agents, who, name, role, message):
    error = assert_unchanged(ctx, lambda: set_agent_role(ctx, agents[who], name, role))
    assert message in str(error)


def test_only_admins_change_roles_and_not_their_own(ctx, agents):
    for who in ("alice", "sue", "max"):
        error = assert_denied(
            ctx,
            lambda w=who: set_agent_role(ctx, agents[w], "bob", "manager"),
            actor=who,
            what="agent_role",
            ref=None,
        )
        assert "Only an admin" in str(error)
    assert actor_named(ctx, "bob").role is Role.AGENT
    error = assert_denied(
        ctx,
        lambda: set_agent_role(ctx, agents["ada"], "ada", "manager"),
        actor="ada",
        what="agent_role",
        ref=None,
    )
    assert "own role" in str(error)
