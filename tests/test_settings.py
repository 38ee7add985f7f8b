"""Settings (SPEC §4 "Settings and data"): defaults, a full valid file, and one clear error per
bad value that names the key, e.g. "sla.ack_business_days"."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from typing import Any

import pytest

from complaint_tui.domain.calendar import BusinessCalendar
from complaint_tui.domain.settings import (
    DEFAULT_CATEGORIES,
    DEFAULT_SERVICES,
    Settings,
    SettingsError,
    settings_from_mapping,
)


def test_defaults() -> None:
    s = settings_from_mapping({})
    assert s == Settings()
    assert s.database_url is None
    cal = s.calendar
    assert cal.timezone == "Asia/Ho_Chi_Minh"
    assert cal.workdays == frozenset({0, 1, 2, 3, 4})
    assert (cal.opens, cal.closes) == (time(8, 0), time(17, 0))
    assert cal.holiday_country == "VN"
    assert cal.extra_holidays == frozenset() and cal.extra_workdays == frozenset()
    rules = s.sla
    assert rules.ack_business_days == 1
    assert rules.resolve_business_days == 5
    assert rules.escalation_review_business_days == 2
    assert rules.update_every_business_days == 2
    assert rules.soon_business_hours == 9
    assert rules.urgent_business_hours == 3
    assert s.intake.services == DEFAULT_SERVICES
    assert s.intake.categories == DEFAULT_CATEGORIES
    assert (s.reports.ack_target_pct, s.reports.resolve_target_pct) == (95.0, 90.0)


def test_empty_sections_give_defaults() -> None:
    empty: dict[str, Any] = {
        name: {}
        for name in ("database", "sla", "urgency", "intake", "external", "contact", "ui", "reports")
    }
    assert settings_from_mapping(empty) == Settings()


FULL_TOML = """
[database]
url = "postgresql+psycopg://complaints@db.internal/complaints"

[sla]
timezone = "Asia/Bangkok"
workdays = ["mon", "tue", "wed", "thu", "fri", "sat"]
business_hours = "07:30-16:45"
holiday_country = "vn"
extra_holidays = [2026-12-24, "2026-12-31"]
extra_workdays = [2027-02-06]
ack_business_days = 2
resolve_business_days = 10
escalation_review_business_days = 3
update_every_business_days = 4

[urgency]
soon_business_hours = 12.5
urgent_business_hours = 4

[intake]
services = ["VPS", " Colocation "]
categories = ["Outage", "Billing"]
max_attachment_bytes = 1048576
max_text_chars = 50000

[external]
name = "Cục Cạnh tranh và Bảo vệ người tiêu dùng"
contact = "https://vcca.gov.vn/contact"
info = "You may refer your complaint to the authority."

[contact]
company = "ExampleVPS"
email = "help@example.vn"
phone = "+84 24 1234 5678"
address = "Hà Nội"

[ui]
theme = "complaint-light"
tick_seconds = 5
keys = { "queue.take" = "T" }

[reports]
ack_target_pct = 97.5
resolve_target_pct = 85
"""


def test_full_valid_file() -> None:
    s = settings_from_mapping(tomllib.loads(FULL_TOML))
    assert s.database_url == "postgresql+psycopg://complaints@db.internal/complaints"
    cal = s.calendar
    assert cal.timezone == "Asia/Bangkok"
    assert cal.workdays == frozenset({0, 1, 2, 3, 4, 5})
    assert (cal.opens, cal.closes) == (time(7, 30), time(16, 45))
    assert cal.holiday_country == "VN"
    assert cal.extra_holidays == frozenset({date(2026, 12, 24), date(2026, 12, 31)})
    assert cal.extra_workdays == frozenset({date(2027, 2, 6)})
    rules = s.sla
    assert (
        rules.ack_business_days,
        rules.resolve_business_days,
        rules.escalation_review_business_days,
        rules.update_every_business_days,
    ) == (2, 10, 3, 4)
    assert (rules.soon_business_hours, rules.urgent_business_hours) == (12.5, 4.0)
    assert s.intake.services == ("VPS", "Colocation")
    assert s.intake.categories == ("Outage", "Billing")
    assert s.intake.max_attachment_bytes == 1048576
    assert s.intake.max_text_chars == 50000
    assert s.external.name == "Cục Cạnh tranh và Bảo vệ người tiêu dùng"
    assert s.external.contact == "https://vcca.gov.vn/contact"
    assert s.contact.company == "ExampleVPS"
    assert s.contact.address == "Hà Nội"
    assert s.ui.theme == "complaint-light"
    assert s.ui.tick_seconds == 5.0
    assert s.ui.keys == {"queue.take": "T"}
    assert (s.reports.ack_target_pct, s.reports.resolve_target_pct) == (97.5, 85.0)
    # and the calendar built from it works: Christmas Eve 2026 (Thursday) is a company holiday,
    # Saturday 2027-02-06 (first day of Tết) is a configured working day
    built = BusinessCalendar(cal)
    assert not built.is_business_day(date(2026, 12, 24))
    assert built.is_business_day(date(2027, 2, 6))
    assert built.is_business_day(date(2026, 11, 28))  # a Saturday: six-day week


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["Mon", "TUE"], frozenset({0, 1})),
        (["monday", "Friday"], frozenset({0, 4})),
        (["sun", "sat"], frozenset({5, 6})),
    ],
    ids=["abbreviations", "full-names", "weekend"],
)
def test_workday_names(value: list[str], expected: frozenset[int]) -> None:
    assert settings_from_mapping({"sla": {"workdays": value}}).calendar.workdays == expected


@pytest.mark.parametrize("value", ["", "none"], ids=["empty", "none"])
def test_holidays_can_be_turned_off(value: str) -> None:
    assert (
        settings_from_mapping({"sla": {"holiday_country": value}}).calendar.holiday_country is None
    )


BAD = [
    # (section, key, value)
    ("database", "url", 5),
    ("database", "url", "  "),
    ("sla", "timezone", "Mars/Olympus_Mons"),
    ("sla", "timezone", "../../etc/passwd"),
    ("sla", "timezone", 7),
    ("sla", "timezone", ""),
    ("sla", "workdays", []),
    ("sla", "workdays", "mon"),
    ("sla", "workdays", ["funday"]),
    ("sla", "workdays", ["monkey"]),
    ("sla", "workdays", [0, 1]),
    ("sla", "business_hours", "17:00-08:00"),
    ("sla", "business_hours", "08:00-08:00"),
    ("sla", "business_hours", "08:00"),
    ("sla", "business_hours", "8-5"),
    ("sla", "business_hours", 9),
    ("sla", "business_hours", "08:00-12:00-17:00"),
    ("sla", "business_hours", "08:00-17:00+07:00"),
    ("sla", "business_hours", "08:00+07:00-17:00+07:00"),
    ("sla", "holiday_country", "XX"),
    ("sla", "holiday_country", 5),
    ("sla", "holiday_country", ["VN"]),
    ("sla", "extra_holidays", "2027-01-01"),
    ("sla", "extra_holidays", ["2027-13-01"]),
    ("sla", "extra_holidays", [20270101]),
    ("sla", "extra_holidays", [datetime(2027, 1, 4, 0, 0)]),
    ("sla", "extra_workdays", ["next saturday"]),
    ("sla", "extra_workdays", [datetime(2026, 11, 28, 8, 0)]),
    ("sla", "ack_business_days", 0),
    ("sla", "ack_business_days", -1),
    ("sla", "ack_business_days", 1.5),
    ("sla", "ack_business_days", "1"),
    ("sla", "ack_business_days", True),
    ("sla", "ack_business_days", 10**9),
    ("sla", "resolve_business_days", 0),
    ("sla", "resolve_business_days", 100_000),
    ("sla", "escalation_review_business_days", 0),
    ("sla", "update_every_business_days", 0),
    ("urgency", "soon_business_hours", 0),
    ("urgency", "soon_business_hours", -9),
    ("urgency", "soon_business_hours", "9"),
    ("urgency", "soon_business_hours", True),
    ("urgency", "soon_business_hours", float("inf")),
    ("urgency", "soon_business_hours", float("nan")),
    ("urgency", "soon_business_hours", 1e12),
    ("urgency", "urgent_business_hours", 0),
    ("urgency", "urgent_business_hours", float("nan")),
    ("urgency", "urgent_business_hours", 10),  # above the default soon_business_hours of 9
    ("intake", "services", []),
    ("intake", "services", "VPS"),
    ("intake", "services", ["VPS", ""]),
    ("intake", "services", [1]),
    ("intake", "categories", []),
    ("intake", "max_attachment_bytes", 0),
    ("intake", "max_attachment_bytes", "10MB"),
    ("intake", "max_text_chars", 0),
    ("external", "name", ""),
    ("external", "contact", 5),
    ("external", "info", ["x"]),
    ("contact", "company", ""),
    ("contact", "email", 5),
    ("contact", "phone", " "),
    ("contact", "address", []),
    ("ui", "theme", ""),
    ("ui", "keys", "T"),
    ("ui", "keys", {"queue.take": 5}),
    ("ui", "tick_seconds", 0),
    ("ui", "tick_seconds", float("inf")),
    ("ui", "tick_seconds", float("nan")),
    ("reports", "ack_target_pct", 101),
    ("reports", "ack_target_pct", -1),
    ("reports", "ack_target_pct", "95"),
    ("reports", "ack_target_pct", True),
    ("reports", "ack_target_pct", float("nan")),
    ("reports", "resolve_target_pct", 100.5),
    ("reports", "resolve_target_pct", [90]),
]


@pytest.mark.parametrize(
    ("section", "key", "value"), BAD, ids=[f"{s}.{k}={v!r}" for s, k, v in BAD]
)
def test_bad_value_names_the_key(section: str, key: str, value: Any) -> None:
    with pytest.raises(SettingsError) as info:
        settings_from_mapping({section: {key: value}})
    message = str(info.value)
    assert f"{section}.{key}" in message
    assert "\n" not in message and message.endswith(".")


def test_urgent_above_soon_names_both_keys() -> None:
    with pytest.raises(SettingsError) as info:
        settings_from_mapping({"urgency": {"soon_business_hours": 4, "urgent_business_hours": 5}})
    assert "urgency.urgent_business_hours" in str(info.value)
    assert "urgency.soon_business_hours" in str(info.value)


def test_urgent_equal_to_soon_is_allowed() -> None:
    rules = settings_from_mapping(
        {"urgency": {"soon_business_hours": 4, "urgent_business_hours": 4}}
    ).sla
    assert rules.soon_business_hours == rules.urgent_business_hours == 4


UNKNOWN_KEYS = [
    ("sla", "foo"),
    ("sla", "soon_business_hours"),  # belongs to [urgency]
    ("urgency", "ack_business_days"),  # belongs to [sla]
    ("ui", "Theme"),
    ("database", "path"),
    ("intake", "max_attachment_size"),
]


@pytest.mark.parametrize(
    ("section", "key"), UNKNOWN_KEYS, ids=[f"{s}.{k}" for s, k in UNKNOWN_KEYS]
)
def test_unknown_key_is_named(section: str, key: str) -> None:
    with pytest.raises(SettingsError) as info:
        settings_from_mapping({section: {key: 1}})
    assert f"{section}.{key}" in str(info.value)


@pytest.mark.parametrize("section", ["slas", "calendar", "SLA", "theme"])
def test_unknown_section_is_named(section: str) -> None:
    with pytest.raises(SettingsError) as info:
        settings_from_mapping({section: {"x": 1}})
    assert f"[{section}]" in str(info.value)


@pytest.mark.parametrize("value", [5, "x", [1, 2]], ids=["int", "str", "list"])
def test_section_that_is_not_a_table_is_named(value: Any) -> None:
    with pytest.raises(SettingsError) as info:
        settings_from_mapping({"sla": value})
    assert "[sla]" in str(info.value)


def test_settings_error_is_a_value_error() -> None:
    # callers that only know ValueError still catch it
    assert issubclass(SettingsError, ValueError)
