"""The database handle: engine set-up per dialect, transactions, migrations and the schema check."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

# The Alembic scripts shipped in the package. Alembic loads them by file name, which works because
# a pip-installed package is always a real folder.
MIGRATIONS = resources.files(__package__).joinpath("migrations")
# The migration revisions in order; tests assert this matches Alembic's script directory, so the
# start-up check need not import Alembic (over a second on a small machine).
KNOWN_REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
    "0014",
    "0015",
    "0016",
    "0017",
    "0018",
    "0019",
    "0020",
)
SCHEMA_HEAD = KNOWN_REVISIONS[-1]
# How long a SQLite writer queues for the file's write lock before giving up.
BUSY_TIMEOUT_S = 30.0
# The session setting the case_history trigger reads (the access_control migration).
CLIENT_SETTING = "complaint_tui.client"


NEWER_SCHEMA = (
    "The database schema is newer than this program; upgrade complaint-tui before using it."
)
POSTGRESQL_NOT_INSTALLED = (
    "PostgreSQL support is not installed; install it with "
    "`pip install 'complaint-tui[postgresql]'`."
)


class SchemaError(RuntimeError):
    """The database schema is missing, older or newer than this program."""


class Database:
    """One engine and the rules for opening transactions on it.

    SQLite runs in WAL mode, with one write lock for the whole file. A write transaction
    (``session(write=True)``, and any connection not marked as a read) starts with BEGIN
    IMMEDIATE, so two writers queue for the lock up front (busy timeout) instead of failing
    half-way with "database is locked". A read (``session()``, ``read_connection()``) starts with
    a deferred BEGIN and reads a snapshot: it never waits for a writer, and a writer never waits
    for it. PostgreSQL's reads never wait for writers either (MVCC); its writers lock the rows
    they change.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.dialect = self.engine.dialect.name
        self.sqlite_path = sqlite_file(url)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        with self.engine.connect() as conn:
            conn.execution_options(ct_write=write)
            with Session(bind=conn, expire_on_commit=False, autoflush=False) as session:
                with session.begin():
                    yield session

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A Core connection whose transactions are reads (a deferred BEGIN on SQLite)."""
        with self.engine.connect() as conn:
            conn.execution_options(ct_write=False)
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()

    def _file_missing(self) -> bool:
        # Checked before connecting: SQLite would create the file on the first connection.
        return self.sqlite_path is not None and not self.sqlite_path.exists()

    # -- schema -------------------------------------------------------------------------------
    def upgrade(self, *, create_folder: bool = False) -> None:
        """Create or upgrade the schema to the newest migration; never touch a newer one.

        A SQLite file is created if missing, but its folder only when ``create_folder`` is set
        (the program's own data folder): a mistyped path should not leave folders behind. Both
        are created private (create_sqlite_file).
        """
        from alembic import command
        from alembic.script import ScriptDirectory

        if self.sqlite_path is not None:
            create_sqlite_file(self.sqlite_path, create_folder=create_folder)
        current = self.current_revision()
        script = ScriptDirectory(str(MIGRATIONS))
        if current is not None and current not in {r.revision for r in script.walk_revisions()}:
            raise SchemaError(NEWER_SCHEMA)
        with self.engine.begin() as conn:
            cfg = alembic_config(conn)
            command.upgrade(cfg, "head")

    def current_revision(self) -> str | None:
        if self._file_missing():
            return None
        with self.read_connection() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def check_schema(self) -> None:
        """Refuse to work on a database this program does not know how to read."""
        if self._file_missing():
            raise SchemaError(f"No database at {self.sqlite_path}; run `complaint-tui init`.")
        current = self.current_revision()
        if current == SCHEMA_HEAD:
            return
        if current is None:
            raise SchemaError(
                "The database has no complaint-tui schema yet; run `complaint-tui init`."
            )
        if current in KNOWN_REVISIONS:
            raise SchemaError(
                "The database schema is older than this program; run `complaint-tui init` to upgrade it."
            )
        raise SchemaError(NEWER_SCHEMA)


PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700


def create_sqlite_file(path: Path, *, create_folder: bool) -> None:
    """Create a missing SQLite file readable and writable by its owner alone (0600), and, if
    ``create_folder`` allows, its missing folder (0700), whatever the umask: the file holds every
    complaint, and on a shared host other accounts must not read it. SQLite gives the -wal and
    -shm files it makes next to it the database file's permissions. Existing files and folders
    are left as they are (an admin may have shared them with a group on purpose)."""
    folder = path.parent
    if not folder.is_dir():
        if not create_folder:
            raise SchemaError(
                f"The folder {folder} does not exist; create it first or choose a database "
                "path in an existing folder."
            )
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            try:
                folder.mkdir(mode=PRIVATE_FOLDER)
                folder.chmod(PRIVATE_FOLDER)  # mkdir's mode is narrowed by the umask
            except FileExistsError:  # made by a concurrent first run: theirs is as private
                pass
        except OSError as exc:
            raise SchemaError(f"Cannot create the folder {folder}: {exc.strerror}.") from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE)
    except FileExistsError:
        return
    except OSError as exc:
        raise SchemaError(f"Cannot create the database file {path}: {exc.strerror}.") from None
    try:
        os.fchmod(fd, PRIVATE_FILE)  # the umask may have narrowed it (0400 would not do)
    finally:
        os.close(fd)


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, as SQLite will open it; None for PostgreSQL, in-memory
    databases and SQLite URI filenames (whose options decide themselves whether to create)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database
    if not name or name == ":memory:" or name.startswith("file:") or "uri" in parsed.query:
        return None
    return Path(name)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine that connects lazily: building one creates no file and no folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            # Take transaction control from the driver so BEGIN IMMEDIATE is ours to emit.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:
            # Unmarked connections count as writes: a write under a deferred BEGIN could fail
            # half-way when another writer got the lock first; a read marked as a write only waits.
            write = conn.get_execution_options().get("ct_write", True)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        try:
            engine = create_engine(url, echo=echo, pool_pre_ping=True)
        except ImportError:  # the driver is the optional extra complaint-tui[postgresql]
            raise SchemaError(POSTGRESQL_NOT_INSTALLED) from None

        @event.listens_for(engine, "connect")
        def _pg_connect(dbapi_conn, _record) -> None:
            # case_history marks changes from sessions that say they are this program (a claim
            # any client can make: only "not via the app" is certain; see models.CaseHistory).
            dbapi_conn.execute(f"SET {CLIENT_SETTING} = 'complaint-tui'")
            dbapi_conn.commit()

        return engine
    raise SchemaError(
        f"Unsupported database URL scheme {parsed.drivername!r}; use sqlite or postgresql."
    )
