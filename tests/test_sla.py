"""Clocks and urgency (SPEC §3 "Clocks", "Urgency"), with values worked out by hand.

Calendar facts used (VN, Mon-Fri 08:00-17:00): Tue 2026-11-24 is a holiday (Vietnam Cultural
Day); 2026-04-30 and 2026-05-01 are holidays; Tết 2027 is Thu 4 - Wed 10 Feb; Sat 2026-08-22 is
a make-up working day and Mon 2026-08-31, Tue 1 and Wed 2 Sep 2026 are days off.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaint_tui.domain.calendar import BusinessCalendar, CalendarRules
from complaint_tui.domain.enums import QueueBucket, Status, Urgency
from complaint_tui.domain.sla import (
    GLYPHS,
    PausedClock,
    Sla,
    SlaRules,
    format_business_span,
    queue_position,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = BusinessCalendar()
SLA = Sla(CAL)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN)


def hms(h: int = 0, m: int = 0, s: int = 0) -> timedelta:
    return timedelta(hours=h, minutes=m, seconds=s)


# -- due instants -------------------------------------------------------------------------------

CUSTOM = Sla(
    CAL,
    SlaRules(
        ack_business_days=2,
        resolve_business_days=10,
        escalation_review_business_days=3,
        update_every_business_days=1,
    ),
)

CLOCKS = [
    ("ack-default", SLA.ack_due, at(2026, 11, 25, 10), at(2026, 11, 26, 17)),
    ("resolve-default", SLA.resolve_due, at(2026, 11, 25, 10), at(2026, 12, 2, 17)),
    ("escalation-default", SLA.escalation_due, at(2026, 11, 25, 10), at(2026, 11, 27, 17)),
    ("next-update-default", SLA.next_update_due, at(2026, 11, 25, 10), at(2026, 11, 27, 17)),
    ("ack-tet", SLA.ack_due, at(2027, 2, 3, 10), at(2027, 2, 11, 17)),
    ("resolve-tet", SLA.resolve_due, at(2027, 2, 3, 10), at(2027, 2, 17, 17)),
    ("escalation-tet", SLA.escalation_due, at(2027, 2, 3, 10), at(2027, 2, 12, 17)),
    ("ack-2-days", CUSTOM.ack_due, at(2026, 8, 21, 10), at(2026, 8, 24, 17)),
    # Sat 22, Mon 24 - Fri 28, (Mon 31, Tue 1, Wed 2 off), Thu 3, Fri 4, Mon 7, Tue 8
    ("resolve-10-days", CUSTOM.resolve_due, at(2026, 8, 21, 10), at(2026, 9, 8, 17)),
    ("escalation-3-days", CUSTOM.escalation_due, at(2026, 8, 21, 10), at(2026, 8, 25, 17)),
    (
        "update-1-day-make-up-saturday",
        CUSTOM.next_update_due,
        at(2026, 8, 21, 10),
        at(2026, 8, 22, 17),
    ),
]


@pytest.mark.parametrize(
    ("clock", "start", "expected"), [c[1:] for c in CLOCKS], ids=[c[0] for c in CLOCKS]
)
def test_clock_due_instants(clock, start: datetime, expected: datetime) -> None:
    assert clock(start) == expected


EXTEND = [
    ("three-days", at(2026, 12, 2, 17), 3, at(2026, 12, 7, 17)),
    ("over-tet", at(2027, 2, 3, 17), 1, at(2027, 2, 11, 17)),
    ("over-labour-day-2027", at(2027, 4, 29, 17), 2, at(2027, 5, 5, 17)),
    ("from-a-resumed-due-mid-day", at(2026, 12, 7, 16), 1, at(2026, 12, 8, 17)),
]


@pytest.mark.parametrize(
    ("due", "days", "expected"), [c[1:] for c in EXTEND], ids=[c[0] for c in EXTEND]
)
def test_extend(due: datetime, days: int, expected: datetime) -> None:
    assert SLA.extend(due, days) == expected


@pytest.mark.parametrize("days", [0, -1])
def test_extend_needs_at_least_one_day(days: int) -> None:
    with pytest.raises(ValueError):
        SLA.extend(at(2026, 12, 2, 17), days)


# -- pause / resume ---------------------------------------------------------------------------

PAUSES = [
    # id, due, paused at, business time kept, resumed at, new due
    (
        "plain-week",
        at(2026, 12, 2, 17),
        at(2026, 11, 30, 10),
        hms(25),  # Mon 7h, Tue 9h, Wed 9h
        at(2026, 12, 3, 9),
        at(2026, 12, 7, 16),  # Thu 8h, Fri 9h, Mon 8h
    ),
    (
        "resume-at-the-same-instant-keeps-the-due",
        at(2026, 12, 2, 17),
        at(2026, 11, 30, 10),
        hms(25),
        at(2026, 11, 30, 10),
        at(2026, 12, 2, 17),  # lands exactly at close, not Thu 08:00
    ),
    (
        "pause-across-tet-2027",
        at(2027, 2, 15, 17),  # received Mon 1 Feb 2027, 5 business days
        at(2027, 2, 3, 10),
        hms(34),  # Wed 3: 7h, Thu 11, Fri 12, Mon 15: 9h each
        at(2027, 2, 11, 10),
        at(2027, 2, 16, 17),  # Thu 11: 7h, Fri 12: 9h, Mon 15: 9h, Tue 16: 9h
    ),
    (
        "resume-before-april-30-2026",
        at(2026, 4, 29, 17),
        at(2026, 4, 28, 10),
        hms(16),  # Tue 7h, Wed 9h
        at(2026, 4, 29, 16),
        at(2026, 5, 5, 14),  # Wed 1h, (30/4, 1/5, weekend), Mon 4: 9h, Tue 5: 6h
    ),
    (
        "resume-before-tet-2027",
        at(2027, 2, 3, 17),
        at(2027, 2, 2, 10),
        hms(16),
        at(2027, 2, 3, 12),
        at(2027, 2, 12, 10),  # Wed 3: 5h, Thu 11: 9h, Fri 12: 2h
    ),
    (
        "resume-into-make-up-saturday",
        at(2026, 8, 21, 17),
        at(2026, 8, 21, 15),
        hms(2),
        at(2026, 8, 21, 16, 30),
        at(2026, 8, 22, 9, 30),  # Fri 30m, Sat 22: 1h30
    ),
    (
        "resume-on-a-saturday",
        at(2026, 11, 26, 17),
        at(2026, 11, 25, 16),
        hms(10),
        at(2026, 11, 28, 12),
        at(2026, 12, 1, 9),  # Mon 9h, Tue 1h
    ),
    (
        "paused-on-a-weekend",
        at(2026, 11, 30, 17),
        at(2026, 11, 28, 10),
        hms(9),
        at(2026, 12, 2, 10),
        at(2026, 12, 3, 10),  # Wed 7h, Thu 2h
    ),
    (
        "paused-one-second-before-due",
        at(2026, 12, 2, 17),
        at(2026, 12, 2, 16, 59, 59),
        hms(s=1),
        at(2026, 12, 3, 12),
        at(2026, 12, 3, 12, 0, 1),
    ),
]


@pytest.mark.parametrize(
    ("due", "paused_at", "kept", "resumed_at", "new_due"),
    [c[1:] for c in PAUSES],
    ids=[c[0] for c in PAUSES],
)
def test_pause_keeps_business_time_and_resume_adds_it(
    due: datetime, paused_at: datetime, kept: timedelta, resumed_at: datetime, new_due: datetime
) -> None:
    paused = SLA.pause(due, paused_at)
    assert paused == PausedClock(due_at=due, remaining=kept)
    assert SLA.resume(paused, resumed_at) == new_due


@pytest.mark.parametrize(
    "paused_at",
    [at(2026, 12, 2, 17), at(2026, 12, 3, 10), at(2027, 2, 5, 12)],
    ids=["exactly-at-due", "day-after-due", "weeks-after-due"],
)
def test_pause_after_breach_keeps_the_original_due(paused_at: datetime) -> None:
    due = at(2026, 12, 2, 17)
    paused = SLA.pause(due, paused_at)
    assert paused.remaining is None
    assert paused.due_at == due
    assert SLA.resume(paused, at(2027, 3, 1, 9)) == due
    assert SLA.band(SLA.resume(paused, at(2027, 3, 1, 9)), at(2027, 3, 1, 9)) is Urgency.BREACHED


def test_resolution_clock_restarts_from_a_reopen() -> None:
    # reopened on the make-up Saturday: the 5 days are Mon 24 - Fri 28 Aug
    assert SLA.resolve_due(at(2026, 8, 22, 11)) == at(2026, 8, 28, 17)


# -- urgency bands ----------------------------------------------------------------------------

FRI_DUE = at(2026, 11, 27, 17)
MON_DUE = at(2026, 11, 30, 10)
TET_DUE = at(2027, 2, 11, 10)

BANDS = [
    ("exactly-3h-left-urgent", SLA, FRI_DUE, at(2026, 11, 27, 14), Urgency.URGENT),
    ("3h-plus-1s-soon", SLA, FRI_DUE, at(2026, 11, 27, 13, 59, 59), Urgency.SOON),
    ("exactly-9h-left-soon", SLA, FRI_DUE, at(2026, 11, 27, 8), Urgency.SOON),
    ("9h-from-previous-close-soon", SLA, FRI_DUE, at(2026, 11, 26, 17), Urgency.SOON),
    ("9h-overnight-soon", SLA, FRI_DUE, at(2026, 11, 26, 22), Urgency.SOON),
    ("9h-plus-1s-ok", SLA, FRI_DUE, at(2026, 11, 26, 16, 59, 59), Urgency.OK),
    ("days-left-ok", SLA, FRI_DUE, at(2026, 11, 23, 10), Urgency.OK),
    ("now-equals-due-breached", SLA, FRI_DUE, FRI_DUE, Urgency.BREACHED),
    ("1s-before-due-urgent", SLA, FRI_DUE, at(2026, 11, 27, 16, 59, 59), Urgency.URGENT),
    ("1s-after-due-breached", SLA, FRI_DUE, at(2026, 11, 27, 17, 0, 1), Urgency.BREACHED),
    ("weekend-after-due-breached", SLA, FRI_DUE, at(2026, 11, 28, 10), Urgency.BREACHED),
    ("over-weekend-4h-soon", SLA, MON_DUE, at(2026, 11, 27, 15), Urgency.SOON),
    ("over-weekend-3h-urgent", SLA, MON_DUE, at(2026, 11, 27, 16), Urgency.URGENT),
    ("saturday-2h-urgent", SLA, MON_DUE, at(2026, 11, 28, 10), Urgency.URGENT),
    ("over-tet-3h-urgent", SLA, TET_DUE, at(2027, 2, 3, 16), Urgency.URGENT),
    ("over-tet-3h-plus-1s-soon", SLA, TET_DUE, at(2027, 2, 3, 15, 59, 59), Urgency.SOON),
]
CUSTOM_BANDS = Sla(CAL, SlaRules(urgent_business_hours=1.5, soon_business_hours=4))
BANDS += [
    ("custom-1h30-urgent", CUSTOM_BANDS, FRI_DUE, at(2026, 11, 27, 15, 30), Urgency.URGENT),
    ("custom-1h30-plus-1s-soon", CUSTOM_BANDS, FRI_DUE, at(2026, 11, 27, 15, 29, 59), Urgency.SOON),
    ("custom-4h-soon", CUSTOM_BANDS, FRI_DUE, at(2026, 11, 27, 13), Urgency.SOON),
    ("custom-4h-plus-1s-ok", CUSTOM_BANDS, FRI_DUE, at(2026, 11, 27, 12, 59, 59), Urgency.OK),
]


@pytest.mark.parametrize(
    ("sla", "due", "now", "expected"), [c[1:] for c in BANDS], ids=[c[0] for c in BANDS]
)
def test_band_boundaries(sla: Sla, due: datetime, now: datetime, expected: Urgency) -> None:
    assert sla.band(due, now) is expected


URGENCY = [
    ("new-uses-its-due", Status.NEW, at(2026, 11, 27, 15), Urgency.URGENT),
    ("acknowledged-uses-its-due", Status.ACKNOWLEDGED, at(2026, 11, 26, 12), Urgency.OK),
    ("investigating-breached", Status.INVESTIGATING, at(2026, 11, 30, 9), Urgency.BREACHED),
    (
        "waiting-is-paused-even-after-due",
        Status.WAITING_ON_CUSTOMER,
        at(2026, 12, 9),
        Urgency.PAUSED,
    ),
    ("resolved-is-done", Status.RESOLVED, at(2026, 12, 9), Urgency.DONE),
    ("closed-is-done", Status.CLOSED, at(2026, 11, 27, 15), Urgency.DONE),
]


@pytest.mark.parametrize(
    ("status", "now", "expected"), [c[1:] for c in URGENCY], ids=[c[0] for c in URGENCY]
)
def test_urgency_by_status(status: Status, now: datetime, expected: Urgency) -> None:
    assert SLA.urgency(status, FRI_DUE, now) is expected


BADGES = [
    ("urgent-2h", Status.INVESTIGATING, at(2026, 11, 27, 15), Urgency.URGENT, "▲ 2h left"),
    ("urgent-3h", Status.NEW, at(2026, 11, 27, 14), Urgency.URGENT, "▲ 3h left"),
    ("urgent-45m", Status.NEW, at(2026, 11, 27, 16, 15), Urgency.URGENT, "▲ 45m left"),
    ("soon-7h", Status.ACKNOWLEDGED, at(2026, 11, 27, 10), Urgency.SOON, "● 7h left"),
    ("soon-a-whole-day", Status.ACKNOWLEDGED, at(2026, 11, 27, 8), Urgency.SOON, "● 1d left"),
    # Wed 7h + Thu 9h + Fri 9h = 25h = 2 business days and 7h
    ("ok-2d", Status.INVESTIGATING, at(2026, 11, 25, 10), Urgency.OK, "○ 2d left"),
    ("breached-4h", Status.INVESTIGATING, at(2026, 11, 30, 12), Urgency.BREACHED, "✖ 4h over"),
    ("breached-1d", Status.NEW, at(2026, 11, 30, 17), Urgency.BREACHED, "✖ 1d over"),
    # Mon 9h + Tue 9h + Wed 4h = 22h
    ("breached-2d", Status.NEW, at(2026, 12, 2, 12), Urgency.BREACHED, "✖ 2d over"),
    ("paused", Status.WAITING_ON_CUSTOMER, at(2026, 11, 27, 15), Urgency.PAUSED, "⏸ paused"),
    ("resolved", Status.RESOLVED, at(2026, 11, 27, 15), Urgency.DONE, "✓ resolved"),
    ("closed", Status.CLOSED, at(2026, 12, 30, 15), Urgency.DONE, "✓ closed"),
]


@pytest.mark.parametrize(
    ("status", "now", "band", "text"), [c[1:] for c in BADGES], ids=[c[0] for c in BADGES]
)
def test_badge(status: Status, now: datetime, band: Urgency, text: str) -> None:
    badge = SLA.badge(status, FRI_DUE, now)
    assert badge.band is band
    assert badge.text == text


def test_every_band_has_its_own_glyph() -> None:
    assert set(GLYPHS) == set(Urgency)
    assert len(set(GLYPHS.values())) == len(Urgency)


def test_describe_left_counts_days_of_the_configured_length() -> None:
    # 09:00-18:30 is a 9h30 business day: 9h30 left is one day, 9h29m is still hours
    cal = BusinessCalendar(CalendarRules(opens=time(9), closes=time(18, 30)))
    sla = Sla(cal)
    due = at(2026, 11, 27, 18, 30)
    assert sla.describe_left(due, at(2026, 11, 26, 18, 30)) == "1d left"
    assert sla.describe_left(due, at(2026, 11, 27, 9, 1)) == "9h left"


SPANS = [
    ("zero", hms(), "0m"),
    ("59s", hms(s=59), "0m"),
    ("1m", hms(m=1), "1m"),
    ("59m59s", hms(0, 59, 59), "59m"),
    ("1h", hms(1), "1h"),
    ("8h59m59s", hms(8, 59, 59), "8h"),
    ("9h-is-a-day", hms(9), "1d"),
    ("17h59m", hms(17, 59), "1d"),
    ("18h", hms(18), "2d"),
    ("45h", hms(45), "5d"),
]


@pytest.mark.parametrize(("amount", "text"), [c[1:] for c in SPANS], ids=[c[0] for c in SPANS])
def test_format_business_span(amount: timedelta, text: str) -> None:
    assert format_business_span(amount, hms(9)) == text


# -- band limits ------------------------------------------------------------------------------

LIMITS = [
    ("wednesday-morning", at(2026, 11, 25, 10), at(2026, 11, 25, 13), at(2026, 11, 26, 10)),
    # 3h ends at Friday's close: dues up to Monday's opening are still within 3h
    ("friday-afternoon", at(2026, 11, 27, 14), at(2026, 11, 30, 8), at(2026, 11, 30, 14)),
    # 9h ends at Monday's close: up to Tuesday's opening
    ("saturday", at(2026, 11, 28, 10), at(2026, 11, 30, 11), at(2026, 12, 1, 8)),
    ("at-opening", at(2026, 11, 25, 8), at(2026, 11, 25, 11), at(2026, 11, 26, 8)),
    ("before-tet", at(2027, 2, 3, 16), at(2027, 2, 11, 10), at(2027, 2, 11, 16)),
]


@pytest.mark.parametrize(
    ("now", "urgent_until", "soon_until"), [c[1:] for c in LIMITS], ids=[c[0] for c in LIMITS]
)
def test_band_limits(now: datetime, urgent_until: datetime, soon_until: datetime) -> None:
    assert SLA.band_limits(now) == (urgent_until, soon_until)
    assert SLA.band(urgent_until, now) is Urgency.URGENT
    assert SLA.band(urgent_until + hms(s=1), now) is Urgency.SOON
    assert SLA.band(soon_until, now) is Urgency.SOON
    assert SLA.band(soon_until + hms(s=1), now) is Urgency.OK


def band_from_limits(sla: Sla, due: datetime, now: datetime) -> Urgency:
    """What the queue's SQL filter does with band_limits (services.cases.urgency_condition)."""
    urgent_until, soon_until = sla.band_limits(now)
    if due <= now:
        return Urgency.BREACHED
    if due <= urgent_until:
        return Urgency.URGENT
    if due <= soon_until:
        return Urgency.SOON
    return Urgency.OK


START = at(2025, 12, 20)
SLAS = st.sampled_from([SLA, CUSTOM_BANDS])


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    day = START + timedelta(days=draw(st.integers(0, 800)))
    if draw(st.booleans()):
        return day + draw(
            st.sampled_from([hms(8), hms(8, 0, 1), hms(13, 59, 59), hms(16, 59, 59), hms(17)])
        )
    return day + hms(s=draw(st.integers(0, 86399)))


@settings(max_examples=200, deadline=None)
@given(sla=SLAS, now=instants(), offset=st.integers(-3 * 86400, 6 * 86400))
def test_band_agrees_with_band_limits(sla: Sla, now: datetime, offset: int) -> None:
    due = now + timedelta(seconds=offset)
    assert sla.band(due, now) is band_from_limits(sla, due, now)


@settings(max_examples=200, deadline=None)
@given(sla=SLAS, now=instants(), due=instants())
def test_band_agrees_with_band_limits_for_due_instants_at_edges(
    sla: Sla, now: datetime, due: datetime
) -> None:
    assert sla.band(due, now) is band_from_limits(sla, due, now)


@settings(max_examples=200, deadline=None)
@given(sla=SLAS, now=instants())
def test_band_limits_are_exact_boundaries(sla: Sla, now: datetime) -> None:
    urgent_until, soon_until = sla.band_limits(now)
    assert now < urgent_until < soon_until
    assert sla.band(urgent_until, now) is Urgency.URGENT
    assert sla.band(urgent_until + hms(s=1), now) is Urgency.SOON
    assert sla.band(soon_until, now) is Urgency.SOON
    assert sla.band(soon_until + hms(s=1), now) is Urgency.OK


# -- queue position and rules ---------------------------------------------------------------------

ACK_DUE, RESOLVE_DUE = at(2026, 11, 26, 17), at(2026, 12, 2, 17)
PAUSED_AT, DONE_AT = at(2026, 11, 27, 9), at(2026, 11, 30, 11)

POSITIONS = [
    (Status.NEW, (QueueBucket.ACTIVE, ACK_DUE)),
    (Status.ACKNOWLEDGED, (QueueBucket.ACTIVE, RESOLVE_DUE)),
    (Status.INVESTIGATING, (QueueBucket.ACTIVE, RESOLVE_DUE)),
    (Status.WAITING_ON_CUSTOMER, (QueueBucket.PAUSED, PAUSED_AT)),
    (Status.RESOLVED, (QueueBucket.DONE, DONE_AT)),
    (Status.CLOSED, (QueueBucket.DONE, DONE_AT)),
]


@pytest.mark.parametrize(("status", "expected"), POSITIONS, ids=[s.value for s, _ in POSITIONS])
def test_queue_position(status: Status, expected: tuple[int, datetime]) -> None:
    paused = PAUSED_AT if status is Status.WAITING_ON_CUSTOMER else None
    done = DONE_AT if status in (Status.RESOLVED, Status.CLOSED) else None
    assert queue_position(status, ACK_DUE, RESOLVE_DUE, paused, done) == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ack_business_days": 0},
        {"resolve_business_days": 0},
        {"escalation_review_business_days": -1},
        {"update_every_business_days": 0},
        {"urgent_business_hours": 0},
        {"urgent_business_hours": 10, "soon_business_hours": 9},
    ],
    ids=["ack-0", "resolve-0", "escalation-negative", "update-0", "urgent-0", "urgent-above-soon"],
)
def test_sla_rules_refuse_bad_values(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        SlaRules(**kwargs)


def test_badge_right_after_a_close_of_business_breach_does_not_read_zero():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from complaint_tui.domain.calendar import BusinessCalendar
    from complaint_tui.domain.sla import Sla

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    sla = Sla(BusinessCalendar())
    due = datetime(2026, 11, 27, 17, 0, tzinfo=vn)  # Friday close
    assert sla.describe_left(due, datetime(2026, 11, 28, 10, 0, tzinfo=vn)) == "<1m over"
    assert sla.describe_left(due, datetime(2026, 11, 27, 16, 59, 30, tzinfo=vn)) == "<1m left"
