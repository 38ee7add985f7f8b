"""Report arithmetic and words shared by the report service, its exports and the report screen:
on-time percentages, nearest-rank percentiles, ISO week labels, the definitions (SPEC §4
"Reports"; the README repeats them) and the report's vocabularies."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# The definitions, word for word as the README and the Markdown export give them.
DEFINITIONS = (
    "Period: the cases received between the two local dates (inclusive) in the configured time "
    "zone; every figure is about those cases, as of the report's `as_of` instant (now).",
    "A clock is *on time* when its event happened at or before its due instant, under the "
    "case's pauses and extensions.",
    "It is *late* when it happened after, or has not happened and the due instant is past `as_of`.",
    "It is *pending* otherwise. `on_time_pct = on_time / (on_time + late)`, one decimal; null "
    "when nothing is decided.",
    "Business hours are counted on the business calendar (pauses excluded for resolution): "
    "from receipt to the acknowledgement, and from receipt to the (last) resolution.",
    "p90 is the nearest-rank 90th percentile (the median is the nearest-rank 50th).",
)

# The order figures are listed in, and the keys that are always present (with 0).
ESCALATION_LEVELS = ("1", "2")
PENDING = "pending"
AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    # (label, lower bound in calendar days since receipt); the last is open-ended.
    ("<1d", 0),
    ("1-2d", 1),
    ("2-5d", 2),
    ("5-10d", 5),
    ("10-30d", 10),
    (">30d", 30),
)
NO_CATEGORY = "(none)"


def on_time_pct(on_time: int, late: int) -> float | None:
    """on_time / (on_time + late) in percent, one decimal (half up); None when nothing is decided."""
    decided = on_time + late
    if decided == 0:
        return None
    pct = (Decimal(on_time) * 100 / Decimal(decided)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(pct)


def nearest_rank(count: int, percentile: float) -> int:
    """The 1-based rank of the nearest-rank ``percentile`` (0 < p <= 100) of ``count`` values."""
    if count < 1:
        raise ValueError("no values")
    return max(1, math.ceil(Decimal(str(percentile)) / 100 * count))


def hours(seconds: float | None) -> float | None:
    """Business seconds as hours, two decimals (half up)."""
    if seconds is None:
        return None
    return float((Decimal(repr(float(seconds))) / 3600).quantize(Decimal("0.01"), ROUND_HALF_UP))


def iso_week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_mondays(first: date, last: date) -> list[date]:
    """The Monday of every ISO week that meets the period ``first``..``last``."""
    monday = first - timedelta(days=first.weekday())
    out = []
    while monday <= last:
        out.append(monday)
        monday += timedelta(days=7)
    return out
