"""`complaint-tui audit` on a SQLite file: a case's trail and one person's, as text and JSON; who
may run it; usage errors. (PostgreSQL, with real login roles: tests/test_pg_audit.py.)"""

from __future__ import annotations

import json

import pytest

from tests.test_cli import Cli

JSON_KEYS = {"at", "actor", "action", "allowed", "detail", "ref", "source", "via", "changes"}


@pytest.fixture
def desk(tmp_path) -> Cli:
    """ada (admin), alice and bob (agents), sue (supervisor), max (manager); one case of alice's
    with a note, viewed by bob, refused to ada; the clock moves a minute between steps."""
    c = Cli(tmp_path)
    c.ok("init", as_="ada")
    for name, role in (("alice", "agent"), ("bob", "agent"), ("sue", "supervisor")):
        c.ok("agent", "add", name, "--role", role, as_="ada")
    c.ok("agent", "add", "max", "--role", "manager", as_="ada")
    c.ref = c.new_case(as_="alice", now="2026-11-24T09:00:00+07:00")
    c.ok("case", "assign", c.ref, "alice", as_="alice", now="2026-11-24T09:01:00+07:00")
    c.ok(
        "case", "note", c.ref, "[red]call[/] back\x1b[2J", as_="alice", now="2026-11-24T09:02+07:00"
    )
    c.ok("case", "show", c.ref, as_="bob", now="2026-11-25T08:00:00+07:00")
    c.refused("case", "show", c.ref, as_="ada", now="2026-11-25T08:01:00+07:00")
    return c


def test_audit_prints_the_case_trail_oldest_first(desk):
    out = desk.ok("audit", desk.ref, as_="sue", now="2026-11-25T09:00:00+07:00")
    lines = out.splitlines()
    assert lines[:3] == [
        "Tue 2026-11-24 09:00  alice            created          timeline        Received by email.",
        "Tue 2026-11-24 09:01  alice            assignment       timeline        assigned to alice",
        "Tue 2026-11-24 09:02  alice            note             timeline        [red]call[/] back",
    ]
    assert lines[3] == "Wed 2026-11-25 08:00  bob              view             allowed"
    assert lines[4].startswith(
        "Wed 2026-11-25 08:01  ada              view             REFUSED         Admins do not read"
    )
    assert lines[5:] == ["Wed 2026-11-25 09:00  sue              audit            allowed"]
    assert "\x1b" not in out


def test_audit_json_is_a_list_of_entries_with_fixed_keys(desk):
    entries = json.loads(desk.ok("audit", desk.ref.lower(), "--json", as_="max"))
    assert [(e["source"], e["actor"], e["action"], e["allowed"]) for e in entries] == [
        ("timeline", "alice", "created", True),
        ("timeline", "alice", "assignment", True),
        ("timeline", "alice", "note", True),
        ("access", "bob", "view", True),
        ("access", "ada", "view", False),
        ("access", "max", "audit", True),
    ]
    for entry in entries:
        assert set(entry) == JSON_KEYS
        assert entry["ref"] == desk.ref and entry["via"] is None and entry["changes"] == []
        assert entry["at"].endswith("+07:00")


def test_audit_actor_trail_with_a_period_of_local_dates(desk):
    everything = json.loads(desk.ok("audit", "--actor", "alice", "--json", as_="sue"))
    assert [e["action"] for e in everything] == ["created", "assignment", "note"]
    one_day = desk.ok(
        "audit", "--actor", "alice", "--from", "2026-11-24", "--to", "2026-11-24", as_="sue"
    )
    assert len(one_day.splitlines()) == 3
    assert all(f" {desk.ref} " in line for line in one_day.splitlines())  # the case of each
    assert desk.ok("audit", "--actor", "alice", "--from", "2026-11-25", as_="sue") == ""
    assert desk.ok("audit", "--actor", "alice", "--to", "2026-11-23", "--json", as_="sue") == "[]\n"
    # Both reads of alice's trail are logged, with the period asked for.
    mine = json.loads(desk.ok("audit", "--actor", "sue", "--json", as_="max"))
    assert [e["detail"] for e in mine if e["action"] == "audit"] == [
        "trail of alice",
        "trail of alice from 2026-11-24 to 2026-11-24",
        "trail of alice from 2026-11-25",
        "trail of alice to 2026-11-23",
    ]


def test_agents_and_admins_are_refused_and_it_shows_in_the_trail(desk):
    for who in ("alice", "ada"):
        line = desk.refused("audit", desk.ref, as_=who)
        assert line.startswith("complaint-tui: Only supervisors and managers may read")
        desk.refused("audit", "--actor", "bob", as_=who)
    entries = json.loads(desk.ok("audit", desk.ref, "--json", as_="sue"))
    refused = [(e["actor"], e["action"]) for e in entries if not e["allowed"]]
    assert refused == [("ada", "view"), ("alice", "audit"), ("ada", "audit")]


def test_audit_refusals_and_usage_errors(desk):
    assert "No case" in desk.refused("audit", "C-2026-99999", as_="sue")
    assert "period is empty" in desk.refused(
        "audit", "--actor", "alice", "--from", "2026-11-25", "--to", "2026-11-24", as_="sue"
    )
    assert "either a case REF or --actor" in desk.usage("audit", as_="sue")
    assert "either a case REF or --actor" in desk.usage("audit", desk.ref, "--actor", "x")
    assert "go with --actor" in desk.usage("audit", desk.ref, "--from", "2026-11-01")
    assert "YYYY-MM-DD" in desk.usage("audit", "--actor", "alice", "--to", "30/11/2026")
