"""The business calendar: business days, business hours and business time.

Rules (SPEC §3, checked to the second by the tests):
- A date is a business day iff it is in ``extra_workdays``, or it is not in ``extra_holidays``,
  not a public holiday, and is either a configured workday or one of the holiday package's
  substituted weekend working days.
- "Due in N business days" from instant t is the close of business of the Nth business day
  strictly after t's local date.
- Business time between two instants counts only business hours on business days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from complaint_tui.domain.clock import require_aware

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Guards against a configuration with no business day at all looping forever.
_MAX_SEARCH_DAYS = 3660


@dataclass(frozen=True)
class CalendarRules:
    timezone: str = "Asia/Ho_Chi_Minh"
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    opens: time = time(8, 0)
    closes: time = time(17, 0)
    holiday_country: str | None = "VN"
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise ValueError("business hours must close after they open")
        ZoneInfo(self.timezone)  # raises for an unknown zone


class YearStore(Protocol):
    """Somewhere to keep a year's public holidays between runs: computing them from the
    holidays package costs a fifth of a second at start-up."""

    def load(self, country: str, year: int) -> tuple[Iterable[date], Iterable[date]] | None: ...

    def save(
        self, country: str, year: int, days: frozenset[date], make_up: frozenset[date]
    ) -> None: ...


class BusinessCalendar:
    def __init__(
        self, rules: CalendarRules | None = None, year_store: YearStore | None = None
    ) -> None:
        self.rules = rules or CalendarRules()
        self.year_store = year_store
        self.tz = ZoneInfo(self.rules.timezone)
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        # Per-instance cache; lru_cache on a bound method would pin every calendar forever.
        self.is_business_day = lru_cache(maxsize=8192)(self._is_business_day)  # type: ignore[method-assign]

    # -- days -------------------------------------------------------------------------------
    def _public(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        """Public holidays and substituted weekend working days of one year."""
        cached = self._years.get(year)
        if cached is None:
            country = self.rules.holiday_country
            stored = self.year_store.load(country, year) if country and self.year_store else None
            if stored is not None:
                days, make_up = frozenset(stored[0]), frozenset(stored[1])
            elif country:
                import holidays as holidays_pkg  # heavy: loaded when a year is first needed

                h = holidays_pkg.country_holidays(country, years=year)
                days = frozenset(d for d in h if d.year == year)
                make_up = frozenset(d for d in getattr(h, "weekend_workdays", ()) if d.year == year)
                if self.year_store is not None:
                    self.year_store.save(country, year, days, make_up)
            else:
                days, make_up = frozenset(), frozenset()
            cached = (days, make_up)
            self._years[year] = cached
        return cached

    def is_public_holiday(self, day: date) -> bool:
        return day in self._public(day.year)[0]

    def holiday_name(self, day: date) -> str | None:
        if day in self.rules.extra_holidays:
            return "Company holiday"
        if not self.rules.holiday_country or not self.is_public_holiday(day):
            return None
        import holidays as holidays_pkg

        h = holidays_pkg.country_holidays(self.rules.holiday_country, years=day.year)
        return h.get(day)

    def _is_business_day(self, day: date) -> bool:
        if day in self.rules.extra_workdays:
            return True
        if day in self.rules.extra_holidays:
            return False
        public, make_up = self._public(day.year)
        if day in public:
            return False
        return day.weekday() in self.rules.workdays or day in make_up

    def nth_business_day_after(self, day: date, n: int) -> date:
        """The Nth business day strictly after ``day`` (n >= 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        found = 0
        current = day
        for _ in range(_MAX_SEARCH_DAYS * max(1, n)):
            current += timedelta(days=1)
            if self.is_business_day(current):
                found += 1
                if found == n:
                    return current
        raise ValueError("the calendar has no business days in reach")

    def business_days(self, start: date, end: date) -> Iterable[date]:
        current = start
        while current <= end:
            if self.is_business_day(current):
                yield current
            current += timedelta(days=1)

    # -- instants ---------------------------------------------------------------------------
    def local(self, instant: datetime) -> datetime:
        return require_aware(instant).astimezone(self.tz)

    def day_start(self, day: date) -> datetime:
        """The instant a local date begins, in the calendar's zone (a period of local dates runs
        from the first one's start to the start of the day after the last)."""
        return datetime.combine(day, time(0), self.tz)

    def opening(self, day: date) -> datetime:
        return datetime.combine(day, self.rules.opens, self.tz).astimezone(UTC)

    def closing(self, day: date) -> datetime:
        return datetime.combine(day, self.rules.closes, self.tz).astimezone(UTC)

    @property
    def business_day_length(self) -> timedelta:
        o, c = self.rules.opens, self.rules.closes
        return timedelta(
            hours=c.hour - o.hour, minutes=c.minute - o.minute, seconds=c.second - o.second
        )

    def due_in_business_days(self, start: datetime, n: int) -> datetime:
        """Close of business of the Nth business day strictly after ``start``'s local date."""
        day = self.nth_business_day_after(self.local(start).date(), n)
        return self.closing(day)

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end``; negative when ``end`` is earlier."""
        require_aware(start)
        require_aware(end)
        if end < start:
            return -self.business_time_between(end, start)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = timedelta()
        day = self.local(start).date()
        last = self.local(end).date()
        while day <= last:
            if self.is_business_day(day):
                lo = max(start, self.opening(day))
                hi = min(end, self.closing(day))
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant at which ``amount`` of business time has passed since ``start``.

        Ends exactly at a closing time rather than the next opening when the amount runs out
        at close of business, so a resumed clock lands where the original one would have: the
        result is always the earliest instant with ``amount`` of business time since ``start``
        (``start`` itself for a zero amount, even outside business hours).
        """
        require_aware(start)
        if amount < timedelta():
            raise ValueError("amount must not be negative")
        start = start.astimezone(UTC)
        if not amount:
            return start
        remaining = amount
        day = self.local(start).date()
        for _ in range(_MAX_SEARCH_DAYS * 10):
            if self.is_business_day(day):
                lo = max(start, self.opening(day))
                hi = self.closing(day)
                if hi > lo:
                    span = hi - lo
                    if remaining <= span:
                        return lo + remaining
                    remaining -= span
            day += timedelta(days=1)
        raise ValueError("the calendar has no business days in reach")
