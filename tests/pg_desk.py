"""A PostgreSQL desk set up the way the README says: an owner role with CREATEROLE, a database it
owns, and people's login roles made by `agent add`. Role names are global to the server and other
test sessions run at the same time, so every name carries a random suffix, and everything made
here (database, group roles, logins, owner) is dropped afterwards, even after a failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.settings import Settings
from complaint_tui.services.context import AppContext
from tests.conftest import DEFAULT_NOW, _pg_server_url, drop_pg_database


@dataclass
class Desk:
    server: URL  # a superuser's URL (the test server's)
    database: str
    owner: str
    suffix: str
    logins: set[str] = field(default_factory=set)

    def url(self, login: str) -> str:
        return (
            self.server.set(username=login, password=None, database=self.database)
            .set(drivername="postgresql+psycopg")
            .render_as_string(hide_password=False)
        )

    def name(self, base: str) -> str:
        """A login name unique to this desk; remembered so teardown drops it."""
        login = f"{base}-{self.suffix}"
        self.logins.add(login)
        return login

    def connect(self, login: str) -> psycopg.Connection:
        """A raw connection, as psql would open it (autocommit, like psql's default)."""
        return psycopg.connect(
            host=self.server.host,
            port=self.server.port or 5432,
            user=login,
            dbname=self.database,
            autocommit=True,
        )

    def superuser(self) -> psycopg.Connection:
        return psycopg.connect(
            host=self.server.host,
            port=self.server.port or 5432,
            user=self.server.username,
            password=self.server.password,
            dbname=self.database,
            autocommit=True,
        )

    def context(self, login: str) -> AppContext:
        return AppContext.build(Settings(), self.url(login), FixedClock(DEFAULT_NOW))


@contextmanager
def pg_desk(prefix: str = "ct_rls") -> Iterator[Desk]:
    server = _pg_server_url()
    if server is None:
        pytest.skip("PostgreSQL tests need COMPLAINT_TUI_TEST_PG_URL")
    base = make_url(server).set(drivername="postgresql+psycopg")
    suffix = uuid.uuid4().hex[:8]
    desk = Desk(base, f"{prefix}_{suffix}", f"{prefix}_owner_{suffix}", suffix)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            # README step 1, as the superuser would type it with createuser/createdb.
            conn.execute(text(f'CREATE ROLE "{desk.owner}" LOGIN CREATEROLE'))
            conn.execute(text(f'CREATE DATABASE "{desk.database}" OWNER "{desk.owner}"'))
        yield desk
    finally:
        drop_pg_database(admin, desk.database)
        with admin.connect() as conn:
            leftovers = conn.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                {"p": f"%{suffix}%"},
            ).scalars()
            for role in sorted(set(leftovers) | desk.logins | {desk.owner}, key=len):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
