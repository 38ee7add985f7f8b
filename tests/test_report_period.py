"""The report screen's period presets (domain/report_period.py) and the on-time targets
(domain/report_targets.py): plain functions of a local date, checked at week, month, quarter and
year boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from complaint_tui.domain.report_period import (
    PRESET_ORDER,
    PeriodError,
    PeriodPreset,
    ReportPeriod,
    local_today,
    period_for,
    preset_period,
)
from complaint_tui.domain.report_targets import TargetVerdict, judge_pct

P = PeriodPreset
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def d(text: str) -> date:
    return date.fromisoformat(text)


CASES = [
    # (today, preset, start, end)
    # a Wednesday in an ordinary month
    ("2026-11-25", P.THIS_WEEK, "2026-11-23", "2026-11-25"),
    ("2026-11-25", P.LAST_WEEK, "2026-11-16", "2026-11-22"),
    ("2026-11-25", P.THIS_MONTH, "2026-11-01", "2026-11-25"),
    ("2026-11-25", P.LAST_MONTH, "2026-10-01", "2026-10-31"),
    ("2026-11-25", P.THIS_QUARTER, "2026-10-01", "2026-11-25"),
    ("2026-11-25", P.LAST_12_MONTHS, "2025-11-26", "2026-11-25"),
    # a Monday: this week is one day; last week is the whole previous ISO week
    ("2026-11-23", P.THIS_WEEK, "2026-11-23", "2026-11-23"),
    ("2026-11-23", P.LAST_WEEK, "2026-11-16", "2026-11-22"),
    # a Sunday still belongs to the week that started on Monday
    ("2026-11-29", P.THIS_WEEK, "2026-11-23", "2026-11-29"),
    ("2026-11-29", P.LAST_WEEK, "2026-11-16", "2026-11-22"),
    # New Year's Day 2027 (a Friday) is in ISO week 2026-W53, which began on Monday 28 December
    ("2027-01-01", P.THIS_WEEK, "2026-12-28", "2027-01-01"),
    ("2027-01-01", P.LAST_WEEK, "2026-12-21", "2026-12-27"),
    ("2027-01-01", P.THIS_MONTH, "2027-01-01", "2027-01-01"),
    ("2027-01-01", P.LAST_MONTH, "2026-12-01", "2026-12-31"),
    ("2027-01-01", P.THIS_QUARTER, "2027-01-01", "2027-01-01"),
    ("2027-01-01", P.LAST_12_MONTHS, "2026-01-02", "2027-01-01"),
    # Monday 4 January 2027 starts ISO week 1; last week spans the year's end
    ("2027-01-04", P.LAST_WEEK, "2026-12-28", "2027-01-03"),
    # the first day of a quarter, and the last one
    ("2026-04-01", P.THIS_QUARTER, "2026-04-01", "2026-04-01"),
    ("2026-03-31", P.THIS_QUARTER, "2026-01-01", "2026-03-31"),
    ("2026-09-30", P.THIS_QUARTER, "2026-07-01", "2026-09-30"),
    ("2026-12-31", P.THIS_QUARTER, "2026-10-01", "2026-12-31"),
    # last month from March in a leap year ends on 29 February
    ("2028-03-15", P.LAST_MONTH, "2028-02-01", "2028-02-29"),
    # twelve months from 29 February (no 29 February a year before) start on 1 March
    ("2028-02-29", P.LAST_12_MONTHS, "2027-03-01", "2028-02-29"),
    ("2027-03-31", P.LAST_12_MONTHS, "2026-04-01", "2027-03-31"),
]


@pytest.mark.parametrize(("today", "preset", "start", "end"), CASES)
def test_preset_period(today: str, preset: PeriodPreset, start: str, end: str) -> None:
    assert preset_period(preset, d(today)) == ReportPeriod(d(start), d(end))


@pytest.mark.parametrize("preset", [p for p in PRESET_ORDER if p is not P.CUSTOM])
@pytest.mark.parametrize("today", ["2026-01-01", "2026-06-15", "2026-12-31", "2028-02-29"])
def test_every_preset_ends_by_today_and_holds_it_or_the_week_before(preset, today) -> None:
    period = preset_period(preset, d(today))
    assert period.start <= period.end <= d(today)
    if preset is P.LAST_WEEK:
        assert period.days == 7 and period.start.weekday() == 0
        assert period.end.isocalendar().week != d(today).isocalendar().week
    elif preset is P.LAST_MONTH:
        assert period.start.day == 1 and period.end.month != d(today).month
    else:
        assert period.end == d(today)


def test_the_desk_time_zone_decides_today() -> None:
    # 18:30 UTC on Sunday 29 November is 01:30 on Monday 30 November in Ho Chi Minh City
    now = datetime(2026, 11, 29, 18, 30, tzinfo=UTC)
    assert local_today(now, VN) == d("2026-11-30")
    assert period_for(P.THIS_WEEK, now, VN) == ReportPeriod(d("2026-11-30"), d("2026-11-30"))
    assert period_for(P.THIS_WEEK, now, UTC) == ReportPeriod(d("2026-11-23"), d("2026-11-29"))
    # 23:30 local on 31 March is still the first quarter there, the second in UTC+14
    late = datetime(2026, 3, 31, 23, 30, tzinfo=VN)
    assert period_for(P.THIS_QUARTER, late, VN).start == d("2026-01-01")
    assert period_for(P.THIS_QUARTER, late, ZoneInfo("Pacific/Kiritimati")).start == d("2026-04-01")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        local_today(datetime(2026, 11, 25, 10, 0), VN)


def test_custom_period() -> None:
    now = datetime(2026, 11, 25, 10, tzinfo=VN)
    period = period_for(P.CUSTOM, now, VN, (d("2026-01-15"), d("2026-02-14")))
    assert (period.start, period.end, period.days) == (d("2026-01-15"), d("2026-02-14"), 31)
    assert period.label() == "2026-01-15 – 2026-02-14"
    assert ReportPeriod(d("2026-01-15"), d("2026-01-15")).label() == "2026-01-15"


@pytest.mark.parametrize(
    ("custom", "words"),
    [
        (None, "needs its two dates"),
        ((d("2026-02-14"), d("2026-01-15")), "after its end"),
        ((d("1999-12-31"), d("2026-01-15")), "outside the years"),
        ((d("2026-01-01"), d("2100-01-01")), "outside the years"),
    ],
)
def test_bad_custom_period_is_one_sentence(custom, words) -> None:
    now = datetime(2026, 11, 25, 10, tzinfo=VN)
    with pytest.raises(PeriodError) as info:
        period_for(P.CUSTOM, now, VN, custom)
    message = str(info.value)
    assert words in message and message.endswith(".") and "\n" not in message


def test_custom_preset_has_no_dates_of_its_own() -> None:
    with pytest.raises(PeriodError):
        preset_period(P.CUSTOM, d("2026-11-25"))


def test_every_preset_has_a_title() -> None:
    assert [p.title for p in PRESET_ORDER] == [
        "This week",
        "Last week",
        "This month",
        "Last month",
        "This quarter",
        "Last 12 months",
        "Custom",
    ]


# ---- targets ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pct", "target", "verdict", "text"),
    [
        (95.0, 95, TargetVerdict.MET, "95.0% ✓ met (target 95%)"),
        (100.0, 95, TargetVerdict.MET, "100.0% ✓ met (target 95%)"),
        (94.9, 95, TargetVerdict.MISSED, "94.9% ✗ below target 95%"),
        (0.0, 90, TargetVerdict.MISSED, "0.0% ✗ below target 90%"),
        (0.0, 0, TargetVerdict.MET, "0.0% ✓ met (target 0%)"),
        (88.5, 87.5, TargetVerdict.MET, "88.5% ✓ met (target 87.5%)"),
        (None, 90, TargetVerdict.NO_DATA, "– no data"),
    ],
)
def test_judge_pct(pct, target, verdict, text) -> None:
    judged = judge_pct(pct, target)
    assert judged.verdict is verdict
    assert judged.text() == text


def test_each_verdict_reads_without_colour() -> None:
    """Glyph and words differ for each verdict, so nothing depends on the colour."""
    judged = [judge_pct(99.0, 95), judge_pct(50.0, 95), judge_pct(None, 95)]
    assert len({j.glyph for j in judged}) == 3
    assert len({j.words for j in judged}) == 3
