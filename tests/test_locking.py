"""Who waits for whom: reads never wait for a writer, writes hold the lock only for what they
change, and commands other than `init` never create a database file.

SQLite has one write lock for the whole file; with WAL, a reader under a deferred BEGIN reads its
snapshot while another connection holds that lock. On PostgreSQL the "open write transaction" is
a connection holding row locks on the cases and on alembic_version, which reads must not wait
for either. Every database in these tests waits at most a fraction of a second for a lock, so a
read that does wait fails with "database is locked" (or a lock timeout) instead of hanging; no
test here measures a time.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from complaint_tui.cli import cli
from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.intake import AttachmentInput
from complaint_tui.domain.settings import Settings
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.identity import actor_named, login_name
from complaint_tui.services.queue import QueueQuery, QueueService
from complaint_tui.store import db as db_module
from complaint_tui.store.models import AccessLog
from tests.conftest import DEFAULT_NOW
from tests.helpers_db import draft

HISTORY = re.compile(r"\b(timeline_events|reported_events|attachments)\b", re.IGNORECASE)
LOCK_WAIT_MS = 300


def short_lock_waits(engine) -> None:
    """Every new connection of ``engine`` gives up on a lock after LOCK_WAIT_MS."""

    @event.listens_for(engine, "connect")
    def _short(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        if engine.dialect.name == "sqlite":
            cur.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
        else:
            cur.execute(f"SET lock_timeout = '{LOCK_WAIT_MS}ms'")
        cur.close()
        if engine.dialect.name == "postgresql":
            dbapi_conn.commit()


@pytest.fixture
def quick(monkeypatch):
    """Every Database built from here on (also inside the CLI) waits briefly for locks."""
    real = db_module.make_engine

    def make_engine(url, **kw):
        engine = real(url, **kw)
        short_lock_waits(engine)
        return engine

    monkeypatch.setattr(db_module, "make_engine", make_engine)


def fresh_context(url: str) -> AppContext:
    """Another process's view of the database: its own engine, built after `quick`."""
    return AppContext.build(Settings(), url, FixedClock(DEFAULT_NOW))


class OpenWrite:
    """Another connection in the middle of a write transaction, until release()."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.active = True
        if parsed.get_backend_name() == "sqlite":
            self._conn = sqlite3.connect(parsed.database, isolation_level=None)
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("UPDATE cases SET updated_at = updated_at")
            self._engine = None
        else:
            self._engine = create_engine(url)
            self._conn = self._engine.connect()
            self._conn.execute(text("UPDATE cases SET updated_at = updated_at"))
            self._conn.execute(text("UPDATE alembic_version SET version_num = version_num"))

    def release(self) -> None:
        if self.active:
            self.active = False
            self._conn.rollback()
            self._conn.close()
            if self._engine is not None:
                self._engine.dispose()


@pytest.fixture
def open_write(db_url) -> Iterator[Callable[[], OpenWrite]]:
    started: list[OpenWrite] = []

    def start() -> OpenWrite:
        holder = OpenWrite(db_url)
        started.append(holder)
        return holder

    yield start
    for holder in started:
        holder.release()


@dataclass
class Tx:
    write: bool
    statements: list[str] = field(default_factory=list)


def record_transactions(engine) -> list[Tx]:
    """Every transaction committed on ``engine`` from now on, with the SQL it ran. On SQLite the
    first statement is the BEGIN that the engine's own "begin" listener emits (just before ours
    runs, so it is picked up from the statements seen outside a transaction)."""
    done: list[Tx] = []
    current: dict[int, Tx] = {}
    outside: dict[int, str] = {}

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        tx = Tx(write=conn.get_execution_options().get("ct_write", True))
        begin = outside.pop(id(conn), None)
        if begin is not None and begin.startswith("BEGIN"):
            tx.statements.append(begin)
        current[id(conn)] = tx

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn, _cursor, statement, *_args) -> None:
        statement = " ".join(statement.split())
        if id(conn) in current:
            current[id(conn)].statements.append(statement)
        else:
            outside[id(conn)] = statement

    @event.listens_for(engine, "commit")
    def _commit(conn) -> None:
        tx = current.pop(id(conn), None)
        if tx is not None:
            done.append(tx)

    @event.listens_for(engine, "rollback")
    def _rollback(conn) -> None:
        current.pop(id(conn), None)

    return done


def access_log(ctx: AppContext) -> list[tuple[str, str, str, bool]]:
    with ctx.db.session() as s:
        rows = s.scalars(select(AccessLog).order_by(AccessLog.id)).all()
    return [(r.actor, r.action, r.case_ref, r.allowed) for r in rows]


@pytest.fixture
def story(ctx, agents) -> tuple[str, int]:
    """A case with a few events and an attachment; returns its ref and the attachment's id."""
    desk = CaseDesk(ctx, agents["sue"])
    ref = desk.create(draft()).ref
    desk.start(ref, "Looking at the host.")
    desk.note(ref, "The firewall drops port 22.")
    detail = desk.attach(ref, AttachmentInput("log.txt", "text/plain", b"sshd: refused\n"))
    ctx.db.dispose()
    return ref, detail.attachments[0].id


# ---- reads do not wait for writers -----------------------------------------------------------
def test_reads_do_not_wait_for_an_open_write_transaction(db_url, story, quick, open_write):
    ref, _ = story
    open_write()
    other = fresh_context(db_url)
    try:
        other.check_schema()
        login_name(other)
        desk = CaseDesk(other, actor_named(other, "sue"))
        assert [r.ref for r in desk.list()] == [ref]
        assert desk.count() == 1
        queue = QueueService(desk)
        assert [r.ref for r in queue.first(QueueQuery(), 50).rows] == [ref]
        assert queue.counts(QueueQuery()).views
    finally:
        other.db.dispose()


@pytest.mark.parametrize("view", ["case", "attachment"])
def test_a_view_reads_while_another_writer_holds_the_lock(db_url, story, quick, open_write, view):
    """The view's reads run while the other transaction is still open; only then does the other
    writer commit, and the view's access-log row (a write) follows."""
    ref, attachment_id = story
    holder = open_write()
    other = fresh_context(db_url)
    read_while_held: list[str] = []

    @event.listens_for(other.db.engine, "before_cursor_execute")
    def _statement(_conn, _cursor, statement, *_args) -> None:
        if holder.active and re.search(r"\bFROM (timeline_events|attachments)\b", statement):
            read_while_held.append(statement)
            holder.release()

    try:
        desk = CaseDesk(other, actor_named(other, "sue"))
        if view == "case":
            assert desk.get(ref).timeline[-1].text.startswith("Attached log.txt")
        else:
            assert desk.attachment_data(ref, attachment_id)[1] == b"sshd: refused\n"
        assert read_while_held, "the view did not read the case while the other writer was open"
        action = {"case": "view", "attachment": "attachment"}[view]
        assert access_log(other)[-1] == ("sue", action, ref, True)
    finally:
        other.db.dispose()


def test_cli_case_list_does_not_wait_for_a_writer(tmp_path, quick):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    config = tmp_path / "config.toml"
    config.write_text("")
    env = {
        "COMPLAINT_TUI_DB": url,
        "COMPLAINT_TUI_CONFIG": str(config),
        "COMPLAINT_TUI_AGENT": "ada",
    }
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    assert (
        runner.invoke(cli, ["agent", "add", "sue", "--role", "supervisor"], env=env).exit_code == 0
    )
    env["COMPLAINT_TUI_AGENT"] = "sue"
    new = ["case", "new", "--customer", "c1", "--service", "VPS", "--channel", "email"]
    created = runner.invoke(cli, [*new, "--subject", "Down", "--description", "No SSH."], env=env)
    assert created.exit_code == 0, created.output
    holder = OpenWrite(url)
    try:
        result = runner.invoke(cli, ["case", "list"], env=env)
        assert result.exit_code == 0, result.stderr
        assert created.stdout.strip() in result.stdout
    finally:
        holder.release()


# ---- writes hold the lock only for what they change ------------------------------------------
WRITES = {
    "note": lambda desk, ref: desk.note(ref, "Rebooted the host."),
    "extend": lambda desk, ref: desk.extend(ref, 2, "Waiting for the vendor."),
    "attach": lambda desk, ref: desk.attach(ref, AttachmentInput("b.txt", "text/plain", b"x")),
    "create": lambda desk, ref: desk.create(draft(customer="another")),
    "take next": lambda desk, ref: desk.take_next(),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_reads_no_case_history_inside_its_transaction(ctx, agents, story, write):
    ref, _ = story
    desk = CaseDesk(ctx, agents["sue"])
    txs = record_transactions(ctx.db.engine)
    detail = WRITES[write](desk, ref)
    writes = [t for t in txs if t.write]
    assert len(writes) == 1, [t.statements for t in writes]
    statements = writes[0].statements
    if ctx.db.is_sqlite:
        assert statements[0] == "BEGIN IMMEDIATE", statements
    assert any(s.startswith("INSERT INTO timeline_events") for s in statements), statements
    reads_of_history = [s for s in statements if HISTORY.search(s) and not s.startswith("INSERT")]
    if ctx.db.is_sqlite:  # the lock is the whole database's
        assert reads_of_history == [], "the write transaction read the case's history"
    else:
        # PostgreSQL locks only the case's row, and under row-level security the writer may lose
        # sight of the case at commit (an agent's confidential intake, a recusal): the detail is
        # read in the write, after every change of it.
        last_change = max(i for i, s in enumerate(statements) if not s.startswith("SELECT"))
        assert all(i > last_change for i, s in enumerate(statements) if s in reads_of_history)
    # The caller still gets the whole case as it is after the change.
    assert detail.timeline[-1].actor == "sue"
    assert len(detail.timeline) == (1 if write == "create" else 6)


def test_a_case_view_holds_the_write_lock_only_for_its_access_log_row(ctx, agents, story):
    ref, _ = story
    desk = CaseDesk(ctx, agents["sue"])
    txs = record_transactions(ctx.db.engine)
    desk.get(ref)
    writes = [t for t in txs if t.write]
    assert len(writes) == 1
    body = writes[0].statements[1:] if ctx.db.is_sqlite else writes[0].statements
    assert body and all(s.startswith("INSERT INTO access_log") for s in body), body
    reads = [t for t in txs if not t.write]
    assert any("FROM timeline_events" in s for t in reads for s in t.statements)
    if ctx.db.is_sqlite:
        assert all(t.statements[0] == "BEGIN" for t in reads)


# ---- commands other than init create no database ---------------------------------------------
def _env(tmp_path: Path, url: str | None) -> dict[str, str | None]:
    config = tmp_path / "config.toml"
    config.write_text("")
    return {
        "COMPLAINT_TUI_DB": url,
        "COMPLAINT_TUI_CONFIG": str(config),
        "COMPLAINT_TUI_AGENT": "ada",
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }


def _one_line_refusal(result) -> str:
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr.strip()


@pytest.mark.parametrize(
    "args",
    [
        ["case", "list"],
        ["case", "show", "C-2026-00001"],
        ["case", "note", "C-2026-00001", "hello"],
        ["case", "take-next"],
        ["agent", "list"],
    ],
)
@pytest.mark.parametrize("folder_exists", [True, False], ids=["in-a-folder", "missing-folder"])
def test_commands_on_a_missing_database_create_nothing(tmp_path, args, folder_exists):
    folder = tmp_path / "data"
    if folder_exists:
        folder.mkdir()
    path = folder / "complaints.db"
    result = CliRunner().invoke(cli, args, env=_env(tmp_path, f"sqlite:///{path}"))
    line = _one_line_refusal(result)
    assert line == f"complaint-tui: No database at {path}; run `complaint-tui init`."
    assert (list(folder.iterdir()) == []) if folder_exists else not folder.exists()


def test_init_refuses_a_path_in_a_missing_folder(tmp_path):
    folder = tmp_path / "no" / "such" / "dir"
    env = _env(tmp_path, f"sqlite:///{folder / 'x.db'}")
    line = _one_line_refusal(CliRunner().invoke(cli, ["init"], env=env))
    assert str(folder) in line and "does not exist" in line, line
    assert not (tmp_path / "no").exists()


def test_init_creates_the_default_data_folder_on_first_run(tmp_path):
    env = _env(tmp_path, None)
    del env["COMPLAINT_TUI_DB"]
    runner = CliRunner()
    missing = runner.invoke(cli, ["case", "list"], env=env)
    assert "No database at" in _one_line_refusal(missing)
    assert not (tmp_path / "xdg").exists()
    result = runner.invoke(cli, ["init"], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    assert (tmp_path / "xdg" / "complaint-tui" / "complaints.db").is_file()
