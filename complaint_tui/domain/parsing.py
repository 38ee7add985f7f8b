"""Typed instants, dates and dated events: one grammar for the CLI, the TUI and COMPLAINT_TUI_NOW.

A date is "YYYY-MM-DD" (a local date of the calendar's time zone). An instant is "YYYY-MM-DD HH:MM" in the calendar's time zone, or ISO 8601 with optional seconds
and an offset ("2026-11-24T09:15:30+07:00", "...Z"). An event line is "<instant> <what happened>".
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from complaint_tui.domain.intake import EventDate

INSTANT_FORMAT = (
    "use YYYY-MM-DD HH:MM (local time) or ISO 8601 with an offset, e.g. 2026-11-20T14:30+07:00"
)
DATE_FORMAT = "use YYYY-MM-DD, e.g. 2026-11-20"
EVENT_FORMAT = "start with the date and time, e.g. 2026-11-20 14:30 server rebooted"

_WHEN = (
    r"(\d{4}-\d{1,2}-\d{1,2})[ T](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)"
)
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_WHEN_ONLY = re.compile(rf"^{_WHEN}$", re.ASCII)
_EVENT = re.compile(rf"^{_WHEN}(?:\s+(.*))?$", re.ASCII | re.DOTALL)


class ParseError(ValueError):
    """Typed text that is not what was asked for; str() says what to type instead."""


def _instant(day: str, clock: str, tz: tzinfo, error: str) -> datetime:
    y, m, d = day.split("-")
    hour, rest = clock.split(":", 1)
    try:
        at = datetime.fromisoformat(
            f"{int(y):04d}-{int(m):02d}-{int(d):02d}T{int(hour):02d}:{rest}"
        )
    except ValueError:  # 2026-02-30, 25:00, an offset of +99:00
        raise ParseError(error) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=tz)


def parse_instant(text: str, tz: tzinfo) -> datetime:
    """A typed instant, aware; a time without an offset is read in ``tz``.

    Only the format is checked here; callers judge the instant with clock.instant_problem.
    """
    match = _WHEN_ONLY.match(text.strip())
    if match is None:
        raise ParseError(INSTANT_FORMAT)
    return _instant(match[1], match[2], tz, INSTANT_FORMAT)


def parse_date(text: str) -> date:
    """A typed date. Only the format is checked here; callers judge it with clock.day_problem."""
    match = _DATE.match(text.strip())
    if match is None:
        raise ParseError(DATE_FORMAT)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # 2026-02-30, month 13
        raise ParseError(DATE_FORMAT) from None


def parse_event(text: str, tz: tzinfo) -> EventDate:
    """ "YYYY-MM-DD HH:MM what happened" -> EventDate; the note may be empty (the intake rules
    ask for one, with their own sentence)."""
    match = _EVENT.match(text.strip())
    if match is None:
        raise ParseError(EVENT_FORMAT)
    return EventDate(_instant(match[1], match[2], tz, EVENT_FORMAT), (match[3] or "").strip())
