"""The report screen's period picker: named periods as inclusive local dates (issue 10, item 3).

A report covers the cases *received* between two local dates of the calendar's time zone, both
included. The presets are counted from today's local date there, so a desk in Ho Chi Minh City
switches to a new week at its own Monday midnight, not UTC's:

- this week, last week: ISO weeks, Monday to Sunday; "this week" runs to today.
- this month, last month, this quarter (calendar quarters, Jan–Mar …); "this …" runs to today.
- the last 12 months: the twelve months that end today (from the day after the same date a year
  ago; 29 February counts from 1 March).
- custom: two dates typed by the user, the first not after the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from complaint_tui.domain.clock import FIRST_YEAR, LAST_YEAR, require_aware


class PeriodPreset(StrEnum):
    THIS_WEEK = "this-week"
    LAST_WEEK = "last-week"
    THIS_MONTH = "this-month"
    LAST_MONTH = "last-month"
    THIS_QUARTER = "this-quarter"
    LAST_12_MONTHS = "last-12-months"
    CUSTOM = "custom"

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    PeriodPreset.THIS_WEEK: "This week",
    PeriodPreset.LAST_WEEK: "Last week",
    PeriodPreset.THIS_MONTH: "This month",
    PeriodPreset.LAST_MONTH: "Last month",
    PeriodPreset.THIS_QUARTER: "This quarter",
    PeriodPreset.LAST_12_MONTHS: "Last 12 months",
    PeriodPreset.CUSTOM: "Custom",
}

PRESET_ORDER = tuple(PeriodPreset)


class PeriodError(ValueError):
    """A custom period that cannot be reported on; str() is one sentence."""


@dataclass(frozen=True)
class ReportPeriod:
    """Cases received from ``start`` to ``end``, both local dates included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        problem = period_problem(self.start, self.end)
        if problem is not None:
            raise PeriodError(problem)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        """Shown as 2026-11-01 – 2026-11-25, or as one date for a one-day period."""
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def period_problem(start: date, end: date) -> str | None:
    """Why two dates make no period (reversed, or outside the years instants may take)."""
    if start > end:
        return f"The period starts on {start.isoformat()}, after its end on {end.isoformat()}."
    for day in (start, end):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            return f"{day.isoformat()} is outside the years {FIRST_YEAR} to {LAST_YEAR}."
    return None


def local_today(now: datetime, tz: tzinfo) -> date:
    """Today's date where the desk is (the calendar's time zone), from an aware instant."""
    return require_aware(now).astimezone(tz).date()


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _months_back(day: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to that month's last day (31 Mar - 1 = 28 Feb)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def preset_period(preset: PeriodPreset, today: date) -> ReportPeriod:
    """The period a preset names, counted from ``today`` (a local date). CUSTOM has no dates of
    its own: use custom_period."""
    if preset is PeriodPreset.THIS_WEEK:
        return ReportPeriod(today - timedelta(days=today.weekday()), today)
    if preset is PeriodPreset.LAST_WEEK:
        monday = today - timedelta(days=today.weekday() + 7)
        return ReportPeriod(monday, monday + timedelta(days=6))
    if preset is PeriodPreset.THIS_MONTH:
        return ReportPeriod(_month_start(today), today)
    if preset is PeriodPreset.LAST_MONTH:
        end = _month_start(today) - timedelta(days=1)
        return ReportPeriod(_month_start(end), end)
    if preset is PeriodPreset.THIS_QUARTER:
        first_month = (today.month - 1) // 3 * 3 + 1
        return ReportPeriod(date(today.year, first_month, 1), today)
    if preset is PeriodPreset.LAST_12_MONTHS:
        return ReportPeriod(_months_back(today, 12) + timedelta(days=1), today)
    raise PeriodError("A custom period needs its two dates.")


def custom_period(start: date, end: date) -> ReportPeriod:
    return ReportPeriod(start, end)


def period_for(
    preset: PeriodPreset,
    now: datetime,
    tz: tzinfo,
    custom: tuple[date, date] | None = None,
) -> ReportPeriod:
    """The picker's choice as dates: a preset from ``now`` in the desk's time zone ``tz``, or the
    ``custom`` (start, end) dates."""
    if preset is PeriodPreset.CUSTOM:
        if custom is None:
            raise PeriodError("A custom period needs its two dates.")
        return custom_period(*custom)
    return preset_period(preset, local_today(now, tz))
