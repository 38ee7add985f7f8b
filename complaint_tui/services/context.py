"""Everything a use case needs, built once per process: settings, database, clock, calendar."""

from __future__ import annotations

import importlib.metadata
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from complaint_tui.domain.calendar import BusinessCalendar
from complaint_tui.domain.clock import Clock, SystemClock
from complaint_tui.domain.settings import Settings
from complaint_tui.domain.sla import Sla
from complaint_tui.services.config import default_data_dir
from complaint_tui.services.errors import Conflict, PermissionDenied, Refused, Unavailable
from complaint_tui.store.db import Database, SchemaError


class HolidayFileStore:
    """Public holidays per country and year as small JSON files in the user cache folder, keyed
    by the holidays package's version so an upgrade recomputes them. Any failure to read or
    write simply means computing them again."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @classmethod
    def default(cls) -> HolidayFileStore:
        try:
            import platformdirs

            version = importlib.metadata.version("holidays")
            return cls(platformdirs.user_cache_path("complaint-tui") / "holidays" / version)
        except Exception:  # noqa: BLE001 - no cache is a slower start, not an error
            return cls(None)

    def _path(self, country: str, year: int) -> Path | None:
        if self.folder is None or not country.isalnum():
            return None
        return self.folder / f"{country}-{int(year)}.json"

    def load(self, country: str, year: int):
        path = self._path(country, year)
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path else None
            return (
                [date.fromisoformat(d) for d in data["holidays"]],
                [date.fromisoformat(d) for d in data["weekend_workdays"]],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, country: str, year: int, days, make_up) -> None:
        path = self._path(country, year)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            payload = {
                "holidays": sorted(d.isoformat() for d in days),
                "weekend_workdays": sorted(d.isoformat() for d in make_up),
            }
            tmp.write_text(json.dumps(payload), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock
    calendar: BusinessCalendar
    sla: Sla

    @classmethod
    def build(cls, settings: Settings, url: str, clock: Clock | None = None) -> AppContext:
        try:
            db = Database(url)
        except SchemaError as exc:
            raise Unavailable(str(exc)) from None
        except (ArgumentError, ValueError) as exc:  # unparsable, unknown driver, port not a number
            raise Unavailable(
                f"The database URL is not usable ({_first_line(exc)}); use sqlite:///PATH or "
                "postgresql+psycopg://USER@HOST/DATABASE."
            ) from None
        calendar = BusinessCalendar(settings.calendar, HolidayFileStore.default())
        return cls(settings, db, clock or SystemClock(), calendar, Sla(calendar, settings.sla))

    def now(self):
        return self.clock.now()

    def init_schema(self) -> None:
        """Create or upgrade the schema. A SQLite file may be created, but a missing folder
        only when it is the program's own data folder (the default database on first run)."""
        path = self.db.sqlite_path
        own_folder = path is not None and path.parent == default_data_dir()
        try:
            self.db.upgrade(create_folder=own_folder)
            self.fill_report_figures()
        except SchemaError as exc:
            raise Unavailable(str(exc)) from None
        except OperationalError as exc:
            raise Unavailable(f"Cannot reach the database: {_first_line(exc)}.") from None

    def fill_report_figures(self) -> int:
        """Business time to acknowledge and resolve, for cases from before the workflow kept it
        (migration 0011): needs the configured calendar, so it runs here, not in the migration."""
        from complaint_tui.store.access import is_trusted
        from complaint_tui.store.report_figures import fill_report_figures

        with self.db.engine.begin() as conn:
            if self.db.is_postgres and not is_trusted(conn):
                # Only the owner may write them; init refuses any other login right after.
                return 0
            return fill_report_figures(conn, self.calendar)

    def check_schema(self) -> None:
        try:
            self.db.check_schema()
        except SchemaError as exc:
            raise Unavailable(str(exc)) from None
        except OperationalError as exc:
            if NO_CONNECT in str(exc):
                # A login the desk does not let in (on a server where only the desk's groups
                # may connect): it has no session to log anything with; PostgreSQL's own log
                # has the refused connection.
                raise PermissionDenied(
                    "Your database login may not connect to this complaint desk (it is no "
                    "active agent here); ask an admin to add you with `complaint-tui agent add`."
                ) from None
            raise Unavailable(f"Cannot reach the database: {_first_line(exc)}.") from None
        except DBAPIError as exc:
            if sqlstate(exc) != INSUFFICIENT_PRIVILEGE:
                raise
            # A login that is in none of the desk's groups (never added, or deactivated), on a
            # server that lets it connect: its refusal is logged in its own name.
            from complaint_tui.services.audit import record_refusal
            from complaint_tui.services.identity import LOGIN

            refusal = PermissionDenied(
                f"Your database login has no access to this complaint desk ({_first_line(exc)}); "
                "ask an admin to add you with `complaint-tui agent add`."
            )
            raise record_refusal(self, self.database_login(), LOGIN, None, refusal) from None

    def database_login(self) -> str:
        """PostgreSQL: the role this session logged in as (who the database says you are)."""
        with self.db.engine.connect() as conn:
            return conn.execute(text("SELECT current_user")).scalar_one()


INSUFFICIENT_PRIVILEGE = "42501"
# What PostgreSQL answers a login without CONNECT on the database (no SQLSTATE reaches the client).
NO_CONNECT = "permission denied for database"
# What the database's own rules raise (store/access.py, the access_control migration) besides a permission:
# a name PostgreSQL cannot take, a reserved name, no such agent.
_DB_REFUSALS = {"42602", "42939", "P0002"}
# A rule about the data the database keeps even against concurrent transactions, raised as a
# check_violation naming the rule as its constraint; its message is the whole sentence.
CHECK_VIOLATION = "23514"
_DB_RULES = {"ct_assignee_active"}  # a case's assignee is an active agent (migration 0016)
# Two transactions that each waited for the other (deadlock_detected; serialization_failure):
# PostgreSQL cancels one, which changed nothing and may simply be tried again. E.g. a case of a
# departing agent assigned to their successor while the handover to that successor runs.
_CONCURRENT = {"40P01", "40001"}
CONCURRENT_CHANGE = "Someone else changed this at the same moment; nothing was saved, try again."


def sqlstate(exc: DBAPIError) -> str | None:
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


def _constraint(exc: DBAPIError) -> str | None:
    """The constraint a PostgreSQL error names (psycopg's diagnostics), if any."""
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    return getattr(diag, "constraint_name", None)


def refusal_from_db(exc: DBAPIError) -> Refused | None:
    """The database refusing a statement under its access rules, as one sentence (a permission
    refusal on PostgreSQL: row-level security, grants, the audit triggers), or under one of its
    data rules (_DB_RULES), in that rule's own sentence, or a transaction it cancelled because
    another one held what it needed (_CONCURRENT); None otherwise."""
    state = sqlstate(exc)
    if state in _CONCURRENT:
        return Conflict(CONCURRENT_CHANGE)
    if state == CHECK_VIOLATION and _constraint(exc) in _DB_RULES:
        return Refused(f"{_first_line(exc)}.")
    if state == INSUFFICIENT_PRIVILEGE:
        return PermissionDenied(f"The database refused this: {_first_line(exc)}.")
    if state in _DB_REFUSALS:
        return Refused(f"The database refused this: {_first_line(exc)}.")
    return None


@contextmanager
def db_refusals() -> Iterator[None]:
    """Turn the database refusing a statement under its access rules into that refusal."""
    try:
        yield
    except DBAPIError as exc:
        refusal = refusal_from_db(exc)
        if refusal is None:
            raise
        raise refusal from None


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (
        str(orig).strip().splitlines()[0].rstrip(".") if str(orig).strip() else type(orig).__name__
    )
