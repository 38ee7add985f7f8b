"""Typed instants and event lines: one parser (domain.parsing) for the CLI, the TUI and the clock,
and one accepted range of instants (domain.clock.instant_problem)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from complaint_tui.domain.clock import instant_problem
from complaint_tui.domain.intake import EventDate, event_problem
from complaint_tui.domain.parsing import ParseError, parse_event, parse_instant

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=VN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24 09:15", datetime(2026, 11, 24, 9, 15, tzinfo=VN)),
        ("2026-11-24T09:15", datetime(2026, 11, 24, 9, 15, tzinfo=VN)),
        ("  2026-11-24 09:15 ", datetime(2026, 11, 24, 9, 15, tzinfo=VN)),
        ("2026-11-24 9:05:30", datetime(2026, 11, 24, 9, 5, 30, tzinfo=VN)),
        ("2026-1-4 09:15", datetime(2026, 1, 4, 9, 15, tzinfo=VN)),
        ("2026-11-24T02:15Z", datetime(2026, 11, 24, 9, 15, tzinfo=VN)),
        ("2026-11-24T09:15+07:00", datetime(2026, 11, 24, 9, 15, tzinfo=VN)),
        ("2026-11-24T03:15+01:00", datetime(2026, 11, 24, 9, 15, tzinfo=VN)),
        ("2026-11-24T09:15:00.5+0700", datetime(2026, 11, 24, 9, 15, 0, 500000, tzinfo=VN)),
        ("2027-04-28T20:00:00+00:00", datetime(2027, 4, 29, 3, 0, tzinfo=VN)),
    ],
)
def test_parse_instant(text, expected):
    parsed = parse_instant(text, VN)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_a_time_without_offset_is_read_in_the_given_zone():
    assert parse_instant("2026-11-24 09:15", UTC) == datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
    assert parse_instant("2026-11-24 09:15", None).tzinfo is None  # the caller asks for a zone


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2026-11-24",  # a day is not an instant
        "24/11/2026 09:15",
        "2026-11-24 25:00",
        "2026-11-31 10:00",
        "2026-02-30 09:00",
        "2026-11-24T09:15+99:00",
        "now",
        "yesterday",
        "2026-11-24 09:15 SSH refused",  # an event line is not an instant
        "２０２６-11-24 09:15",  # full-width digits
        "2026-11-24 09:15\x00",
    ],
)
def test_parse_instant_refuses_with_one_clause(text):
    with pytest.raises(ParseError) as info:
        parse_instant(text, VN)
    message = str(info.value)
    assert message.startswith("use YYYY-MM-DD HH:MM") and "\n" not in message


def test_parse_event_reads_the_time_then_the_note():
    """The CLI used to split at the first space: the event landed at 00:00, its note "09:15 ..."."""
    event = parse_event("2026-11-24 09:15 SSH refused", VN)
    assert event == EventDate(datetime(2026, 11, 24, 9, 15, tzinfo=VN), "SSH refused")
    event = parse_event("2026-11-24 09:15  disk full\nagain ", VN)
    assert event.note == "disk full\nagain"
    assert parse_event("2026-11-24T09:15+07:00 x", VN).note == "x"
    assert parse_event("2026-11-24T09:15:30Z x", VN).at == datetime(
        2026, 11, 24, 16, 15, 30, tzinfo=VN
    )
    assert parse_event("2026-11-24 09:15", VN).note == ""  # the intake rules ask for a note


@pytest.mark.parametrize(
    "text", ["2026-11-24 disk full", "last week: it broke", "", "2026-02-30 09:00 no such day"]
)
def test_parse_event_refuses(text):
    with pytest.raises(ParseError) as info:
        parse_event(text, VN)
    assert str(info.value).startswith("start with the date and time")


# ---- the accepted range ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "at",
    [
        datetime(2000, 1, 1, 0, 0, tzinfo=VN),
        datetime(2099, 12, 31, 23, 59, tzinfo=VN),
        datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
    ],
)
def test_instants_in_range(at):
    assert instant_problem(at) is None


@pytest.mark.parametrize(
    ("at", "words"),
    [
        (datetime(1, 1, 1, 0, 0, tzinfo=VN), "0001-01-01 00:00 is outside the years 2000 to 2099"),
        (datetime(1999, 12, 31, 23, 59, tzinfo=VN), "1999-12-31 23:59 is outside"),
        (datetime(2100, 1, 1, tzinfo=UTC), "2100-01-01 00:00 is outside"),
        (datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-7))), "9999-12-31"),
        (datetime(2026, 11, 24, 9, 15), "time zone offset"),
    ],
)
def test_instants_out_of_range_are_named(at, words):
    problem = instant_problem(at)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (EventDate(datetime(1, 1, 1, tzinfo=VN), "x"), "events: 0001-01-01 00:00 is outside"),
        (EventDate(datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "x"), "is outside"),
        (EventDate(datetime(2026, 11, 24, 9), "x"), "events: give a time zone offset"),
        (
            EventDate(NOW + timedelta(minutes=1), "x"),
            "events: Wed 2026-11-25 10:01 is in the future.",
        ),
        (EventDate(NOW - timedelta(minutes=1), "  "), "events: after the time, say what happened."),
    ],
)
def test_event_problems(event, words):
    problem = event_problem(event, NOW)
    assert problem is not None and words in problem
    assert problem.endswith(".") and "\n" not in problem


def test_a_good_event_has_no_problem():
    assert event_problem(EventDate(NOW, "SSH refused"), NOW) is None
