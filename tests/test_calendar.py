"""The business calendar, checked to the second against SPEC §3 "Business calendar".

Every expected value below was worked out by hand from the Vietnamese calendar (holidays of the
`holidays` package for VN, Mon-Fri workdays, 08:00-17:00 in Asia/Ho_Chi_Minh), not copied from
the implementation. Reference dates:

2026: Tết Mon 16 - Fri 20 Feb; Hùng Kings Sun 26 Apr, observed Mon 27 Apr; Thu 30 Apr, Fri 1 May;
      make-up working Saturday 22 Aug, its day off Mon 31 Aug; National Day Tue 1 - Wed 2 Sep;
      Vietnam Cultural Day Tue 24 Nov.
2027: Tết Thu 4 - Wed 10 Feb; Fri 30 Apr; Sat 1 May, observed Mon 3 May.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import pytest

from complaint_tui.domain.calendar import BusinessCalendar, CalendarRules

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    """A local instant in Ho Chi Minh City."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN)


def hms(h: int = 0, m: int = 0, s: int = 0) -> timedelta:
    return timedelta(hours=h, minutes=m, seconds=s)


CAL = BusinessCalendar()


# -- business days ---------------------------------------------------------------------------

BUSINESS_DAYS = [
    ("plain-wednesday", CalendarRules(), date(2026, 11, 25), True),
    ("saturday", CalendarRules(), date(2026, 11, 28), False),
    ("sunday", CalendarRules(), date(2026, 11, 29), False),
    ("new-year-2026", CalendarRules(), date(2026, 1, 1), False),
    ("tet-2026-mon", CalendarRules(), date(2026, 2, 16), False),
    ("tet-2026-fri", CalendarRules(), date(2026, 2, 20), False),
    ("after-tet-2026", CalendarRules(), date(2026, 2, 23), True),
    ("hung-kings-observed-2026", CalendarRules(), date(2026, 4, 27), False),
    ("reunification-2026", CalendarRules(), date(2026, 4, 30), False),
    ("labour-day-2026", CalendarRules(), date(2026, 5, 1), False),
    ("after-labour-day-2026", CalendarRules(), date(2026, 5, 4), True),
    ("make-up-saturday-2026-08-22", CalendarRules(), date(2026, 8, 22), True),
    ("next-saturday-is-weekend", CalendarRules(), date(2026, 8, 29), False),
    ("substituted-day-off-2026-08-31", CalendarRules(), date(2026, 8, 31), False),
    ("national-day-2026-09-01", CalendarRules(), date(2026, 9, 1), False),
    ("national-day-2026-09-02", CalendarRules(), date(2026, 9, 2), False),
    ("after-national-day-2026", CalendarRules(), date(2026, 9, 3), True),
    ("cultural-day-2026", CalendarRules(), date(2026, 11, 24), False),
    ("tet-2027-first", CalendarRules(), date(2027, 2, 4), False),
    ("tet-2027-last", CalendarRules(), date(2027, 2, 10), False),
    ("after-tet-2027", CalendarRules(), date(2027, 2, 11), True),
    ("reunification-2027", CalendarRules(), date(2027, 4, 30), False),
    ("labour-day-observed-2027-05-03", CalendarRules(), date(2027, 5, 3), False),
    ("after-labour-day-2027", CalendarRules(), date(2027, 5, 4), True),
    (
        "extra-workday-saturday",
        CalendarRules(extra_workdays=frozenset({date(2026, 11, 28)})),
        date(2026, 11, 28),
        True,
    ),
    (
        "extra-workday-overrides-public-holiday",
        CalendarRules(extra_workdays=frozenset({date(2027, 2, 4)})),
        date(2027, 2, 4),
        True,
    ),
    (
        "extra-holiday-weekday",
        CalendarRules(extra_holidays=frozenset({date(2026, 11, 26)})),
        date(2026, 11, 26),
        False,
    ),
    (
        "extra-holiday-cancels-make-up-saturday",
        CalendarRules(extra_holidays=frozenset({date(2026, 8, 22)})),
        date(2026, 8, 22),
        False,
    ),
    (
        "extra-workday-wins-over-extra-holiday",
        CalendarRules(
            extra_workdays=frozenset({date(2026, 11, 26)}),
            extra_holidays=frozenset({date(2026, 11, 26)}),
        ),
        date(2026, 11, 26),
        True,
    ),
    ("no-country-holiday-is-workday", CalendarRules(holiday_country=None), date(2026, 4, 30), True),
    ("no-country-no-make-up", CalendarRules(holiday_country=None), date(2026, 8, 22), False),
    (
        "six-day-week-saturday",
        CalendarRules(workdays=frozenset({0, 1, 2, 3, 4, 5})),
        date(2026, 11, 28),
        True,
    ),
    (
        "six-day-week-still-skips-holiday",
        CalendarRules(workdays=frozenset({0, 1, 2, 3, 4, 5})),
        date(2027, 5, 1),
        False,
    ),
]


@pytest.mark.parametrize(
    ("rules", "day", "expected"),
    [case[1:] for case in BUSINESS_DAYS],
    ids=[case[0] for case in BUSINESS_DAYS],
)
def test_is_business_day(rules: CalendarRules, day: date, expected: bool) -> None:
    assert BusinessCalendar(rules).is_business_day(day) is expected


def _spec_business_day(day: date, public: holidays.HolidayBase, make_up: set[date]) -> bool:
    """SPEC §3 restated, for the default rules (no extra days)."""
    return day not in public and (day.weekday() < 5 or day in make_up)


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028])
def test_every_day_of_the_year_follows_the_spec_rule(year: int) -> None:
    public = holidays.country_holidays("VN", years=year)
    make_up = set(public.weekend_workdays)
    day = date(year, 1, 1)
    while day.year == year:
        assert CAL.is_business_day(day) is _spec_business_day(day, public, make_up), day
        day += timedelta(days=1)


def test_business_days_in_2026_counted_by_hand() -> None:
    # 261 Mon-Fri days in 2026 (it starts on a Thursday); weekday holidays: 1 Jan, 16-20 Feb (5),
    # 27 Apr, 30 Apr, 1 May, 31 Aug, 1-2 Sep (2), 24 Nov = 13; plus the make-up Saturday 22 Aug.
    assert len(list(CAL.business_days(date(2026, 1, 1), date(2026, 12, 31)))) == 261 - 13 + 1


def test_holiday_names() -> None:
    cal = BusinessCalendar(CalendarRules(extra_holidays=frozenset({date(2026, 12, 24)})))
    assert cal.holiday_name(date(2026, 12, 24)) == "Company holiday"
    assert cal.holiday_name(date(2026, 9, 2)) == "National Day"
    assert cal.holiday_name(date(2026, 11, 25)) is None


# -- nth business day / due in N business days -----------------------------------------------

NTH = [
    ("wed-plus-1", date(2026, 11, 25), 1, date(2026, 11, 26)),
    ("fri-plus-1-skips-weekend", date(2026, 11, 27), 1, date(2026, 11, 30)),
    ("sat-plus-1", date(2026, 11, 28), 1, date(2026, 11, 30)),
    ("mon-before-cultural-day", date(2026, 11, 23), 1, date(2026, 11, 25)),
    ("tet-2027", date(2027, 2, 3), 1, date(2027, 2, 11)),
    ("tet-2027-plus-5", date(2027, 2, 3), 5, date(2027, 2, 17)),
    ("from-a-holiday", date(2027, 2, 5), 1, date(2027, 2, 11)),
]


@pytest.mark.parametrize(("day", "n", "expected"), [c[1:] for c in NTH], ids=[c[0] for c in NTH])
def test_nth_business_day_after(day: date, n: int, expected: date) -> None:
    assert CAL.nth_business_day_after(day, n) == expected


def test_nth_business_day_needs_positive_n() -> None:
    with pytest.raises(ValueError):
        CAL.nth_business_day_after(date(2026, 11, 25), 0)


DUE = [
    # receipt on a plain weekday
    ("weekday-n1", CalendarRules(), at(2026, 11, 25, 10), 1, at(2026, 11, 26, 17)),
    ("weekday-n5", CalendarRules(), at(2026, 11, 25, 10), 5, at(2026, 12, 2, 17)),
    ("weekday-before-opening", CalendarRules(), at(2026, 11, 25, 6, 30), 1, at(2026, 11, 26, 17)),
    ("weekday-last-second", CalendarRules(), at(2026, 11, 25, 23, 59, 59), 1, at(2026, 11, 26, 17)),
    # the local date counts, not the UTC date: 06:30 Thursday local is 23:30 Wednesday UTC
    (
        "utc-previous-day",
        CalendarRules(),
        datetime(2026, 11, 25, 23, 30, tzinfo=UTC),
        1,
        at(2026, 11, 27, 17),
    ),
    ("day-before-cultural-day", CalendarRules(), at(2026, 11, 23, 10), 1, at(2026, 11, 25, 17)),
    # Friday evening receipt
    ("friday-evening-n1", CalendarRules(), at(2026, 11, 27, 20), 1, at(2026, 11, 30, 17)),
    ("friday-evening-n5", CalendarRules(), at(2026, 11, 27, 20), 5, at(2026, 12, 4, 17)),
    ("friday-afternoon-n1", CalendarRules(), at(2026, 11, 27, 16, 59, 59), 1, at(2026, 11, 30, 17)),
    # Sunday receipt
    ("sunday-n1", CalendarRules(), at(2026, 11, 29, 11), 1, at(2026, 11, 30, 17)),
    ("sunday-n5", CalendarRules(), at(2026, 11, 29, 11), 5, at(2026, 12, 4, 17)),
    # Tết
    ("tet-2027-n1", CalendarRules(), at(2027, 2, 3, 10), 1, at(2027, 2, 11, 17)),
    ("tet-2027-n2", CalendarRules(), at(2027, 2, 3, 10), 2, at(2027, 2, 12, 17)),
    ("tet-2027-n5", CalendarRules(), at(2027, 2, 3, 10), 5, at(2027, 2, 17, 17)),
    ("received-during-tet-2027", CalendarRules(), at(2027, 2, 6, 9), 1, at(2027, 2, 11, 17)),
    ("tet-2026-n1", CalendarRules(), at(2026, 2, 13, 10), 1, at(2026, 2, 23, 17)),
    # 30/4 - 1/5
    ("hung-kings-observed-2026", CalendarRules(), at(2026, 4, 24, 10), 1, at(2026, 4, 28, 17)),
    ("april-30-2026-n1", CalendarRules(), at(2026, 4, 29, 10), 1, at(2026, 5, 4, 17)),
    ("april-30-2026-n5", CalendarRules(), at(2026, 4, 28, 10), 5, at(2026, 5, 7, 17)),
    ("april-30-2027-n1", CalendarRules(), at(2027, 4, 29, 10), 1, at(2027, 5, 4, 17)),
    ("april-30-2027-n3", CalendarRules(), at(2027, 4, 29, 10), 3, at(2027, 5, 6, 17)),
    # make-up working Saturday 2026-08-22 and its day off Monday 2026-08-31
    ("make-up-saturday", CalendarRules(), at(2026, 8, 21, 10), 1, at(2026, 8, 22, 17)),
    ("make-up-saturday-n2", CalendarRules(), at(2026, 8, 21, 10), 2, at(2026, 8, 24, 17)),
    ("received-on-make-up-saturday", CalendarRules(), at(2026, 8, 22, 9), 1, at(2026, 8, 24, 17)),
    ("substituted-day-off", CalendarRules(), at(2026, 8, 28, 10), 1, at(2026, 9, 3, 17)),
    # settings
    (
        "extra-workday-saturday",
        CalendarRules(extra_workdays=frozenset({date(2026, 11, 28)})),
        at(2026, 11, 27, 10),
        1,
        at(2026, 11, 28, 17),
    ),
    (
        "extra-holiday-weekday",
        CalendarRules(extra_holidays=frozenset({date(2026, 11, 26)})),
        at(2026, 11, 25, 10),
        1,
        at(2026, 11, 27, 17),
    ),
    (
        "other-business-hours",
        CalendarRules(opens=time(9), closes=time(18, 30)),
        at(2026, 11, 25, 10),
        1,
        at(2026, 11, 26, 18, 30),
    ),
]


@pytest.mark.parametrize(
    ("rules", "received", "n", "expected"), [c[1:] for c in DUE], ids=[c[0] for c in DUE]
)
def test_due_in_business_days(
    rules: CalendarRules, received: datetime, n: int, expected: datetime
) -> None:
    due = BusinessCalendar(rules).due_in_business_days(received, n)
    assert due == expected
    assert due.tzinfo is not None


def test_due_in_another_timezone() -> None:
    # 23:30 UTC Wednesday is Wednesday in London: the next business day is Thursday, 17:00 London.
    london = ZoneInfo("Europe/London")
    cal = BusinessCalendar(CalendarRules(timezone="Europe/London", holiday_country=None))
    due = cal.due_in_business_days(datetime(2026, 11, 25, 23, 30, tzinfo=UTC), 1)
    assert due == datetime(2026, 11, 26, 17, 0, tzinfo=london)
    assert due == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # GMT in winter


def test_naive_instants_are_refused() -> None:
    naive = datetime(2026, 11, 25, 10)
    with pytest.raises(ValueError):
        CAL.due_in_business_days(naive, 1)
    with pytest.raises(ValueError):
        CAL.business_time_between(naive, at(2026, 11, 26))
    with pytest.raises(ValueError):
        CAL.business_time_between(at(2026, 11, 24), naive)
    with pytest.raises(ValueError):
        CAL.add_business_time(naive, hms(1))


# -- business time between two instants ----------------------------------------------------------

BETWEEN = [
    ("within-a-day", at(2026, 11, 25, 9, 15, 30), at(2026, 11, 25, 14, 45, 10), hms(5, 29, 40)),
    ("one-second-before-close", at(2026, 11, 25, 16, 59, 59), at(2026, 11, 25, 17), hms(s=1)),
    ("before-open-to-after-close", at(2026, 11, 25, 6), at(2026, 11, 25, 20), hms(9)),
    ("across-a-night", at(2026, 11, 25, 15), at(2026, 11, 26, 10, 30), hms(4, 30)),
    ("across-a-weekend", at(2026, 11, 27, 16), at(2026, 11, 30, 9), hms(2)),
    ("a-whole-week", at(2026, 11, 30), at(2026, 12, 7), hms(45)),
    ("across-tet-2027", at(2027, 2, 3, 10), at(2027, 2, 11, 10), hms(9)),
    ("across-april-30-2026", at(2026, 4, 29, 16), at(2026, 5, 4, 9), hms(2)),
    ("across-national-day-2026", at(2026, 8, 28, 16), at(2026, 9, 3, 9), hms(2)),
    ("on-make-up-saturday", at(2026, 8, 22, 10), at(2026, 8, 22, 12), hms(2)),
    ("cultural-day-skipped", at(2026, 11, 23, 12), at(2026, 11, 25, 12), hms(9)),
    (
        "utc-instants",
        datetime(2026, 11, 25, 1, 0, tzinfo=UTC),  # 08:00 local
        datetime(2026, 11, 25, 10, 0, tzinfo=UTC),  # 17:00 local
        hms(9),
    ),
    ("reversed-is-negative", at(2026, 11, 26, 10, 30), at(2026, 11, 25, 15), -hms(4, 30)),
    ("reversed-across-tet", at(2027, 2, 11, 10), at(2027, 2, 3, 10), -hms(9)),
    ("same-instant", at(2026, 11, 25, 10), at(2026, 11, 25, 10), hms()),
    ("zero-over-night", at(2026, 11, 25, 17), at(2026, 11, 26, 8), hms()),
    ("zero-evening-to-early-morning", at(2026, 11, 25, 18), at(2026, 11, 26, 7, 59, 59), hms()),
    ("zero-over-weekend", at(2026, 11, 27, 17), at(2026, 11, 30, 8), hms()),
    ("zero-within-saturday", at(2026, 11, 28, 10), at(2026, 11, 28, 15), hms()),
    ("zero-within-a-holiday", at(2026, 9, 2, 9), at(2026, 9, 2, 12), hms()),
    ("zero-across-all-of-tet", at(2027, 2, 3, 17), at(2027, 2, 11, 8), hms()),
]


@pytest.mark.parametrize(
    ("start", "end", "expected"), [c[1:] for c in BETWEEN], ids=[c[0] for c in BETWEEN]
)
def test_business_time_between(start: datetime, end: datetime, expected: timedelta) -> None:
    assert CAL.business_time_between(start, end) == expected


def test_business_time_with_extra_days() -> None:
    cal = BusinessCalendar(
        CalendarRules(
            extra_workdays=frozenset({date(2026, 11, 28)}),
            extra_holidays=frozenset({date(2026, 11, 30)}),
        )
    )
    # Fri 16:00-17:00, Sat 08:00-17:00 (extra workday), Mon off, Tue 08:00-10:00.
    assert cal.business_time_between(at(2026, 11, 27, 16), at(2026, 12, 1, 10)) == hms(12)


# -- adding business time ----------------------------------------------------------------------

ADD = [
    ("within-a-day", at(2026, 11, 25, 10), hms(2, 30, 15), at(2026, 11, 25, 12, 30, 15)),
    ("lands-exactly-at-close", at(2026, 11, 25, 10), hms(7), at(2026, 11, 25, 17)),
    ("one-second-past-close", at(2026, 11, 25, 10), hms(7, 0, 1), at(2026, 11, 26, 8, 0, 1)),
    ("full-day-from-opening", at(2026, 11, 25, 8), hms(9), at(2026, 11, 25, 17)),
    ("before-opening", at(2026, 11, 25, 6), hms(0, 30), at(2026, 11, 25, 8, 30)),
    ("after-close", at(2026, 11, 25, 18), hms(1), at(2026, 11, 26, 9)),
    ("friday-evening", at(2026, 11, 27, 20), hms(1), at(2026, 11, 30, 9)),
    ("saturday-full-day", at(2026, 11, 28, 10), hms(9), at(2026, 11, 30, 17)),
    ("friday-close-exact-full-day", at(2026, 11, 27, 17), hms(9), at(2026, 11, 30, 17)),
    ("across-tet-2027", at(2027, 2, 3, 15), hms(3), at(2027, 2, 11, 9)),
    ("across-april-30-2027", at(2027, 4, 29, 16), hms(2), at(2027, 5, 4, 9)),
    ("onto-make-up-saturday", at(2026, 8, 21, 16), hms(2), at(2026, 8, 22, 9)),
    ("over-substituted-day-off", at(2026, 8, 28, 16), hms(10), at(2026, 9, 3, 17)),
    ("zero-inside-hours", at(2026, 11, 25, 10), hms(), at(2026, 11, 25, 10)),
    ("zero-at-close", at(2026, 11, 25, 17), hms(), at(2026, 11, 25, 17)),
    ("zero-on-saturday", at(2026, 11, 28, 10), hms(), at(2026, 11, 28, 10)),
]


@pytest.mark.parametrize(
    ("start", "amount", "expected"), [c[1:] for c in ADD], ids=[c[0] for c in ADD]
)
def test_add_business_time(start: datetime, amount: timedelta, expected: datetime) -> None:
    assert CAL.add_business_time(start, amount) == expected


def test_add_negative_business_time_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_business_time(at(2026, 11, 25, 10), -hms(s=1))


def test_calendar_rules_refuse_inverted_hours_and_unknown_zones() -> None:
    with pytest.raises(ValueError):
        CalendarRules(opens=time(17), closes=time(8))
    with pytest.raises(ZoneInfoNotFoundError):
        CalendarRules(timezone="Mars/Olympus_Mons")


def test_calendar_without_business_days_does_not_loop_forever() -> None:
    cal = BusinessCalendar(CalendarRules(workdays=frozenset(), holiday_country=None))
    with pytest.raises(ValueError):
        cal.nth_business_day_after(date(2026, 11, 25), 1)


def test_year_store_round_trip_gives_the_same_business_days(tmp_path):
    from complaint_tui.services.context import HolidayFileStore

    store = HolidayFileStore(tmp_path)
    first = BusinessCalendar(CalendarRules(), store)
    expected = [first.is_business_day(date(2026, 1, 1) + timedelta(days=i)) for i in range(366)]
    assert (tmp_path / "VN-2026.json").exists()
    second = BusinessCalendar(CalendarRules(), store)  # reads the file, not the package
    assert [
        second.is_business_day(date(2026, 1, 1) + timedelta(days=i)) for i in range(366)
    ] == expected
    assert second.is_business_day(date(2026, 8, 22))  # the make-up Saturday survives the file
    (tmp_path / "VN-2026.json").write_text("not json")
    third = BusinessCalendar(CalendarRules(), store)  # a damaged file means recomputing
    assert [
        third.is_business_day(date(2026, 1, 1) + timedelta(days=i)) for i in range(366)
    ] == expected
