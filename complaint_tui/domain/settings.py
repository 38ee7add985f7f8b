"""Settings as plain data, validated key by key so an error names the key (SPEC §4)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complaint_tui.domain.alerts import ALERT_KINDS, AlertKind
from complaint_tui.domain.calendar import WEEKDAY_NAMES, CalendarRules
from complaint_tui.domain.root_cause import root_cause_list_problem
from complaint_tui.domain.sla import SlaRules

DEFAULT_SERVICES = (
    "VPS",
    "Dedicated server",
    "Cloud storage",
    "Domain",
    "DNS",
    "Email hosting",
    "Web hosting",
    "Backup",
    "SSL certificate",
    "Billing",
)
DEFAULT_CATEGORIES = (
    "Outage",
    "Performance",
    "Billing",
    "Data loss",
    "Security",
    "Support quality",
    "Migration",
    "Other",
)
# What a hosting desk's fixes are owned by, one cause each, so a report says where to act:
# the infrastructure (hardware, network, capacity), the platform (software, configuration,
# maintenance, security), suppliers, billing, the people and rules of the desk itself, and the
# customer's side. Anything else is "Other: <what it was>" (domain/root_cause.py).
DEFAULT_ROOT_CAUSES = (
    "Hardware failure",
    "Network or upstream outage",
    "Capacity shortfall",
    "Software defect",
    "Configuration error",
    "Planned maintenance",
    "Security incident",
    "Third-party provider",
    "Billing error",
    "Staff error or miscommunication",
    "Policy or product limitation",
    "Customer-side issue",
)


class SettingsError(ValueError):
    """A settings value is wrong; the message names the key."""


@dataclass(frozen=True)
class IntakeSettings:
    services: tuple[str, ...] = DEFAULT_SERVICES
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    root_causes: tuple[str, ...] = DEFAULT_ROOT_CAUSES
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_text_chars: int = 1_000_000


@dataclass(frozen=True)
class ExternalSettings:
    name: str = "Vietnam Competition and Consumer Protection Authority"
    contact: str = "https://vcca.gov.vn"
    info: str = (
        "If you are still not satisfied after our internal process, you may refer your "
        "complaint to the consumer protection authority."
    )


@dataclass(frozen=True)
class ContactSettings:
    company: str = "VietnamVPS"
    email: str = "support@vietnamvps.net"
    phone: str = "+84 28 0000 0000"
    address: str = "Ho Chi Minh City, Vietnam"


@dataclass(frozen=True)
class UiSettings:
    theme: str = "complaint-dark"
    keys: dict[str, str] = field(
        default_factory=dict
    )  # binding id -> keys, e.g. "queue.take" = "T"
    tick_seconds: float = 30.0
    # Which alerts the TUI shows while it runs (domain/alerts.py); [] switches them all off.
    alerts: frozenset[AlertKind] = frozenset(ALERT_KINDS)


@dataclass(frozen=True)
class ReportSettings:
    """On-time targets the report screen judges its percentages against (met / below)."""

    ack_target_pct: float = 95.0
    resolve_target_pct: float = 90.0


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    calendar: CalendarRules = field(default_factory=CalendarRules)
    sla: SlaRules = field(default_factory=SlaRules)
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    external: ExternalSettings = field(default_factory=ExternalSettings)
    contact: ContactSettings = field(default_factory=ContactSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)


# ---- parsing ------------------------------------------------------------------------------------

_SECTIONS = {
    "database": {"url"},
    "sla": {
        "timezone",
        "workdays",
        "business_hours",
        "holiday_country",
        "extra_holidays",
        "extra_workdays",
        "ack_business_days",
        "resolve_business_days",
        "escalation_review_business_days",
        "update_every_business_days",
    },
    "urgency": {"soon_business_hours", "urgent_business_hours"},
    "intake": {"services", "categories", "root_causes", "max_attachment_bytes", "max_text_chars"},
    "external": {"name", "contact", "info"},
    "contact": {"company", "email", "phone", "address"},
    "ui": {"theme", "keys", "tick_seconds", "alerts"},
    "reports": {"ack_target_pct", "resolve_target_pct"},
}


# Upper bounds keep a typo (an extra zero or three) from making every deadline computation walk
# the calendar for centuries or overflow a timedelta.
MAX_BUSINESS_DAYS = 365
MAX_BUSINESS_HOURS = 1000


def _int(key: str, value: Any, minimum: int = 1, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SettingsError(f"{key} must be a whole number of at least {minimum}, not {value!r}.")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{key} must be at most {maximum}, not {value!r}.")
    return value


def _number(key: str, value: Any, maximum: float | None = None) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise SettingsError(f"{key} must be a positive number, not {value!r}.")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{key} must be at most {maximum:g}, not {value!r}.")
    return float(value)


def _pct(key: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 100
    ):
        raise SettingsError(f"{key} must be a percentage from 0 to 100, not {value!r}.")
    return float(value)


def _str(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{key} must be a non-empty string, not {value!r}.")
    return value


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise SettingsError(f"{key} must be a non-empty list of strings.")
    return tuple(v.strip() for v in value)


def _alert_kinds(key: str, value: Any) -> frozenset[AlertKind]:
    names = ", ".join(f'"{k.value}"' for k in ALERT_KINDS)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{key} must be a list of alert kinds ({names}); [] turns them off.")
    unknown = [v for v in value if v not in {k.value for k in ALERT_KINDS}]
    if unknown:
        raise SettingsError(
            f"{key} has an unknown alert kind {unknown[0]!r}; the kinds are {names}."
        )
    return frozenset(AlertKind(v) for v in value)


def _root_causes(key: str, value: Any) -> tuple[str, ...]:
    entries = _str_list(key, value)
    problem = root_cause_list_problem(entries)
    if problem is not None:
        raise SettingsError(f"{key}: {problem}")
    return entries


def _dates(key: str, value: Any) -> frozenset[date]:
    if not isinstance(value, list):
        raise SettingsError(f"{key} must be a list of dates such as 2027-02-03.")
    out = set()
    for item in value:
        # A TOML date-time is a datetime, which is also a date but never equal to one: it would
        # silently match no day at all.
        if isinstance(item, date) and not isinstance(item, datetime):
            out.add(item)
            continue
        try:
            if not isinstance(item, str):
                raise ValueError
            out.add(date.fromisoformat(item.strip()))
        except ValueError:
            raise SettingsError(
                f"{key} has {item!r}, which is not a date such as 2027-02-03."
            ) from None
    return frozenset(out)


def _hours(key: str, value: Any) -> tuple[time, time]:
    try:
        start, end = str(value).split("-")
        opens, closes = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
        if opens.tzinfo or closes.tzinfo or opens.microsecond or closes.microsecond:
            raise ValueError  # local wall-clock times of the calendar's timezone, whole seconds
    except ValueError:
        raise SettingsError(f'{key} must look like "08:00-17:00", not {value!r}.') from None
    if closes <= opens:
        raise SettingsError(f"{key} must close after it opens, not {value!r}.")
    return opens, closes


def _workdays(key: str, value: Any) -> frozenset[int]:
    if not isinstance(value, list) or not value:
        raise SettingsError(f'{key} must be a list of day names such as ["mon", "tue"].')
    out = set()
    for item in value:
        name = item.strip().lower() if isinstance(item, str) else ""
        if name in _FULL_DAY_NAMES:
            name = name[:3]
        if name not in WEEKDAY_NAMES:
            raise SettingsError(f"{key} has {item!r}, which is not a day name (mon … sun).")
        out.add(WEEKDAY_NAMES.index(name))
    return frozenset(out)


_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def settings_from_mapping(data: dict[str, Any]) -> Settings:
    """Build Settings from a parsed TOML document, refusing unknown sections, keys and bad values."""
    for section, values in data.items():
        if section not in _SECTIONS:
            raise SettingsError(
                f"Unknown settings section [{section}]; known: {', '.join(sorted(_SECTIONS))}."
            )
        if not isinstance(values, dict):
            raise SettingsError(f"[{section}] must be a table.")
        for key in values:
            if key not in _SECTIONS[section]:
                raise SettingsError(f"Unknown settings key {section}.{key}.")

    db = data.get("database", {})
    sla = data.get("sla", {})
    urg = data.get("urgency", {})
    intake = data.get("intake", {})
    ext = data.get("external", {})
    contact = data.get("contact", {})
    ui = data.get("ui", {})
    reports = data.get("reports", {})

    cal_defaults = CalendarRules()
    tz = sla.get("timezone", cal_defaults.timezone)
    try:
        ZoneInfo(_str("sla.timezone", tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"sla.timezone {tz!r} is not a known time zone.") from None
    opens, closes = (
        _hours("sla.business_hours", sla["business_hours"])
        if "business_hours" in sla
        else (cal_defaults.opens, cal_defaults.closes)
    )
    country = sla.get("holiday_country", cal_defaults.holiday_country)
    if country in ("", "none", None):
        country = None
    else:
        import holidays as holidays_pkg  # validated here so a typo fails at start, not mid-shift

        country = _str("sla.holiday_country", country).upper()
        if country not in holidays_pkg.list_supported_countries():
            raise SettingsError(f"sla.holiday_country {country!r} is not a supported country code.")
    calendar = CalendarRules(
        timezone=tz,
        workdays=_workdays("sla.workdays", sla["workdays"])
        if "workdays" in sla
        else cal_defaults.workdays,
        opens=opens,
        closes=closes,
        holiday_country=country,
        extra_holidays=_dates("sla.extra_holidays", sla.get("extra_holidays", [])),
        extra_workdays=_dates("sla.extra_workdays", sla.get("extra_workdays", [])),
    )
    d = SlaRules()
    rules_kwargs = {
        k: _int(f"sla.{k}", sla[k], maximum=MAX_BUSINESS_DAYS) if k in sla else getattr(d, k)
        for k in (
            "ack_business_days",
            "resolve_business_days",
            "escalation_review_business_days",
            "update_every_business_days",
        )
    }
    for k in ("soon_business_hours", "urgent_business_hours"):
        rules_kwargs[k] = (
            _number(f"urgency.{k}", urg[k], maximum=MAX_BUSINESS_HOURS)
            if k in urg
            else getattr(d, k)
        )
    if rules_kwargs["urgent_business_hours"] > rules_kwargs["soon_business_hours"]:
        raise SettingsError(
            f"urgency.urgent_business_hours ({rules_kwargs['urgent_business_hours']:g}) must not "
            f"be above urgency.soon_business_hours ({rules_kwargs['soon_business_hours']:g})."
        )
    rules = SlaRules(**rules_kwargs)

    i = IntakeSettings()
    intake_settings = IntakeSettings(
        services=_str_list("intake.services", intake["services"])
        if "services" in intake
        else i.services,
        categories=_str_list("intake.categories", intake["categories"])
        if "categories" in intake
        else i.categories,
        root_causes=_root_causes("intake.root_causes", intake["root_causes"])
        if "root_causes" in intake
        else i.root_causes,
        max_attachment_bytes=_int("intake.max_attachment_bytes", intake["max_attachment_bytes"])
        if "max_attachment_bytes" in intake
        else i.max_attachment_bytes,
        max_text_chars=_int("intake.max_text_chars", intake["max_text_chars"])
        if "max_text_chars" in intake
        else i.max_text_chars,
    )
    e = ExternalSettings()
    c = ContactSettings()
    u = UiSettings()
    keys = ui.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise SettingsError('ui.keys must be a table of binding id = "key".')
    url = db.get("url")
    return Settings(
        database_url=_str("database.url", url) if url is not None else None,
        calendar=calendar,
        sla=rules,
        intake=intake_settings,
        external=ExternalSettings(
            **{
                k: _str(f"external.{k}", ext.get(k, getattr(e, k)))
                for k in ("name", "contact", "info")
            }
        ),
        contact=ContactSettings(
            **{
                k: _str(f"contact.{k}", contact.get(k, getattr(c, k)))
                for k in ("company", "email", "phone", "address")
            }
        ),
        ui=UiSettings(
            theme=_str("ui.theme", ui.get("theme", u.theme)),
            keys=dict(keys),
            tick_seconds=_number("ui.tick_seconds", ui.get("tick_seconds", u.tick_seconds)),
            alerts=_alert_kinds("ui.alerts", ui["alerts"]) if "alerts" in ui else u.alerts,
        ),
        reports=ReportSettings(
            **{
                k: _pct(f"reports.{k}", reports.get(k, getattr(ReportSettings(), k)))
                for k in ("ack_target_pct", "resolve_target_pct")
            }
        ),
    )
