"""The schema check at start: empty → run init, older → run init, unknown newer → refused."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from complaint_tui.cli import cli
from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.enums import Role
from complaint_tui.domain.settings import Settings
from complaint_tui.services.admin import init_database
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import Refused, Unavailable
from complaint_tui.store import db as db_module
from complaint_tui.store.db import Database, SchemaError, alembic_config
from complaint_tui.store.models import Agent
from tests.conftest import DEFAULT_NOW, _pg_server_url, drop_pg_database

FUTURE = "9999_from_a_newer_release"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def empty_url(request, tmp_path) -> Iterator[str]:
    """A database with nothing in it (PostgreSQL: a fresh database, dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = _pg_server_url()
    if server is None:
        pytest.skip("PostgreSQL tests need COMPLAINT_TUI_TEST_PG_URL")
    base = make_url(server).set(drivername="postgresql+psycopg")
    name = f"ct_schema_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_pg_database(admin, name)  # and the group roles init created for it
        admin.dispose()


@pytest.fixture
def database(empty_url) -> Iterator[Database]:
    db = Database(empty_url)
    yield db
    db.dispose()


def head_revision() -> str:
    return ScriptDirectory(str(db_module.MIGRATIONS)).get_current_head()


def upgrade_to(db: Database, revision: str) -> None:
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def stamp_version(db: Database, revision: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})


def context(url: str) -> AppContext:
    return AppContext.build(Settings(), url, FixedClock(DEFAULT_NOW))


def test_empty_database_says_run_init(database, empty_url):
    with pytest.raises(SchemaError) as info:
        database.check_schema()
    assert "complaint-tui init" in str(info.value)
    ctx = context(empty_url)
    with pytest.raises(Unavailable) as info2:
        ctx.check_schema()
    assert "complaint-tui init" in str(info2.value)
    ctx.db.dispose()


def test_init_creates_the_schema_and_the_first_admin(database, empty_url):
    ctx = context(empty_url)
    if ctx.db.is_postgres:  # the login is the database role; --as is refused there
        as_name = None
        with ctx.db.engine.connect() as conn:
            expected_admin = conn.execute(text("SELECT current_user")).scalar_one()
    else:
        as_name = expected_admin = "ops"
    result = init_database(ctx, as_name)
    assert result.revision_before is None
    assert result.revision_after == head_revision()
    assert result.admin_created == expected_admin
    database.check_schema()
    with ctx.db.session() as s:
        admins = s.scalars(select(Agent).where(Agent.role == Role.ADMIN.value)).all()
    assert len(admins) == 1
    # A second init changes nothing and creates no second admin.
    again = init_database(ctx, "someone-else")
    assert again.revision_before == again.revision_after == head_revision()
    assert again.admin_created is None
    ctx.db.dispose()


def test_older_revision_says_run_init_and_init_upgrades(database, empty_url):
    script = ScriptDirectory(str(db_module.MIGRATIONS))
    revisions = [r.revision for r in script.walk_revisions()]  # head first
    if len(revisions) < 2:
        pytest.skip("only one migration exists; see test_one_more_migration_than_the_database")
    oldest = revisions[-1]
    upgrade_to(database, oldest)
    with database.engine.begin() as conn:
        conn.execute(
            Agent.__table__.insert().values(
                name="kept", role="agent", active=True, created_at=DEFAULT_NOW
            )
        )
    with pytest.raises(SchemaError) as info:
        database.check_schema()
    assert "older" in str(info.value) and "complaint-tui init" in str(info.value)

    ctx = context(empty_url)
    result = init_database(ctx, None)
    assert (result.revision_before, result.revision_after) == (oldest, head_revision())
    assert result.admin_created is None  # the database already had an agent
    database.check_schema()
    with ctx.db.session() as s:
        assert s.scalar(select(Agent.name)) == "kept"
    ctx.db.dispose()


def test_one_more_migration_than_the_database(database, tmp_path, monkeypatch):
    """A newer program (one extra migration) finds the database older and asks for init."""
    database.upgrade()
    old_head = head_revision()
    migrations = tmp_path / "migrations"
    shutil.copytree(db_module.MIGRATIONS, migrations)
    (migrations / "versions" / "9000_test_extra.py").write_text(
        f'revision = "9000_test_extra"\ndown_revision = "{old_head}"\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )
    monkeypatch.setattr(db_module, "MIGRATIONS", Path(migrations))
    # The start-up check reads these constants instead of importing Alembic.
    monkeypatch.setattr(
        db_module, "KNOWN_REVISIONS", (*db_module.KNOWN_REVISIONS, "9000_test_extra")
    )
    monkeypatch.setattr(db_module, "SCHEMA_HEAD", "9000_test_extra")
    with pytest.raises(SchemaError) as info:
        database.check_schema()
    assert "older" in str(info.value) and "complaint-tui init" in str(info.value)
    database.upgrade()
    assert database.current_revision() == "9000_test_extra"
    database.check_schema()


def test_unknown_newer_revision_is_refused(database, empty_url):
    database.upgrade()
    stamp_version(database, FUTURE)
    with pytest.raises(SchemaError) as info:
        database.check_schema()
    message = str(info.value)
    assert "newer" in message and "init" not in message.replace("complaint-tui", "")
    ctx = context(empty_url)
    with pytest.raises(Unavailable):
        ctx.check_schema()
    # init must not try to "upgrade" a schema it does not know, nor crash with a traceback.
    with pytest.raises(Refused) as refused:
        init_database(ctx, None)
    assert "newer" in str(refused.value)
    assert database.current_revision() == FUTURE
    ctx.db.dispose()


def test_cli_reports_schema_problems_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    env = {"COMPLAINT_TUI_DB": url, "COMPLAINT_TUI_AGENT": "ops", "COMPLAINT_TUI_CONFIG": None}

    result = runner.invoke(cli, ["case", "list"], env=env)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "complaint-tui init" in result.stderr

    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    db = Database(url)
    stamp_version(db, FUTURE)
    db.dispose()
    for args in (["case", "list"], ["init"], ["agent", "list"]):
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1 and "newer" in result.stderr, (args, result.stderr)


def test_search_survives_the_0003_migration_down_and_up(database, empty_url):
    """Cases recorded before 0003 are found after it (PostgreSQL fills the generated column
    for existing rows), and going back to 0002 restores a working expression index."""
    from complaint_tui.domain.intake import IntakeDraft
    from complaint_tui.services.cases import CaseDesk
    from complaint_tui.services.identity import actor_named
    from complaint_tui.services.queue import QueueQuery, QueueService, QueueView

    ctx = context(empty_url)
    init_database(ctx, None if ctx.db.is_postgres else "ops")
    with ctx.db.session(write=True) as s:
        s.add(Agent(name="hoa", role="agent", active=True, created_at=DEFAULT_NOW))
    desk = CaseDesk(ctx, actor_named(ctx, "hoa"))
    ref = desk.create(
        IntakeDraft(
            customer="kh-001",
            services=["VPS"],
            channel="phone",
            subject="Nguyễn Đức báo lỗi ổ cứng",
            description="Ổ cứng VPS bị hỏng.",
        )
    ).ref

    def found(word: str) -> list[str]:
        page = QueueService(desk).first(QueueQuery(view=QueueView.ALL_OPEN, search=word), 10)
        return [r.ref for r in page.rows]

    with database.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    if ctx.db.is_postgres:
        with database.engine.connect() as conn:
            columns = conn.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'cases' AND column_name = 'search_tsv'"
                )
            ).all()
        assert columns == []
    upgrade_to(database, "head")
    database.check_schema()
    assert found("nguyen duc") == [ref]
    assert found("o cung") == [ref]
    assert found("nothing-like-it") == []
    ctx.db.dispose()


def test_0004_finds_cases_of_0003_by_the_program_fold_down_and_up(database, empty_url):
    """Cases indexed at 0003, by PostgreSQL's generated column (Vietnamese letters only: "Müller"
    was "m ller") or by SQLite's demo loader (the tokenizer's fold: "Straße" stayed "straße"),
    are found by every sample query after 0004, and again after going down to 0003 and up."""
    from complaint_tui.services.cases import CaseDesk
    from complaint_tui.services.identity import actor_named
    from tests.helpers_search import assert_finds_every_sample, create_samples

    ctx = context(empty_url)
    init_database(ctx, None if ctx.db.is_postgres else "ops")
    with ctx.db.session(write=True) as s:
        s.add(Agent(name="hoa", role="agent", active=True, created_at=DEFAULT_NOW))
    desk = CaseDesk(ctx, actor_named(ctx, "hoa"))
    lang_of = create_samples(desk)

    def at_0003() -> None:
        """Back to 0003, with the index as that revision's program had it after a demo load."""
        with database.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0003")
            if conn.dialect.name == "sqlite":
                conn.execute(text("INSERT INTO case_search (case_search) VALUES ('delete-all')"))
                conn.execute(
                    text(
                        "INSERT INTO case_search (rowid, body) SELECT id, replace(replace("
                        "ref || ' ' || customer || ' ' || subject || ' ' || description, "
                        "'đ', 'd'), 'Đ', 'D') FROM cases"
                    )
                )
        with database.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                old = "SELECT count(*) FROM case_search WHERE case_search MATCH 'strasse'"
            else:
                generated = conn.execute(text(GENERATED_SEARCH_COLUMN)).scalar_one()
                assert generated == "ALWAYS"
                old = "SELECT count(*) FROM cases WHERE search_tsv @@ 'muller'::tsquery"
            assert conn.execute(text(old)).scalar_one() == 0  # the defect, as it was

    def finds_every_sample() -> None:
        database.check_schema()
        assert_finds_every_sample(desk, lang_of)
        if ctx.db.is_postgres:
            with database.engine.connect() as conn:
                assert conn.execute(text(GENERATED_SEARCH_COLUMN)).scalar_one() == "NEVER"

    at_0003()
    if ctx.db.is_postgres:  # 0004 rewrites only the rows whose vector changes
        rows = "SELECT ref, xmin::text FROM cases ORDER BY id"
        with database.engine.connect() as conn:
            before = dict(conn.execute(text(rows)).all())
    upgrade_to(database, "head")
    finds_every_sample()
    if ctx.db.is_postgres:
        with database.engine.connect() as conn:
            after = dict(conn.execute(text(rows)).all())
        rewritten = {lang_of[ref] for ref in before if before[ref] != after[ref]}
        assert rewritten == {"de", "fr", "tr"}  # Vietnamese was folded right before
    at_0003()
    upgrade_to(database, "head")
    finds_every_sample()
    ctx.db.dispose()


GENERATED_SEARCH_COLUMN = (
    "SELECT is_generated FROM information_schema.columns "
    "WHERE table_name = 'cases' AND column_name = 'search_tsv'"
)
