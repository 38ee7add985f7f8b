"""The one source of "now". Everything that needs the time takes a Clock so tests can freeze it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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


def require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    return instant
