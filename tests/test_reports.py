"""Reports (issue 10): every figure of the JSON contract against hand-computed expectations
(tests/report_scenario.py), on SQLite and PostgreSQL; who may read them; the filters; the
exports; the figures filled for cases from before migration 0011."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import select, update

from complaint_tui.domain.reports import nearest_rank, on_time_pct
from complaint_tui.services.errors import NotFound, ValidationFailed
from complaint_tui.services.report_format import (
    CSV_COLUMNS,
    csv_rows,
    render_report,
    write_report,
)
from complaint_tui.services.reports import (
    REPORT_KEYS,
    ReportQuery,
    build_report,
    resolve_hours_distribution,
)
from complaint_tui.store.models import Case
from tests.helpers_db import assert_denied
from tests.report_scenario import AS_OF, EXPECTED, PERIOD, build_scenario

QUERY = ReportQuery(*PERIOD)


@pytest.fixture
def scenario(ctx, agents, clock) -> dict[str, str]:
    return build_scenario(ctx, agents, clock)


def test_the_report_matches_the_hand_computed_figures(ctx, agents, scenario):
    report = build_report(ctx, agents["max"], QUERY)
    assert tuple(report) == REPORT_KEYS
    for key in REPORT_KEYS:  # one key at a time: a failure names the figure
        assert report[key] == EXPECTED[key], key
    assert report == EXPECTED
    assert build_report(ctx, agents["sue"], QUERY) == EXPECTED


def test_an_agent_reads_the_cases_they_may_see_without_the_per_agent_table(ctx, agents, scenario):
    report = build_report(ctx, agents["alice"], QUERY)
    assert tuple(report) == REPORT_KEYS
    assert report["by_agent"] is None
    # H is confidential and bob's: alice's report leaves it out (ack on time, resolve late).
    assert report["cases_received"] == 7
    assert report["ack"] == {"on_time": 4, "late": 2, "pending": 1, "on_time_pct": 66.7}
    assert report["resolve"] == {"on_time": 4, "late": 0, "pending": 3, "on_time_pct": 100.0}


def test_an_admin_is_refused_and_the_refusal_logged(ctx, agents, scenario):
    assert_denied(
        ctx, lambda: build_report(ctx, agents["ada"], QUERY), actor="ada", what="report", ref=None
    )


def test_filters_narrow_the_cases(ctx, agents, scenario):
    def received(**filters) -> int:
        return build_report(ctx, agents["max"], ReportQuery(*PERIOD, **filters))["cases_received"]

    assert received(policy_version="2") == 3  # F G H
    assert received(assignee="alice") == 3
    assert received(channel="email") == 3
    assert received(service="Backup") == 2
    assert received(category="Outage", priority="high") == 2
    assert received(service="Backup", channel="chat") == 1
    v2 = build_report(ctx, agents["max"], ReportQuery(*PERIOD, policy_version="2"))
    assert v2["resolve"] == {"on_time": 0, "late": 1, "pending": 2, "on_time_pct": 0.0}
    assert v2["weekly"][0]["received"] == 1  # H, received in W47 under v2
    with pytest.raises(NotFound, match="No policy version '9'"):
        build_report(ctx, agents["max"], ReportQuery(*PERIOD, policy_version="9"))
    with pytest.raises(NotFound, match="No agent 'nobody'"):
        build_report(ctx, agents["max"], ReportQuery(*PERIOD, assignee="nobody"))
    with pytest.raises(ValidationFailed, match="channel: choose one of"):
        build_report(ctx, agents["max"], ReportQuery(*PERIOD, channel="fax"))


def test_the_period_is_of_local_dates_inclusive(ctx, agents, scenario):
    # G was received Sun 29 20:00 local (13:00 UTC): it belongs to the 29th, not the 30th.
    last_day = build_report(ctx, agents["max"], ReportQuery(date(2026, 11, 29), date(2026, 11, 29)))
    assert last_day["cases_received"] == 1
    assert [w["week"] for w in last_day["weekly"]] == ["2026-W48"]
    later = build_report(ctx, agents["max"], ReportQuery(date(2026, 11, 30), date(2026, 12, 6)))
    assert later["cases_received"] == 0
    assert later["ack"]["on_time_pct"] is None
    assert later["ack_business_hours"] == {"median": None, "p90": None}
    with pytest.raises(ValidationFailed, match="starts after it ends"):
        build_report(ctx, agents["max"], ReportQuery(date(2026, 11, 30), date(2026, 11, 1)))


def test_resolve_hours_distribution_counts_in_buckets(ctx, agents, scenario):
    # Resolved in 24, 25, 42 and 59 business hours.
    assert resolve_hours_distribution(ctx, agents["max"], QUERY, [24, 30, 50]) == [0, 2, 1, 1]
    assert resolve_hours_distribution(ctx, agents["max"], QUERY, [8]) == [0, 4]
    with pytest.raises(ValidationFailed):
        resolve_hours_distribution(ctx, agents["max"], QUERY, [5, 5])


def test_exports_carry_the_same_figures_and_no_customer(ctx, agents, scenario, tmp_path):
    report = build_report(ctx, agents["max"], QUERY)
    filters = {"service": "VPS"}
    outputs = {
        fmt: render_report(report, fmt, filters=filters) for fmt in ("table", "json", "csv", "md")
    }
    assert json.loads(outputs["json"]) == EXPECTED
    for text in outputs.values():
        assert "khach.hang" not in text
    rows = list(csv.reader(io.StringIO(outputs["csv"])))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) - 1 == len(list(csv_rows(report)))
    body = {(f, d): v for f, d, v in rows[1:]}
    assert body[("cases_received", "")] == "8"
    assert body[("ack", "on_time_pct")] == "71.4"
    assert body[("by_channel", "email")] == "3"
    assert body[("escalations.by_level", "2")] == "1"
    assert body[("escalations", "requested")] == "3"
    assert body[("backlog.by_band", "paused")] == "2"
    assert body[("weekly.resolve_on_time_pct", "2026-W47")] == "75.0"
    assert body[("by_agent.handled", "bob")] == "3"
    assert body[("resolve_business_hours", "p90")] == "59.0"
    md = outputs["md"]
    assert md.startswith("# Complaint report 2026-11-16 to 2026-11-29\n")
    assert "## Definitions" in md and "nearest-rank 90th percentile" in md
    assert "| Acknowledgement | 5 | 2 | 1 | 71.4% | 1.00 | 11.00 |" in md
    # Weekly and per-agent percentages read as percentages too (once "75.00").
    assert "| 2026-W47 |" in md and "75.0%" in md.split("2026-W47", 1)[1].splitlines()[0]
    assert "75.00" not in md
    assert "service VPS" in md and "service VPS" in outputs["table"]
    path = write_report(tmp_path / "report.md", md)
    assert path.read_text(encoding="utf-8") == md


def test_a_name_from_the_data_is_inert_in_every_format():
    report = dict(EXPECTED, root_causes={"=HYPERLINK(1)|x\x1b[2J": 1})
    outputs = {fmt: render_report(report, fmt) for fmt in ("table", "csv", "md")}
    assert all("\x1b" not in text for text in outputs.values())
    cells = [r for r in csv.reader(io.StringIO(outputs["csv"])) if r[0] == "root_causes"]
    assert len(cells) == 1 and cells[0][1].startswith("'=HYPERLINK(1)|x")  # not a formula
    assert "=HYPERLINK(1)\\|x" in outputs["md"]  # the pipe does not split the table row


def test_init_fills_the_figures_of_cases_from_before_0011(ctx, agents, scenario):
    with ctx.db.engine.begin() as conn:
        before = dict(conn.execute(select(Case.ref, Case.ack_business_s)).all())
        conn.execute(update(Case).values(ack_business_s=None, resolve_business_s=None))
    assert ctx.fill_report_figures() == 6  # the acknowledged ones: A B C D F H
    assert ctx.fill_report_figures() == 0
    with ctx.db.engine.connect() as conn:
        after = dict(conn.execute(select(Case.ref, Case.ack_business_s)).all())
        resolved = dict(conn.execute(select(Case.ref, Case.resolve_business_s)).all())
    assert after == before
    # Pauses were not kept before 0011: A's 18 paused hours count (42 + 18); the others had none.
    assert resolved[scenario["A"]] == 60 * 3600
    assert resolved[scenario["B"]] == 59 * 3600
    assert resolved[scenario["C"]] == 25 * 3600


def test_on_time_pct_and_nearest_rank():
    assert on_time_pct(0, 0) is None
    assert on_time_pct(2, 1) == 66.7
    assert on_time_pct(1, 7) == 12.5
    assert on_time_pct(1, 15) == 6.3  # 6.25 rounds half up
    assert [nearest_rank(10, 90), nearest_rank(10, 50), nearest_rank(1, 90)] == [9, 5, 1]
    assert [nearest_rank(6, 50), nearest_rank(6, 90), nearest_rank(4, 90)] == [3, 6, 4]


def test_the_cli_prints_the_report_in_each_format(tmp_path, settings, clock):
    from complaint_tui.services.context import AppContext
    from complaint_tui.services.identity import actor_named
    from tests.conftest import add_agent
    from tests.test_cli import Cli

    cli = Cli(tmp_path)
    cli.ok("init")
    ctx = AppContext.build(settings, cli.env["COMPLAINT_TUI_DB"], clock)
    try:
        roles = (("alice", "agent"), ("bob", "agent"), ("sue", "supervisor"), ("max", "manager"))
        team = {name: add_agent(ctx, name, role) for name, role in roles}
        team["ada"] = actor_named(ctx, "ada")
        build_scenario(ctx, team, clock)
    finally:
        ctx.db.dispose()
    now = AS_OF.isoformat()
    args = ("report", "--from", "2026-11-16", "--to", "2026-11-29")
    assert json.loads(cli.ok(*args, "--format", "json", as_="max", now=now)) == EXPECTED
    assert cli.ok(*args, "--format", "csv", as_="max", now=now).startswith(
        "figure,dimension,value\n"
    )
    out = tmp_path / "report.md"
    assert cli.ok(*args, "--format", "md", "--output", str(out), as_="max", now=now) == (
        f"Wrote the report to {out}.\n"
    )
    assert out.read_text(encoding="utf-8").startswith("# Complaint report 2026-11-16")
    # Without --from: the 30 days ending --to (default today).
    default = json.loads(cli.ok("report", "--format", "json", as_="max", now=now))
    assert default["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert default["cases_received"] == 8
    assert "is not a date" in cli.refused("report", "--from", "2026-02-30", as_="max")
    assert "starts after it ends" in cli.refused(
        "report", "--from", "2026-12-01", "--to", "2026-11-01", as_="max"
    )
    assert "Cannot write the report" in cli.refused(
        "report", "--output", str(tmp_path / "missing" / "r.md"), as_="max"
    )
    assert "Admins do not handle cases" in cli.refused("report", as_="ada")
