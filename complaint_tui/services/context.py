"""Everything a use case needs, built once per process: settings, database, clock, calendar."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from complaint_tui.domain.calendar import BusinessCalendar
from complaint_tui.domain.clock import Clock, SystemClock
from complaint_tui.domain.settings import Settings
from complaint_tui.domain.sla import Sla
from complaint_tui.services.errors import Unavailable
from complaint_tui.store.db import Database, SchemaError


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
        calendar = BusinessCalendar(settings.calendar)
        return cls(settings, db, clock or SystemClock(), calendar, Sla(calendar, settings.sla))

    def now(self):
        return self.clock.now()

    def init_schema(self) -> None:
        try:
            self.db.upgrade()
        except SchemaError as exc:
            raise Unavailable(str(exc)) from None
        except OperationalError as exc:
            raise Unavailable(f"Cannot reach the database: {_first_line(exc)}.") from None

    def check_schema(self) -> None:
        try:
            self.db.check_schema()
        except SchemaError as exc:
            raise Unavailable(str(exc)) from None
        except OperationalError as exc:
            raise Unavailable(f"Cannot reach the database: {_first_line(exc)}.") from None


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (
        str(orig).strip().splitlines()[0].rstrip(".") if str(orig).strip() else type(orig).__name__
    )
