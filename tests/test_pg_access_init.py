"""`init` on PostgreSQL: group roles per database, grants re-applied from the map (and nothing
else), memberships matched to the agents table, and clear refusals when it cannot do its job."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from complaint_tui.services.admin import add_agent, init_database, set_agent_role
from complaint_tui.services.errors import Conflict, PermissionDenied, Refused
from complaint_tui.services.identity import resolve_actor
from complaint_tui.store.access import TABLE_GRANTS
from tests.pg_desk import Desk, pg_desk

pytestmark = pytest.mark.pg


def _init(desk: Desk, login: str | None = None):
    ctx = desk.context(login or desk.owner)
    try:
        return init_database(ctx)
    finally:
        ctx.db.dispose()


def _add(desk: Desk, by: str, name: str, role: str) -> None:
    ctx = desk.context(by)
    try:
        add_agent(ctx, resolve_actor(ctx), name, role)
    finally:
        ctx.db.dispose()


def _privileges(conn: psycopg.Connection, grantee: str) -> set[tuple[str, str]]:
    rows = conn.execute(
        "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
        "WHERE grantee = %s AND table_schema = current_schema()",
        (grantee,),
    ).fetchall()
    return set(rows)


def _groups_of(conn: psycopg.Connection, login: str) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s",
            (login,),
        ).fetchall()
    }


def test_init_reapplies_the_map_and_revokes_everything_else():
    with pg_desk("ct_init") as desk:
        result = _init(desk)
        groups = dict(zip(("agent", "supervisor", "manager", "admin"), result.groups, strict=True))
        assert groups["agent"] == f"{desk.database}_agent"
        admin = desk.name("adm")
        _add(desk, desk.owner, admin, "admin")
        lan, intruder = desk.name("lan"), desk.name("intruder")
        _add(desk, admin, lan, "agent")
        with desk.superuser() as su:
            su.execute(f'CREATE ROLE "{intruder}" LOGIN')
            # What the old README told people to do, and a stray membership.
            su.execute(f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{lan}"')
            su.execute("GRANT SELECT ON agents TO PUBLIC")
            su.execute(f'GRANT UPDATE (role) ON agents TO "{lan}"')
            su.execute(f'GRANT "{groups["supervisor"]}" TO "{intruder}"')
            su.execute(f'GRANT "{groups["manager"]}" TO "{lan}"')
            # A table some later migration adds without an entry in the map.
            su.execute(
                f'CREATE TABLE unmapped (x int); ALTER TABLE unmapped OWNER TO "{desk.owner}"'
            )
            su.execute(f'GRANT ALL ON unmapped TO "{groups["agent"]}"')
        _init(desk)
        with desk.superuser() as su:
            assert _privileges(su, lan) == set()
            assert _privileges(su, "PUBLIC") == set()
            assert _groups_of(su, lan) == {groups["agent"]}
            assert _groups_of(su, intruder) == set()
            assert _privileges(su, groups["agent"]) == {
                (table, privilege)
                for table, by_role in TABLE_GRANTS.items()
                for grant in by_role.get("agent", ())
                if not grant.columns
                for privilege in grant.privileges
            }
        with desk.connect(lan) as conn:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("UPDATE agents SET role = 'manager' WHERE name = current_user")
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("SELECT * FROM unmapped")


def test_init_upgrades_a_desk_set_up_the_old_way():
    """Before group roles, each login was created by hand and granted the tables directly."""
    from complaint_tui.store.db import Database

    with pg_desk("ct_old") as desk:
        old = desk.name("old")
        db = Database(desk.url(desk.owner))
        try:
            db.upgrade()  # the schema, but no groups yet (as after an earlier program's init)
        finally:
            db.dispose()
        with desk.superuser() as su:
            su.execute(f'CREATE ROLE "{old}" LOGIN')
            su.execute(f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{old}"')
            su.execute(
                "INSERT INTO agents (name, role, active, created_at) VALUES (%s, 'agent', true, now())",
                (old,),
            )
        groups = _init(desk).groups
        with desk.superuser() as su:
            assert _groups_of(su, old) == {groups[0]}
            assert _privileges(su, old) == set()
        with desk.connect(old) as conn:
            assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("UPDATE agents SET role = 'admin'")


def test_each_database_has_its_own_groups_and_people():
    with pg_desk("ct_one") as one, pg_desk("ct_two") as two:
        groups_one, groups_two = _init(one).groups, _init(two).groups
        assert not set(groups_one) & set(groups_two)
        person = one.name("kim")
        _add(one, one.owner, person, "supervisor")
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(
                host=two.server.host, port=two.server.port or 5432, user=person, dbname=two.database
            )
        with one.connect(person) as conn:
            assert conn.execute(
                "SELECT ct_group_role_for(repeat('x', 63), 'supervisor')"
            ).fetchone()
            names = [
                conn.execute("SELECT ct_group_role_for(%s, %s)", (db, role)).fetchone()[0]
                for db in ("x" * 60 + "aaa", "x" * 60 + "bbb")
                for role in ("agent", "supervisor")
            ]
            assert len(set(names)) == 4 and all(len(n.encode()) <= 63 for n in names)
            long_vi = conn.execute(
                "SELECT ct_group_role_for(repeat('đ', 40), 'supervisor')"
            ).fetchone()[0]
            assert len(long_vi.encode()) <= 63 and long_vi.endswith("_supervisor")


def test_init_refuses_a_group_name_that_belongs_to_someone_else():
    with pg_desk("ct_taken") as desk:
        with desk.superuser() as su:
            su.execute(f'CREATE ROLE "{desk.database}_admin" LOGIN')
        desk.logins.add(f"{desk.database}_admin")
        with pytest.raises(Refused, match="already exists and is not this desk's group role"):
            _init(desk)


def test_init_needs_the_owner_and_the_owner_needs_createrole():
    with pg_desk("ct_norole") as desk:
        with desk.superuser() as su:
            su.execute(f'ALTER ROLE "{desk.owner}" NOCREATEROLE')
        with pytest.raises(Refused, match="needs CREATEROLE"):
            _init(desk)
        with desk.superuser() as su:
            su.execute(f'ALTER ROLE "{desk.owner}" CREATEROLE')
        _init(desk)
        admin = desk.name("adm")
        _add(desk, desk.owner, admin, "admin")
        with pytest.raises(Refused, match="Only the schema owner"):
            _init(desk, admin)


def test_agent_add_refuses_roles_row_level_security_would_not_hold():
    with pg_desk("ct_add") as desk:
        _init(desk)
        admin = desk.name("adm")
        _add(desk, desk.owner, admin, "admin")
        bypass, group = desk.name("bypass"), f"{desk.database}_agent"
        with desk.superuser() as su:
            su.execute(f'CREATE ROLE "{bypass}" LOGIN BYPASSRLS')
        for name in (bypass, group):
            with pytest.raises(PermissionDenied, match="cannot be an agent"):
                _add(desk, admin, name, "agent")
        with pytest.raises(Conflict):
            _add(desk, admin, desk.owner, "agent")  # the owner: the first admin already
        ctx = desk.context(admin)
        try:
            actor = resolve_actor(ctx)
            with pytest.raises(Refused, match="own role"):
                set_agent_role(ctx, actor, admin, "manager")
        finally:
            ctx.db.dispose()
        with desk.superuser() as su:
            names = {r[0] for r in su.execute("SELECT name FROM agents").fetchall()}
        assert names == {desk.owner, admin}
