"""Issue 10 "Done means": import the fixed file, then the report gives exactly the hand-computed
counts, percentages and medians; the service on SQLite and PostgreSQL, `complaint-tui report
--format json` on SQLite (on PostgreSQL the CLI's identity is the database login).

The figures were worked out by hand from tests/data/history_import.jsonl with the default
calendar (Asia/Ho_Chi_Minh, Mon-Fri 08:00-17:00, Vietnamese public holidays: 2026-09-01 and
2026-09-02 are National Day) and the default clocks (acknowledge in 1 business day, resolve in
5), as of the tests' clock, Wed 2026-11-25 10:00 +07:00. "Due in N business days" is 17:00 of
the Nth business day strictly after the local date of the instant.

Per case (business hours to acknowledge / to resolve, pauses excluded):
- OLD-1001 Mon 11-02 09:00; ack 10:00 (due Tue 11-03 17:00: on time, 1 h); resolved Thu 11-05
  15:00 (due Mon 11-09 17:00: on time; Mon 8 + Tue 9 + Wed 9 + Thu 7 = 33 h); closed accepted.
- OLD-1002 Mon 11-09 09:00; ack Wed 11-11 09:00 (due Tue 11-10 17:00: late; 8 + 9 + 1 = 18 h);
  paused Thu 11-12 10:00 to Mon 11-16 14:00 (7 + 9 + 6 = 22 h paused; 25 h were left, so due
  Thu 11-19 12:00), extended 2 days on 11-17 (due Mon 11-23 17:00); resolved Fri 11-20 16:00
  (on time; 8 + 8 x 9 + 8 = 88 h less 22 h paused = 66 h); closed without response.
- OLD-1003 Wed 09-02 10:00, a holiday; ack Thu 09-03 09:00 (due Thu 09-03 17:00: on time;
  0 + 1 = 1 h); resolved Tue 09-08 11:00 (due Wed 09-09 17:00: on time; Thu 9 + Fri 9 + Mon 9
  + Tue 3 = 30 h); closed rejected; a level-1 escalation confirmed; referred.
- OLD-1004 Mon 10-05 09:00; ack 11:00 (on time, 2 h); resolved, closed, reopened Mon 10-12
  10:00 (resolution due again Mon 10-19 17:00), resolved Thu 10-15 12:00 (on time; 8 + 7 x 9
  + 4 = 75 h from receipt); closed accepted.
- OLD-1005 Wed 11-25 08:30, new, assigned to alice: acknowledgement due Thu 11-26 17:00, after
  now, so both clocks pending.
- OLD-1006 Mon 11-16 09:00; ack 10:00 (on time, 1 h); waiting on the customer since Wed 11-18
  10:00 with time left on its resolution clock: pending.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from complaint_tui.services.history_import import import_history
from complaint_tui.services.reports import ReportQuery, build_report
from tests.test_cli import Cli
from tests.test_history_import import FIXED

QUERY = ReportQuery(date(2026, 9, 1), date(2026, 11, 30))


def week(label: str, received: int = 0, ack=None, resolve=None) -> dict:
    return {
        "week": label,
        "received": received,
        "ack_on_time_pct": ack,
        "resolve_on_time_pct": resolve,
    }


EXPECTED = {
    "period": {"from": "2026-09-01", "to": "2026-11-30"},
    "as_of": "2026-11-25T10:00:00+07:00",
    # Six lines, all received within the period.
    "cases_received": 6,
    # ticket: 1003; email: 1001, 1005, 1006; phone: 1002; chat: 1004.
    "by_channel": {"ticket": 1, "email": 3, "phone": 1, "chat": 1, "other": 0},
    # A case counts once under each service: 1002 under Email hosting and DNS.
    "by_service": {"VPS": 2, "Web hosting": 2, "Backup": 1, "DNS": 1, "Email hosting": 1},
    # 1005 has no category; the other five one each.
    "by_category": {
        "(none)": 1,
        "Billing": 1,
        "Data loss": 1,
        "Outage": 1,
        "Performance": 1,
        "Support quality": 1,
    },
    # 1002 is high, the rest normal.
    "by_priority": {"low": 0, "normal": 5, "high": 1, "critical": 0},
    # 1005 new, 1006 waiting, 1001-1004 closed.
    "by_status": {
        "new": 1,
        "acknowledged": 0,
        "investigating": 0,
        "waiting_on_customer": 1,
        "resolved": 0,
        "closed": 4,
    },
    # On time: 1001, 1003, 1004, 1006; late: 1002; pending: 1005. 4 / 5 = 80.0 %.
    "ack": {"on_time": 4, "late": 1, "pending": 1, "on_time_pct": 80.0},
    # On time: 1001-1004 (1002 under its pause and extension, 1004 after its reopen); pending:
    # 1005 (not due yet) and 1006 (paused with time left). 4 / 4 = 100.0 %.
    "resolve": {"on_time": 4, "late": 0, "pending": 2, "on_time_pct": 100.0},
    # Hours to acknowledge 1, 1, 1, 2, 18: median the 3rd of 5 (1.0), p90 the 5th (18.0).
    "ack_business_hours": {"median": 1.0, "p90": 18.0},
    # Hours to resolve 30, 33, 66, 75: median the 2nd of 4 (33.0), p90 the 4th (75.0).
    "resolve_business_hours": {"median": 33.0, "p90": 75.0},
    # 1002's extension; 1004's reopen.
    "extensions": 1,
    "reopened": 1,
    # 1003's level-1 request, confirmed.
    "escalations": {
        "requested": 1,
        "by_level": {"1": 1, "2": 0},
        "by_decision": {"confirm": 1, "reopen": 0, "refer-up": 0, "pending": 0},
    },
    # 1003, after its rejected closing.
    "referrals": 1,
    # accepted: 1001, 1004; rejected: 1003; no response: 1002.
    "closing_responses": {"accepted": 2, "rejected": 1, "no_response": 1},
    # One each (1004's earlier "Software defect" was replaced at its last resolution); ties in
    # alphabetical order.
    "root_causes": {
        "Capacity shortfall": 1,
        "Configuration error": 1,
        "Hardware failure": 1,
        "Other: payment gateway retried": 1,
    },
    # Open: 1005 (1.5 h old; new, 16 business hours to its acknowledgement due: ok) and 1006
    # (9 days old; paused).
    "backlog": {
        "by_age": {"<1d": 1, "1-2d": 0, "2-5d": 0, "5-10d": 1, "10-30d": 0, ">30d": 0},
        "by_band": {"breached": 0, "urgent": 0, "soon": 0, "ok": 1, "paused": 1},
    },
    # ISO weeks from the one of 09-01 (W36) to the one of 11-30 (W49): 1003 in W36, 1004 in
    # W41, 1001 in W45, 1002 in W46 (late acknowledgement), 1006 in W47 (resolution pending),
    # 1005 in W48 (both pending).
    "weekly": [
        week("2026-W36", 1, 100.0, 100.0),
        *(week(f"2026-W{n}") for n in range(37, 41)),
        week("2026-W41", 1, 100.0, 100.0),
        *(week(f"2026-W{n}") for n in range(42, 45)),
        week("2026-W45", 1, 100.0, 100.0),
        week("2026-W46", 1, 0.0, 100.0),
        week("2026-W47", 1, 100.0, None),
        week("2026-W48", 1, None, None),
        week("2026-W49"),
    ],
    # Only 1005 is assigned (to alice), and neither of its clocks is decided.
    "by_agent": [
        {"agent": "alice", "handled": 1, "ack_on_time_pct": None, "resolve_on_time_pct": None}
    ],
}


def test_the_imported_file_reports_the_hand_computed_figures(ctx, agents):
    import_history(ctx, agents["sue"], FIXED)
    assert build_report(ctx, agents["max"], QUERY) == EXPECTED


def test_cli_import_then_report_json_gives_the_hand_computed_figures(tmp_path):
    app = Cli(tmp_path)
    app.ok("init", as_="ada")
    for name, role in (("alice", "agent"), ("sue", "supervisor"), ("max", "manager")):
        app.ok("agent", "add", name, "--role", role, as_="ada")
    app.ok("import", str(FIXED), as_="sue")
    out = app.ok(
        "report", "--from", "2026-09-01", "--to", "2026-11-30", "--format", "json", as_="max"
    )
    assert json.loads(out) == EXPECTED


@pytest.mark.parametrize("name", ["sue", "max"])
def test_supervisors_and_managers_read_the_same_figures(ctx, agents, name):
    import_history(ctx, agents["max"], FIXED)
    assert build_report(ctx, agents[name], QUERY) == EXPECTED
