"""Properties of the business calendar that must hold for every instant (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from complaint_tui.domain.calendar import BusinessCalendar, CalendarRules

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = BusinessCalendar()
# A calendar with company days too, so extra_workdays / extra_holidays take part.
CAL_EXTRA = BusinessCalendar(
    CalendarRules(
        extra_workdays=frozenset({date(2026, 11, 28), date(2027, 2, 8)}),
        extra_holidays=frozenset({date(2026, 12, 24), date(2027, 2, 11)}),
    )
)
CALENDARS = st.sampled_from([CAL, CAL_EXTRA])

SETTINGS = settings(max_examples=200, deadline=None)

FIRST_DAY = date(2025, 12, 20)
DAYS = 800  # to early 2028: two Tết holidays, both 30/4-1/5 periods, the make-up Saturday

# Instants at business-day edges are where bugs live, so half the draws are local times near
# opening and closing; the rest are arbitrary seconds.
EDGE_TIMES = [
    time(0, 0),
    time(7, 59, 59),
    time(8, 0),
    time(8, 0, 1),
    time(12, 0),
    time(16, 59, 59),
    time(17, 0),
    time(17, 0, 1),
    time(23, 59, 59),
]


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    day = FIRST_DAY + timedelta(days=draw(st.integers(0, DAYS)))
    if draw(st.booleans()):
        local = datetime.combine(day, draw(st.sampled_from(EDGE_TIMES)), VN)
    else:
        local = datetime.combine(day, time(), VN) + timedelta(seconds=draw(st.integers(0, 86399)))
    # The calendar must not care in which zone an instant is given.
    return local.astimezone(draw(st.sampled_from([VN, UTC])))


def near(start: datetime) -> st.SearchStrategy[datetime]:
    """Instants within about three weeks after ``start``."""
    return st.integers(0, 21 * 86400).map(lambda s: start + timedelta(seconds=s))


@SETTINGS
@given(cal=CALENDARS, t=instants(), n=st.integers(1, 12))
def test_due_is_close_of_business_on_the_nth_business_day(
    cal: BusinessCalendar, t: datetime, n: int
) -> None:
    due = cal.due_in_business_days(t, n)
    local = due.astimezone(VN)
    assert local.time() == time(17, 0)
    assert cal.is_business_day(local.date())
    received_day = t.astimezone(VN).date()
    assert local.date() > received_day
    between = [
        received_day + timedelta(days=i) for i in range(1, (local.date() - received_day).days + 1)
    ]
    assert sum(cal.is_business_day(d) for d in between) == n


@SETTINGS
@given(cal=CALENDARS, data=st.data(), a=instants())
def test_business_time_is_additive(cal: BusinessCalendar, data: st.DataObject, a: datetime) -> None:
    b = data.draw(near(a), label="b")
    c = data.draw(near(b), label="c")
    ab = cal.business_time_between(a, b)
    bc = cal.business_time_between(b, c)
    assert ab + bc == cal.business_time_between(a, c)
    # and antisymmetric, never negative forwards, never more than the wall-clock time
    assert cal.business_time_between(c, a) == -(ab + bc)
    assert timedelta() <= ab <= b - a


@SETTINGS
@given(cal=CALENDARS, data=st.data(), t=instants())
def test_add_business_time_is_the_earliest_instant_with_that_business_time(
    cal: BusinessCalendar, data: st.DataObject, t: datetime
) -> None:
    u = data.draw(near(t), label="u")
    amount = cal.business_time_between(t, u)
    result = cal.add_business_time(t, amount)
    assert cal.business_time_between(t, result) == amount
    assert t <= result <= u
    if amount:
        # one second earlier there was less business time: nothing earlier qualifies
        assert cal.business_time_between(t, result - timedelta(seconds=1)) < amount
    else:
        assert result == t


@SETTINGS
@given(cal=CALENDARS, t=instants(), seconds=st.integers(1, 120 * 3600))
def test_add_business_time_lands_inside_business_hours(
    cal: BusinessCalendar, t: datetime, seconds: int
) -> None:
    amount = timedelta(seconds=seconds)
    result = cal.add_business_time(t, amount)
    assert cal.business_time_between(t, result) == amount
    local = result.astimezone(VN)
    assert cal.is_business_day(local.date())
    # a positive amount ends after opening and at the latest exactly at closing
    assert time(8, 0) < local.time() <= time(17, 0)


@SETTINGS
@given(cal=CALENDARS, data=st.data(), a=instants())
def test_business_time_never_exceeds_nine_hours_per_calendar_day(
    cal: BusinessCalendar, data: st.DataObject, a: datetime
) -> None:
    b = data.draw(near(a), label="b")
    days_touched = (b.astimezone(VN).date() - a.astimezone(VN).date()).days + 1
    business_days = sum(
        cal.is_business_day(a.astimezone(VN).date() + timedelta(days=i))
        for i in range(days_touched)
    )
    spent = cal.business_time_between(a, b)
    assert spent <= timedelta(hours=9) * days_touched
    assert spent <= timedelta(hours=9) * business_days


@SETTINGS
@given(cal=CALENDARS, offset=st.integers(0, DAYS))
def test_a_whole_day_is_nine_hours_or_nothing(cal: BusinessCalendar, offset: int) -> None:
    day = FIRST_DAY + timedelta(days=offset)
    start = datetime.combine(day, time(), VN)
    expected = timedelta(hours=9) if cal.is_business_day(day) else timedelta()
    assert cal.business_time_between(start, start + timedelta(days=1)) == expected
