"""Shared fixtures: every store and service test runs on SQLite and on PostgreSQL.

PostgreSQL comes from COMPLAINT_TUI_TEST_PG_URL (a server URL; the tests create and drop their own
database on it). Without it those tests are skipped with a reason, unless
COMPLAINT_TUI_REQUIRE_PG=1 (CI), where a missing server is an error.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.enums import Role
from complaint_tui.domain.settings import Settings
from complaint_tui.services.context import AppContext
from complaint_tui.services.identity import Actor, actor_named
from complaint_tui.store.db import Database
from complaint_tui.store.models import Agent, Base


def _use_temporary_user_folders() -> tuple[Path, dict[str, Path]]:
    """Point the XDG folders at a fresh temporary folder for this test process (each xdist worker
    has its own), so no test writes the holiday cache, a demo database or settings into the real
    home. platformdirs reads these variables on every call and subprocesses inherit them; this runs
    when pytest loads this file, before any test or fixture asks for a folder."""
    real = {
        "cache": platformdirs.user_cache_path("complaint-tui"),
        "data": platformdirs.user_data_path("complaint-tui"),
        "config": platformdirs.user_config_path("complaint-tui"),
    }
    root = Path(tempfile.mkdtemp(prefix="complaint-tui-test-home-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    for kind in ("cache", "data", "config"):
        os.environ[f"XDG_{kind.upper()}_HOME"] = str(root / kind)
    return root, real


TEST_USER_ROOT, REAL_USER_FOLDERS = _use_temporary_user_folders()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session) -> None:
    """After the last teardown, one collection, then every survivor is frozen out of the
    collector's reach: pytest's own clean-up runs five full collections, which on a loaded 2-core
    machine outlasted xdist's 5-second shutdown grace and got the worker a SIGINT."""
    gc.collect()
    gc.freeze()


VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Wednesday 25 Nov 2026, 10:00 in Ho Chi Minh City: a plain business day.
DEFAULT_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=VN)

PG_ENV = "COMPLAINT_TUI_TEST_PG_URL"
PG_SKIP_REASON = (
    f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
)


def _pg_server_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("COMPLAINT_TUI_REQUIRE_PG") == "1":
            pytest.fail(f"{PG_ENV} is not set but COMPLAINT_TUI_REQUIRE_PG=1", pytrace=False)
        return None
    return url


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated once and dropped at the end."""
    server = _pg_server_url()
    if server is None:
        pytest.skip(PG_SKIP_REASON)
    base = make_url(server).set(drivername="postgresql+psycopg")
    name = f"ct_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - report why PostgreSQL is unusable
        if os.environ.get("COMPLAINT_TUI_REQUIRE_PG") == "1":
            pytest.fail(
                f"PostgreSQL at {base.render_as_string()} is unusable: {exc}", pytrace=False
            )
        pytest.skip(f"PostgreSQL at {base.render_as_string()} is unusable: {exc}")
    url = base.set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    db.upgrade()
    db.dispose()
    with admin.connect() as conn:
        _ROLES_AT_START.update(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
    try:
        yield url
    finally:
        engine = _EMPTYING.pop(url, None) or create_engine(url)
        with engine.connect() as conn:
            _drop_test_logins(conn)
        engine.dispose()
        drop_pg_database(admin, name)
        admin.dispose()


# The server's roles when this session began: `agent add` on PostgreSQL creates a login role for
# the agent (a server-wide name), which a test on the shared database leaves behind unless
# _drop_test_logins removes it.
_ROLES_AT_START: set[str] = set()


def _drop_test_logins(conn) -> None:
    """Drop the login roles made during this session for the agents of the session's database
    (before its rows go). A role another session still uses (it holds privileges there) stays.
    Commits what it does; the connection is left outside a transaction."""
    if not _ROLES_AT_START:
        return
    names = conn.execute(
        text(
            "SELECT quote_ident(r.rolname), r.rolname FROM agents a "
            "JOIN pg_roles r ON r.rolname = a.name WHERE r.rolcanlogin"
        )
    ).all()
    conn.commit()
    for quoted, name in names:
        if name in _ROLES_AT_START:
            continue
        try:
            conn.execute(text(f"DROP ROLE {quoted}"))
            conn.commit()
        except Exception:  # noqa: BLE001 - in use by another session's database
            conn.rollback()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file copied for each test (cheaper than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


_EMPTYING: dict[str, object] = {}  # url -> the engine that empties that database between tests


def _truncate_pg(url: str) -> None:
    """Empty every table of the session's database and restart its sequences, for the next test.
    DELETE, not TRUNCATE: on tables of a few rows it is 13 ms against TRUNCATE's 80 (which makes
    new files for every table and index), and this runs before every PostgreSQL test."""
    engine = _EMPTYING.get(url)
    if engine is None:
        engine = _EMPTYING[url] = create_engine(url)
    with engine.connect() as conn:
        _drop_test_logins(conn)
        with conn.begin():
            # The audit tables refuse DELETE for every role (access_control migration); only a
            # superuser can switch their triggers off (and the foreign keys' checks with them),
            # for this transaction, with the replica setting.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(text(f"DELETE FROM {table.name}"))
            for sequence in conn.execute(
                text(
                    "SELECT quote_ident(sequence_name) FROM information_schema.sequences "
                    "WHERE sequence_schema = current_schema()"
                )
            ).scalars():
                conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


def drop_pg_database(admin, name: str) -> None:
    """Drop a test database and the group roles `init` created for it (role names are global to
    the server, so they would outlive the database)."""
    from complaint_tui.store.access import groups_of_database

    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for group in groups_of_database(conn, name):
            conn.execute(text(f'DROP ROLE IF EXISTS "{group}"'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request, tmp_path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "test.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("pg_database_url")
    _truncate_pg(url)
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def ctx(db_url, settings, clock) -> Iterator[AppContext]:
    context = AppContext.build(settings, db_url, clock)
    yield context
    context.db.dispose()


def add_agent(ctx: AppContext, name: str, role: Role | str = Role.AGENT) -> Actor:
    with ctx.db.session(write=True) as s:
        s.add(Agent(name=name, role=Role(role).value, active=True, created_at=ctx.now()))
    return actor_named(ctx, name)


@pytest.fixture
def agents(ctx) -> dict[str, Actor]:
    """A small team: two agents, a supervisor, a manager and an admin."""
    return {
        name: add_agent(ctx, name, role)
        for name, role in (
            ("alice", Role.AGENT),
            ("bob", Role.AGENT),
            ("sue", Role.SUPERVISOR),
            ("max", Role.MANAGER),
            ("ada", Role.ADMIN),
        )
    }
