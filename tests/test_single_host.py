"""Single host (issue 8 item 7): the SQLite file and its folder are private whatever the umask,
demo data is loaded only by an admin (on PostgreSQL the schema owner) and leaves nothing behind
when the load fails, and `complaint-tui --demo` still works for a new user."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect

from complaint_tui.domain.enums import Role
from complaint_tui.services import demo
from complaint_tui.services.context import AppContext
from complaint_tui.services.identity import actor_named
from complaint_tui.store.models import Agent
from tests.conftest import add_agent
from tests.helpers_db import access_rows, dump
from tests.test_cli import Cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    """Set the process umask for the test (restored afterwards)."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


# ---- the SQLite file is private ---------------------------------------------------------------
@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077, 0o277], ids=oct)
def test_a_new_database_and_its_folder_are_private_whatever_the_umask(tmp_path, umask, mask):
    """The default database (whose folder `init` creates) and one at an explicit path: the file,
    its -wal and -shm files 0600, the folder made for it 0700; folders above are left alone."""
    home = tmp_path / "home"
    app = Cli(tmp_path)
    app.env.pop("COMPLAINT_TUI_DB")
    app.env |= {"XDG_DATA_HOME": str(home / "data"), "COMPLAINT_TUI_AGENT": "ada"}
    explicit = tmp_path / "shared" / "desk.db"
    explicit.parent.mkdir()
    os.chmod(explicit.parent, 0o755)
    umask(mask)
    app.ok("init")
    app.ok("--db", f"sqlite:///{explicit}", "init")
    umask(0o022)
    data = home / "data" / "complaint-tui"
    for db in (data / "complaints.db", explicit):
        ctx = AppContext.build(app_settings(), f"sqlite:///{db}")
        try:
            with ctx.db.session(write=True) as s:  # a write: the WAL and its index exist now
                s.add(Agent(name="lan", role="agent", active=True, created_at=ctx.now()))
            files = sorted(db.parent.glob(db.name + "*"))
            assert [f.name for f in files] == [db.name, f"{db.name}-shm", f"{db.name}-wal"]
            assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        finally:
            ctx.db.dispose()
    assert mode(data) == 0o700
    assert mode(explicit.parent) == 0o755  # not the program's to change


def app_settings():
    from complaint_tui.domain.settings import Settings

    return Settings()


def test_an_existing_database_file_keeps_its_permissions(tmp_path, umask):
    """An admin may have shared a file with a group on purpose: `init` leaves it so."""
    db = tmp_path / "shared.db"
    app = Cli(tmp_path, f"sqlite:///{db}")
    app.ok("init", as_="ada")
    os.chmod(db, 0o660)
    app.ok("init", as_="ada")
    assert mode(db) == 0o660


# ---- demo: admins only ------------------------------------------------------------------------
@pytest.fixture
def desk_cli(tmp_path) -> Cli:
    app = Cli(tmp_path)
    app.ok("init", as_="ada")
    app.ok("agent", "add", "alice", "--role", "agent", as_="ada")
    app.ok("agent", "add", "sue", "--role", "supervisor", as_="ada")
    return app


def test_demo_is_refused_unless_an_admin_loads_it(desk_cli):
    """`--as mallory demo` used to load the demo and make mallory a supervisor."""
    ctx = AppContext.build(app_settings(), desk_cli.env["COMPLAINT_TUI_DB"])
    try:
        before = dump(ctx, exclude={"access_log"})
        for who, says in (
            ("mallory", "not an active agent"),
            ("alice", "Only an admin may load demo data"),
            ("sue", "Only an admin may load demo data"),
        ):
            line = desk_cli.refused("demo", "--cases", "30", as_=who)
            assert says in line, line
            assert dump(ctx, exclude={"access_log"}) == before, who
        refused = [(r.actor, r.action, r.allowed) for r in access_rows(ctx)]
        assert refused == [
            ("mallory", "login", False),
            ("alice", "demo", False),
            ("sue", "demo", False),
        ]
        ctx.db.dispose()  # the load needs the file to itself (its journal mode changes)
        out = desk_cli.ok("demo", "--cases", "30", as_="ada")
        assert out.startswith("Seeded 30 cases")
        names = {a.name: a.role for a in ctx_agents(ctx)}
        assert "mallory" not in names and names["ada"] == "admin"
    finally:
        ctx.db.dispose()


def ctx_agents(ctx):
    from sqlalchemy import select

    with ctx.db.session() as s:
        return list(s.scalars(select(Agent)))


# ---- demo: one transaction --------------------------------------------------------------------
def _indexes(ctx: AppContext) -> dict:
    with ctx.db.engine.connect() as conn:
        insp = inspect(conn)
        return {
            t: sorted(i["name"] for i in insp.get_indexes(t))
            for t in ("cases", "case_services", "timeline_events", "agents")
        }


@pytest.mark.parametrize("step", ["_clone", "_build_fts5", "create_search_index", "_demo_people"])
def test_a_demo_load_that_fails_half_way_leaves_nothing_behind(ctx, monkeypatch, step):
    """Whatever step fails, the people, cases, counters and indexes are as before the load."""
    if step == "_build_fts5" and ctx.db.is_postgres:
        step = "create_search_index"  # PostgreSQL has no FTS5 step; fail its index instead
    admin = add_agent(ctx, "ada", Role.ADMIN)
    before, indexes = dump(ctx), _indexes(ctx)
    original = getattr(demo, step)

    def fail(*args, **kwargs):
        if step == "_demo_people":
            original(*args, **kwargs)  # the people are in; the load fails after them
        raise RuntimeError(f"{step} failed")

    monkeypatch.setattr(demo, step, fail)
    with pytest.raises(RuntimeError, match="failed"):
        demo.seed_demo(ctx, admin, 300, 7)
    assert dump(ctx) == before
    assert _indexes(ctx) == indexes
    monkeypatch.setattr(demo, step, original)
    assert demo.seed_demo(ctx, actor_named(ctx, "ada"), 300, 7).cases == 300  # and it still works


# ---- --demo for a new user --------------------------------------------------------------------
def test_the_readme_first_command_works_for_a_new_user(tmp_path, umask):
    """`complaint-tui --demo` as someone who has never run it: their own private demo database,
    made on first use, in which they are a supervisor with cases of their own."""
    home = tmp_path / "home"
    app = Cli(tmp_path)
    app.in_fresh_home(home)
    app.env.pop("COMPLAINT_TUI_AGENT")
    # The OS login (getpass reads LOGNAME, then USER, …).
    app.env |= {"USER": "newbie", "LOGNAME": "newbie"}
    umask(0o002)
    mine = json.loads(app.ok("--demo", "case", "list", "--json", "--limit", "10000"))
    umask(0o022)
    assert len(mine) == 2_000  # a supervisor sees every case
    assert any(r["assignee"] == "newbie" for r in mine)
    data = home / "data" / "complaint-tui"
    assert mode(data) == 0o700 and mode(data / "demo.db") == 0o600
    agents = {a["name"]: a["role"] for a in json.loads(app.ok("--demo", "agent", "list", "--json"))}
    assert agents["newbie"] == "supervisor" and agents["it.admin"] == "admin"
