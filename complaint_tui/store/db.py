"""The database handle: engine set-up per dialect, transactions, migrations and the schema check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).with_name("migrations")
# The migration revisions in order; tests assert this matches Alembic's script directory, so the
# start-up check need not import Alembic (over a second on a small machine).
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004")
SCHEMA_HEAD = KNOWN_REVISIONS[-1]
# The session setting the case_history trigger reads (the access_control migration).
CLIENT_SETTING = "complaint_tui.client"


NEWER_SCHEMA = (
    "The database schema is newer than this program; upgrade complaint-tui before using it."
)


class SchemaError(RuntimeError):
    """The database schema is missing, older or newer than this program."""


class Database:
    """One engine and the rules for opening transactions on it.

    On SQLite every write transaction starts with BEGIN IMMEDIATE, so two local processes queue
    for the write lock up front (busy timeout) instead of failing half-way with "database is
    locked"; reads use a deferred BEGIN and see a WAL snapshot.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.dialect = self.engine.dialect.name

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

    def dispose(self) -> None:
        self.engine.dispose()

    # -- schema -------------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Create or upgrade the schema to the newest migration; never touch a newer one."""
        from alembic import command
        from alembic.script import ScriptDirectory

        current = self.current_revision()
        script = ScriptDirectory(str(MIGRATIONS))
        if current is not None and current not in {r.revision for r in script.walk_revisions()}:
            raise SchemaError(NEWER_SCHEMA)
        with self.engine.begin() as conn:
            cfg = alembic_config(conn)
            command.upgrade(cfg, "head")

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def check_schema(self) -> None:
        """Refuse to work on a database this program does not know how to read."""
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


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def make_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            # Take transaction control from the driver so BEGIN IMMEDIATE is ours to emit.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:
            write = conn.get_execution_options().get("ct_write", True)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        engine = create_engine(url, echo=echo, pool_pre_ping=True)

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


def ping(db: Database) -> None:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
