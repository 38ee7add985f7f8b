"""Refusals logged on PostgreSQL by the login that was refused (issue 8 items 5 and 7), as real
logins made by `init` and `agent add`: an agent, an admin who is not the schema owner, a login
that is no agent here, a deactivated one, and the owner.

Who may not use the desk holds no privilege on the access log; ct_log_refusal writes their
refusal, in their own login's name only. A login that may not even connect (the README's set-up:
only the desk's groups may) has no session to log anything with: PostgreSQL's own server log
records the refused connection, and the program says why in one sentence.
"""

from __future__ import annotations

import pytest
from psycopg import errors

from complaint_tui.services.admin import add_agent, init_database, set_agent_active
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.demo import seed_demo
from complaint_tui.services.errors import PermissionDenied
from complaint_tui.services.identity import resolve_actor
from tests.helpers_db import assert_one_sentence, draft
from tests.pg_desk import Desk, pg_desk

pytestmark = pytest.mark.pg


@pytest.fixture(scope="module")
def desk():
    with pg_desk("ct_refusals") as d:
        ctx = d.context(d.owner)
        try:
            init_database(ctx)
            d.admin, d.agent, d.gone, d.stranger = (
                d.name("adm"),
                d.name("lan"),
                d.name("gone"),
                d.name("stranger"),
            )
            owner = resolve_actor(ctx)
            add_agent(ctx, owner, d.admin, "admin")
            add_agent(ctx, owner, d.agent, "agent")
            add_agent(ctx, owner, d.gone, "agent")
            set_agent_active(ctx, owner, d.gone, False)
            with d.superuser() as su:
                su.execute(f'CREATE ROLE "{d.stranger}" LOGIN')
        finally:
            ctx.db.dispose()
        yield d


def refusals(desk: Desk, actor: str) -> list[tuple]:
    with desk.superuser() as su:
        return su.execute(
            "SELECT action, case_ref, allowed, detail FROM access_log WHERE actor = %s ORDER BY id",
            (actor,),
        ).fetchall()


def refused_as(desk: Desk, login: str, attempt) -> PermissionDenied:
    ctx = desk.context(login)
    try:
        with pytest.raises(PermissionDenied) as info:
            attempt(ctx)
    finally:
        ctx.db.dispose()
    assert_one_sentence(str(info.value))
    return info.value


def test_logins_the_desk_does_not_know_are_logged_when_they_can_connect(desk):
    """On a server where anyone may connect (the owner does not own the database, say), a login
    that is no agent, or no longer one, is refused at the door and that is logged."""
    with desk.superuser() as su:
        su.execute(f'GRANT CONNECT ON DATABASE "{desk.database}" TO PUBLIC')
    try:
        for login in (desk.stranger, desk.gone):
            error = refused_as(desk, login, lambda ctx: ctx.check_schema())
            assert "no access to this complaint desk" in str(error)
            assert refusals(desk, login) == [("login", None, False, str(error))]
    finally:
        with desk.superuser() as su:
            su.execute(f'REVOKE CONNECT ON DATABASE "{desk.database}" FROM PUBLIC')


def test_a_login_that_may_not_connect_is_told_why_and_nothing_is_logged(desk):
    before = refusals(desk, desk.gone)
    error = refused_as(desk, desk.gone, lambda ctx: ctx.check_schema())
    assert "may not connect to this complaint desk" in str(error)
    assert refusals(desk, desk.gone) == before


def test_refusals_are_written_only_in_ones_own_name(desk):
    with desk.superuser() as su:
        su.execute(f'GRANT CONNECT ON DATABASE "{desk.database}" TO PUBLIC')
    try:
        with desk.connect(desk.stranger) as conn:
            conn.execute("SELECT ct_log_refusal(current_user, now(), 'probe', NULL, 'by hand')")
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("SELECT ct_log_refusal(%s, now(), 'x', NULL, 'y')", (desk.agent,))
            with pytest.raises(errors.InsufficientPrivilege):  # and nothing else
                conn.execute("SELECT * FROM access_log")
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("SELECT ct_case_exists('C-2026-00001')")
        assert refusals(desk, desk.stranger)[-1] == ("probe", None, False, "by hand")
        assert [r for r in refusals(desk, desk.agent) if r[0] == "x"] == []
    finally:
        with desk.superuser() as su:
            su.execute(f'REVOKE CONNECT ON DATABASE "{desk.database}" FROM PUBLIC')


def test_an_agent_acting_as_someone_else_or_as_an_admin_is_logged(desk):
    error = refused_as(desk, desk.agent, lambda ctx: resolve_actor(ctx, desk.admin))
    assert refusals(desk, desk.agent)[-1] == ("login", None, False, str(error))
    error = refused_as(
        desk,
        desk.agent,
        lambda ctx: add_agent(ctx, resolve_actor(ctx), desk.name("eve"), "admin"),
    )
    assert refusals(desk, desk.agent)[-1] == ("agent_add", None, False, str(error))


def test_a_hidden_case_is_refused_as_confidential_and_logged(desk):
    sup = desk.name("sup")
    owner = desk.context(desk.owner)
    try:
        add_agent(owner, resolve_actor(owner), sup, "supervisor")
    finally:
        owner.db.dispose()
    sup_ctx = desk.context(sup)
    try:
        ref = CaseDesk(sup_ctx, resolve_actor(sup_ctx)).create(draft(confidential=True)).ref
    finally:
        sup_ctx.db.dispose()
    error = refused_as(desk, desk.agent, lambda ctx: CaseDesk(ctx, resolve_actor(ctx)).get(ref))
    assert "confidential" in str(error)
    assert refusals(desk, desk.agent)[-1] == ("view", ref, False, str(error))


def test_only_the_owner_loads_demo_data(desk):
    for login in (desk.agent, desk.admin):
        error = refused_as(desk, login, lambda ctx: seed_demo(ctx, resolve_actor(ctx), 20, 1))
        assert desk.owner in str(error)
        assert refusals(desk, login)[-1] == ("demo", None, False, str(error))


def test_the_owner_loads_demo_data_all_or_nothing(monkeypatch):
    """As the owner's own login (not a superuser): a load failing half-way leaves every row as
    it was; the next one loads."""
    from complaint_tui.services import demo
    from tests.helpers_db import dump

    with pg_desk("ct_demo") as d:
        ctx = d.context(d.owner)
        try:
            init_database(ctx)
            owner = resolve_actor(ctx)
            before = dump(ctx)

            def broken(*_args, **_kwargs):
                raise RuntimeError("the clone step failed")

            monkeypatch.setattr(demo, "_clone", broken)
            with pytest.raises(RuntimeError):
                seed_demo(ctx, owner, 40, 3)
            assert dump(ctx) == before
            monkeypatch.undo()
            assert seed_demo(ctx, owner, 40, 3).cases == 40
            with d.superuser() as su:
                assert su.execute("SELECT count(*) FROM cases").fetchone() == (40,)
                # the per-row audit triggers are back on after the load
                assert su.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'cases'::regclass "
                    "AND NOT tgisinternal AND tgenabled = 'D'"
                ).fetchone() == (0,)
        finally:
            ctx.db.dispose()
