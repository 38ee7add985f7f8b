"""The one source of "now". Everything that needs the time takes a Clock so tests can freeze it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A frozen clock that tests and snapshots can move by hand."""

    def __init__(self, instant: datetime) -> None:
        require_aware(instant)
        self._now = instant

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        require_aware(instant)
        self._now = instant

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta


# The instants a complaint desk can meet: the holiday tables end in 2100, and far outside this
# range the deadline arithmetic overflows (year 1 minus an offset, year 9999 plus five days).
FIRST_YEAR = 2000
LAST_YEAR = 2099


def instant_problem(at: datetime) -> str | None:
    """Why an instant cannot be taken (no time zone, or outside the accepted years); None if it
    can. The year is read as given, before any conversion, so nothing overflows on the way."""
    if at.tzinfo is None or at.utcoffset() is None:
        return "give a time zone offset, e.g. 2027-02-03T10:00+07:00"
    if not FIRST_YEAR <= at.year <= LAST_YEAR:
        shown = f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"
        return f"{shown} is outside the years {FIRST_YEAR} to {LAST_YEAR}"
    return None


def day_problem(day: date, today: date) -> str | None:
    """Why a date something happened on cannot be taken (before FIRST_YEAR, or after today, the
    local date of now); None if it can."""
    if day.year < FIRST_YEAR:
        return f"{day.isoformat()} is before {FIRST_YEAR}"
    if day > today:
        return f"{day.isoformat()} is in the future"
    return None


def require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    return instant
