"""A report (services/reports.py build_report) rendered for people and programs: a plain-text
table, JSON, CSV or Markdown. The CLI (`complaint-tui report --format`) and the report
screen's export call ``render_report``; ``write_report`` saves it to a file.

CSV is one row per figure and dimension, with the columns ``figure,dimension,value``:

- ``figure`` is the figure's JSON path with dots (``cases_received``, ``by_channel``,
  ``ack``, ``escalations.by_level``, ``backlog.by_band``, ``weekly.received``,
  ``by_agent.resolve_on_time_pct`` …);
- ``dimension`` is what the figure is split by (a channel, a service, ``on_time``, a level, an
  ISO week such as ``2026-W05``, an agent's name), empty for a single number;
- ``value`` is the number (percentages with one decimal, hours with two); empty for null.

The period and ``as_of`` come first (``period,from,2026-01-01``; ``as_of,,2026-…``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from complaint_tui.domain.reports import DEFINITIONS
from complaint_tui.domain.text import one_line
from complaint_tui.services.errors import Refused


class ReportFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MD = "md"


CSV_COLUMNS = ("figure", "dimension", "value")
# The lists of the report: the key naming each item (its dimension).
_LIST_KEYS = {"weekly": "week", "by_agent": "agent"}
_TITLES = {
    "by_channel": "By channel",
    "by_service": "By service (a case counts once under each of its services)",
    "by_category": "By category",
    "by_priority": "By priority",
    "by_status": "By status",
    "ack": "Acknowledgement clock",
    "resolve": "Resolution clock",
    "ack_business_hours": "Business hours to acknowledge",
    "resolve_business_hours": "Business hours to resolve",
    "closing_responses": "Customer responses at closing",
    "root_causes": "Root causes (most frequent first)",
    "escalations.by_level": "Escalation requests by level",
    "escalations.by_decision": "Escalations by decision",
    "backlog.by_age": "Open cases by age (days since receipt)",
    "backlog.by_band": "Open cases by urgency",
    "weekly": "Weekly (ISO weeks)",
    "by_agent": "By agent",
}
_SINGLE = (
    ("cases_received", "Cases received"),
    ("extensions", "Cases extended"),
    ("reopened", "Cases reopened"),
    ("escalations.requested", "Escalation requests"),
    ("referrals", "Referred to the external body"),
)
_PCT_KEYS = ("on_time_pct", "ack_on_time_pct", "resolve_on_time_pct")


def render_report(
    report: Mapping[str, Any],
    fmt: ReportFormat | str = ReportFormat.TABLE,
    *,
    filters: Mapping[str, str] | None = None,
) -> str:
    """The report as text in ``fmt``; ``filters`` (ReportQuery.filters()) are named in the
    table and Markdown headings (JSON and CSV carry the figures only)."""
    fmt = ReportFormat(fmt)
    if fmt is ReportFormat.JSON:
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if fmt is ReportFormat.CSV:
        return _csv(report)
    if fmt is ReportFormat.MD:
        return _markdown(report, filters or {})
    return _table(report, filters or {})


def write_report(path: Path, text: str) -> Path:
    """Write a rendered report to ``path`` (UTF-8, replacing a file there); anything in the way
    (a folder, a missing folder, no permission) is refused in one sentence."""
    try:
        if path.exists() and not path.is_file():
            raise Refused(f"Cannot write the report to {str(path)!r}: it is not a regular file.")
        path.write_text(text, encoding="utf-8")
    except ValueError:  # a NUL in the path
        raise Refused(f"Cannot write the report to {str(path)!r}: no such file.") from None
    except OSError as exc:
        raise Refused(
            f"Cannot write the report to {str(path)!r}: {exc.strerror or 'it failed'}."
        ) from None
    return path


# ---- CSV ------------------------------------------------------------------------------------
def csv_rows(report: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(figure, dimension, value) for every number of the report, in the report's order."""
    for key, value in report.items():
        if key in _LIST_KEYS:
            for item in value or ():
                name = item[_LIST_KEYS[key]]
                for field, number in item.items():
                    if field != _LIST_KEYS[key]:
                        yield f"{key}.{field}", name, number
        elif isinstance(value, Mapping):
            yield from _mapping_rows(key, value)
        else:
            yield key, "", value


def _mapping_rows(path: str, value: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    for k, v in value.items():
        if isinstance(v, Mapping):
            yield from _mapping_rows(f"{path}.{k}", v)
        else:
            yield path, str(k), v


def _csv(report: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for figure, dimension, value in csv_rows(report):
        writer.writerow((figure, _cell(dimension), "" if value is None else value))
    return out.getvalue()


def _cell(text: str) -> str:
    """A name from the data as one inert cell: no control characters, and no leading
    character a spreadsheet would read as a formula."""
    flat = one_line(str(text))
    return "'" + flat if flat[:1] in ("=", "+", "-", "@") else flat


# ---- table and Markdown -----------------------------------------------------------------------
def _show(value: Any, key: str = "") -> str:
    if value is None:
        return "—"
    if key in _PCT_KEYS or key.endswith("_pct"):
        return f"{value:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _heading(report: Mapping[str, Any], filters: Mapping[str, str]) -> list[str]:
    period = report["period"]
    lines = [
        f"Period: cases received {period['from']} to {period['to']} (inclusive)",
        f"As of: {report['as_of']}",
    ]
    if filters:
        lines.append(
            "Filters: "
            + ", ".join(f"{k.replace('_', ' ')} {one_line(v)}" for k, v in filters.items())
        )
    return lines


def _get(report: Mapping[str, Any], path: str) -> Any:
    value: Any = report
    for part in path.split("."):
        value = value[part]
    return value


def _sections(report: Mapping[str, Any]) -> Iterator[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table of the report."""
    yield (
        "Summary",
        ["Figure", "Value"],
        [[label, _show(_get(report, path))] for path, label in _SINGLE],
    )
    clocks = []
    for key, label in (("ack", "Acknowledgement"), ("resolve", "Resolution")):
        c = report[key]
        h = report[f"{key}_business_hours"]
        clocks.append(
            [
                label,
                str(c["on_time"]),
                str(c["late"]),
                str(c["pending"]),
                _show(c["on_time_pct"], "on_time_pct"),
                _show(h["median"]),
                _show(h["p90"]),
            ]
        )
    yield (
        "Clocks",
        ["Clock", "On time", "Late", "Pending", "On time %", "Median h", "p90 h"],
        clocks,
    )
    for path in (
        "by_channel",
        "by_service",
        "by_category",
        "by_priority",
        "by_status",
        "closing_responses",
        "root_causes",
        "escalations.by_level",
        "escalations.by_decision",
        "backlog.by_age",
        "backlog.by_band",
    ):
        counts = _get(report, path)
        yield (
            _TITLES[path],
            ["", "Cases"],
            [[one_line(str(k), 60), _show(v)] for k, v in counts.items()],
        )
    yield (
        _TITLES["weekly"],
        ["Week", "Received", "Ack on time", "Resolved on time"],
        [
            [
                w["week"],
                str(w["received"]),
                _show(w["ack_on_time_pct"], "on_time_pct"),
                _show(w["resolve_on_time_pct"], "on_time_pct"),
            ]
            for w in report["weekly"]
        ],
    )
    if report.get("by_agent") is not None:
        yield (
            _TITLES["by_agent"],
            ["Agent", "Handled", "Ack on time", "Resolved on time"],
            [
                [
                    one_line(a["agent"], 40),
                    str(a["handled"]),
                    _show(a["ack_on_time_pct"], "on_time_pct"),
                    _show(a["resolve_on_time_pct"], "on_time_pct"),
                ]
                for a in report["by_agent"]
            ],
        )


def _numeric(cell: str) -> bool:
    return cell == "—" or cell.rstrip("%").replace(".", "", 1).isdigit()


def _table(report: Mapping[str, Any], filters: Mapping[str, str]) -> str:
    lines = ["Complaint report", *_heading(report, filters)]
    for title, header, rows in _sections(report):
        lines += ["", title]
        if not rows:
            lines.append("  (none)")
            continue
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for r in [header, *rows]:
            cells = [
                c.rjust(w) if i and _numeric(c) else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ]
            lines.append("  " + "  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return one_line(text).replace("\\", "\\\\").replace("|", "\\|") or " "


def _markdown(report: Mapping[str, Any], filters: Mapping[str, str]) -> str:
    period = report["period"]
    lines = [f"# Complaint report {period['from']} to {period['to']}", ""]
    lines += [f"- {_md_cell(line)}" for line in _heading(report, filters)]
    lines += ["", "## Definitions", ""]
    lines += [f"- {d}" for d in DEFINITIONS]
    for title, header, rows in _sections(report):
        lines += ["", f"## {title}", ""]
        if not rows:
            lines.append("None.")
            continue
        lines.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
        lines.append("|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|")
        for r in rows:
            lines.append("| " + " | ".join(_md_cell(c) for c in r) + " |")
    return "\n".join(lines) + "\n"


def report_sections(report: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table of the report, the cells as the table and Markdown
    formats show them; the report screen shows the same tables."""
    return list(_sections(report))
