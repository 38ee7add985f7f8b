"""The command line of SPEC §4, driven for real against a SQLite file.

Exit codes: 0 success; 1 refused with exactly one line on stderr and no traceback; 2 usage error.
Due instants are worked out by hand from the Vietnamese public holidays:
Tết 2027 is Thu 4 – Wed 10 Feb; 2026-04-27 (Hùng Kings, observed), 2026-04-30 and 2026-05-01 are
holidays; 2027-04-30 (Fri), 2027-05-01 (Sat) and 2027-05-03 (Mon, observed) are holidays.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sysconfig
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaint_tui.cli import cli
from complaint_tui.domain.settings import Settings
from complaint_tui.services.context import AppContext
from tests.helpers_db import dump

# The console script of the interpreter running the tests (its venv), never a fixed path.
SCRIPT = Path(sysconfig.get_path("scripts")) / "complaint-tui"
NOW_2026 = "2026-11-25T10:00:00+07:00"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")
SPEC_FIELDS = (
    "ref status customer services channel subject description desired_outcome priority category "
    "confidential assignee escalation_level received_at acknowledged_at resolved_at ack_due_at "
    "resolve_due_at urgency timeline"
).split()
INSTANT_FIELDS = ("received_at", "acknowledged_at", "resolved_at", "ack_due_at", "resolve_due_at")


class Cli:
    """Runs `complaint-tui` in-process with an isolated database, settings file and clock."""

    def __init__(self, tmp_path: Path, db_url: str | None = None) -> None:
        self.tmp = tmp_path
        self.config = tmp_path / "config.toml"
        self.config.write_text("")
        self.env = {
            "COMPLAINT_TUI_DB": db_url or f"sqlite:///{tmp_path / 'cli.db'}",
            "COMPLAINT_TUI_CONFIG": str(self.config),
            "COMPLAINT_TUI_AGENT": "ada",
            "COMPLAINT_TUI_NOW": NOW_2026,
            "NO_COLOR": "1",
        }
        self.runner = CliRunner()

    def run(self, *args: str, as_: str | None = None, now: str | None = None, stdin=None) -> Result:
        env = dict(self.env)
        if as_ is not None:
            env["COMPLAINT_TUI_AGENT"] = as_
        if now is not None:
            env["COMPLAINT_TUI_NOW"] = now
        return self.runner.invoke(cli, list(args), env=env, input=stdin)

    def ok(self, *args: str, **kw) -> str:
        result = self.run(*args, **kw)
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        assert "Traceback" not in result.stderr
        return result.stdout

    def refused(self, *args: str, **kw) -> str:
        """Exit 1, nothing on stdout, exactly one line on stderr; returns that line."""
        result = self.run(*args, **kw)
        assert result.exit_code == 1, (args, result.stdout, result.stderr, result.exception)
        assert isinstance(result.exception, SystemExit), result.exception  # not a crash
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
        assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
        line = result.stderr.strip()
        assert line and "\x1b" not in line
        return line

    def usage(self, *args: str, **kw) -> str:
        result = self.run(*args, **kw)
        assert result.exit_code == 2, (args, result.stdout, result.stderr, result.exception)
        assert isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.stderr
        return result.stderr

    def new_case(self, *extra: str, as_: str = "alice", **kw) -> str:
        out = self.ok(
            "case",
            "new",
            "--customer",
            "nguyenvana",
            "--service",
            "VPS",
            "--channel",
            "email",
            "--subject",
            "VPS unreachable",
            "--description",
            "Cannot SSH since 09:00.",
            *extra,
            as_=as_,
            **kw,
        )
        assert re.fullmatch(r"C-\d{4}-\d{5}\n", out), repr(out)
        return out.strip()

    def in_fresh_home(self, home: Path) -> None:
        """Run as someone who never ran the program: their own empty home and user folders,
        no database or settings named."""
        for key in ("COMPLAINT_TUI_DB", "COMPLAINT_TUI_CONFIG"):
            self.env.pop(key, None)
        self.env |= {
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
        }

    def dump(self) -> dict:
        """Every row except the access log (refused permission attempts are logged by design)."""
        ctx = AppContext.build(Settings(), self.env["COMPLAINT_TUI_DB"])
        try:
            return dump(ctx, exclude={"access_log"})
        finally:
            ctx.db.dispose()

    def show(self, ref: str, **kw) -> dict:
        return json.loads(self.ok("case", "show", ref, "--json", **kw))


@pytest.fixture(scope="module")
def initialised_db(tmp_path_factory) -> Path:
    """One database made by `init` and `agent add` (tested below), copied for each test."""
    c = Cli(tmp_path_factory.mktemp("cli-template"))
    out = c.ok("init")
    assert "ada is the first admin" in out
    for name, role in (("alice", "agent"), ("bob", "agent"), ("sue", "supervisor")):
        assert c.ok("agent", "add", name, "--role", role) == f"Added {name} as {role}.\n"
    gc.collect()  # engines left by the in-process runs close their connections
    conn = sqlite3.connect(c.tmp / "cli.db")
    busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    conn.close()
    assert busy == 0, "the WAL could not be folded into the template file"
    return c.tmp / "cli.db"


@pytest.fixture
def app(tmp_path, initialised_db) -> Cli:
    """ada is the first admin; alice and bob are agents; sue is a supervisor.

    Commands run as alice unless they say otherwise.
    """
    c = Cli(tmp_path)
    shutil.copy(initialised_db, tmp_path / "cli.db")
    c.env["COMPLAINT_TUI_AGENT"] = "alice"
    return c


# ---- init and agents --------------------------------------------------------------------------
def test_init_makes_the_first_login_admin_and_only_once(tmp_path):
    c = Cli(tmp_path)
    first = c.ok("init", as_="ada")
    assert "ada is the first admin" in first
    second = c.ok("init", as_="eve")
    assert "admin" not in second and "up to date" in second
    agents = json.loads(c.ok("agent", "list", "--json", as_="ada"))
    assert agents == [{"name": "ada", "role": "admin", "active": True}]
    line = c.refused("agent", "list", as_="eve")
    assert "eve" in line


def test_agent_add_and_list(app):
    listing = app.ok("agent", "list", as_="sue")
    assert [ln.split()[:2] for ln in listing.splitlines()] == [
        ["ada", "admin"],
        ["alice", "agent"],
        ["bob", "agent"],
        ["sue", "supervisor"],
    ]
    assert "already exists" in app.refused("agent", "add", "alice", "--role", "agent", as_="ada")
    assert "admin" in app.refused("agent", "add", "mallory", "--role", "admin", as_="alice")
    app.refused("agent", "list", as_="alice")
    app.refused("agent", "add", "../etc", "--role", "agent", as_="ada")
    app.usage("agent", "add", "carol", "--role", "boss", as_="ada")
    app.usage("agent", "add", "carol", as_="ada")
    assert "mallory" not in app.ok("agent", "list", as_="ada")


# ---- case new / show --------------------------------------------------------------------------
def test_case_new_prints_the_ref_alone(app):
    assert app.new_case() == "C-2026-00001"
    assert app.new_case() == "C-2026-00002"
    ref = app.new_case(now="2027-01-04T09:00:00+07:00")
    assert ref == "C-2027-00001"


def test_show_json_has_every_spec_field(app, tmp_path):
    evidence = tmp_path / "traceroute.txt"
    evidence.write_bytes(b"1 10.0.0.1 0.5 ms\n")
    ref = app.new_case(
        "--service",
        "DNS",
        "--desired-outcome",
        "Credit for the outage",
        "--priority",
        "high",
        "--category",
        "Outage",
        "--received-at",
        "2026-11-24T16:30:00+07:00",
        "--event",
        "2026-11-24T09:00:00+07:00 First timeout noticed",
        "--attach",
        str(evidence),
        "--confidential",
    )
    data = app.show(ref, as_="sue")  # confidential and unassigned: not alice's to see
    missing = [f for f in SPEC_FIELDS if f not in data]
    assert not missing, missing
    assert data["ref"] == ref
    assert data["status"] == "new"
    assert data["customer"] == "nguyenvana"
    assert data["services"] == ["VPS", "DNS"]
    assert data["channel"] == "email"
    assert data["subject"] == "VPS unreachable"
    assert data["description"] == "Cannot SSH since 09:00."
    assert data["desired_outcome"] == "Credit for the outage"
    assert data["priority"] == "high"
    assert data["category"] == "Outage"
    assert data["confidential"] is True
    assert data["assignee"] is None  # null, as in `case list --json`
    assert data["escalation_level"] == 0
    assert data["acknowledged_at"] is None and data["resolved_at"] is None
    # Received Tue 24 Nov 2026: 1st business day after is Wed 25, 5th is Tue 1 Dec.
    assert data["received_at"] == "2026-11-24T16:30:00+07:00"
    assert data["ack_due_at"] == "2026-11-25T17:00:00+07:00"
    assert data["resolve_due_at"] == "2026-12-01T17:00:00+07:00"
    assert data["urgency"] == "soon"  # 7 business hours left at 10:00 on the 25th
    for field in INSTANT_FIELDS:
        if data[field] is not None:
            assert ISO_WITH_OFFSET.match(data[field]), (field, data[field])
    assert data["timeline"] and all(ISO_WITH_OFFSET.match(t["at"]) for t in data["timeline"])
    assert data["timeline"][0]["kind"] == "created"
    assert [a["name"] for a in data["attachments"]] == ["traceroute.txt"]
    listed = json.loads(app.ok("case", "list", "--json", as_="sue"))
    assert [(r["ref"], r["assignee"]) for r in listed] == [(ref, None)]


DUE_CASES = (
    # (now, received, ack due date, resolve due date); both due at 17:00 local
    # Tết 2027: Wed 3 Feb → Thu 11 Feb (1st business day), Wed 17 Feb (5th).
    ("2027-02-03T11:00:00+07:00", "2027-02-03T10:00:00+07:00", "2027-02-11", "2027-02-17"),
    # Fri 29 Jan: Mon 1, Tue 2, Wed 3, [Tết], Thu 11, Fri 12.
    ("2027-01-29T16:00:00+07:00", "2027-01-29T15:00:00+07:00", "2027-02-01", "2027-02-12"),
    # Taken by phone on Mon 8 Feb, a Tết holiday.
    ("2027-02-08T10:00:00+07:00", "2027-02-08T09:00:00+07:00", "2027-02-11", "2027-02-17"),
    # 30/4–1/5 2026 (Thu, Fri): Wed 29 Apr → Mon 4 May; Mon 4 .. Fri 8 May.
    ("2026-04-29T11:00:00+07:00", "2026-04-29T10:00:00+07:00", "2026-05-04", "2026-05-08"),
    # Fri 24 Apr 2026: Mon 27 is Hùng Kings (observed) → Tue 28, Wed 29, Mon 4, Tue 5, Wed 6.
    ("2026-04-24T17:00:00+07:00", "2026-04-24T16:00:00+07:00", "2026-04-28", "2026-05-06"),
    # 30/4–1/5 2027 (Fri, Sat, Mon 3 observed): Thu 29 Apr → Tue 4 May; Tue 4 .. Mon 10 May.
    ("2027-04-29T15:00:00+07:00", "2027-04-29T14:00:00+07:00", "2027-05-04", "2027-05-10"),
    # The same day given in UTC: 2027-04-28 20:00Z is Thu 29 Apr 03:00 in Vietnam.
    ("2027-04-29T15:00:00+07:00", "2027-04-28T20:00:00+00:00", "2027-05-04", "2027-05-10"),
    # A bare local time is read in the calendar's time zone.
    ("2027-04-29T15:00:00+07:00", "2027-04-29T14:00:00", "2027-05-04", "2027-05-10"),
    # Received on Sat 1 May 2027 (a holiday on a weekend).
    ("2027-05-01T11:00:00+07:00", "2027-05-01T10:00:00+07:00", "2027-05-04", "2027-05-10"),
)


def test_due_dates_around_tet_and_reunification_day(app):
    wrong = []
    for now, received, ack_due, resolve_due in DUE_CASES:
        ref = app.new_case("--received-at", received, "--channel", "phone", now=now)
        data = app.show(ref, now=now)
        expected_received = datetime.fromisoformat(received)
        if expected_received.tzinfo is None:
            expected_received = datetime.fromisoformat(received + "+07:00")
        assert datetime.fromisoformat(data["received_at"]) == expected_received
        assert data["received_at"].endswith("+07:00")
        got = (data["ack_due_at"], data["resolve_due_at"])
        expected = (f"{ack_due}T17:00:00+07:00", f"{resolve_due}T17:00:00+07:00")
        if got != expected:
            wrong.append((received, got, expected))
    assert not wrong, wrong


def test_tet_urgency_bands_follow_the_clock(app):
    now = "2027-02-03T11:00:00+07:00"
    ref = app.new_case("--received-at", "2027-02-03T10:00:00+07:00", now=now)
    # Ack due Thu 11 Feb 17:00. Left: 6 h on the 3rd + 9 h on the 11th = 15 h.
    assert app.show(ref, now=now)["urgency"] == "ok"
    assert app.show(ref, now="2027-02-09T12:00:00+07:00")["urgency"] == "soon"  # 9 h (Tết)
    assert app.show(ref, now="2027-02-11T14:00:00+07:00")["urgency"] == "urgent"  # 3 h
    assert app.show(ref, now="2027-02-11T17:00:00+07:00")["urgency"] == "breached"


# ---- every workflow verb ----------------------------------------------------------------------
def test_every_workflow_verb(app, tmp_path):
    ref = app.new_case("--description", "-", stdin="Packet loss on eth0\nsince Monday\n")
    assert app.show(ref)["description"].startswith("Packet loss on eth0\nsince Monday")

    def verb(*args: str, as_: str = "alice") -> str:
        out = app.ok("case", *args, as_=as_)
        assert out.startswith(args[1]), out
        assert out.count("\n") == 1, out
        return out

    verb("assign", ref, "alice")  # an agent changes only a case she holds
    verb("ack", ref, "--message", "We have your complaint.")
    verb("start", ref, "--note", "Checking the host")
    verb("note", ref, "Hypervisor shows 2% loss")
    verb("update", ref, "We are investigating the network.")
    verb("wait", ref, "--request", "Please send an mtr report.")
    assert app.show(ref)["status"] == "waiting_on_customer"
    verb("resume", ref, "--note", "mtr received")
    verb("priority", ref, "high")
    verb("assign", ref, "--unassign")
    verb("assign", ref, "alice")
    verb("extend", ref, "--days", "2", "--explanation", "Upstream provider is slow.")
    evidence = tmp_path / "mtr.txt"
    evidence.write_text("mtr output")
    verb("attach", ref, str(evidence))
    verb(
        "resolve",
        ref,
        "--outcome",
        "Replaced the faulty switch.",
        "--root-cause",
        "Hardware failure",
    )
    verb("escalate", ref, "--request", "Customer wants a supervisor")
    app.refused("case", "decide", ref, "--outcome", "confirm", "--explanation", "x", as_="alice")
    verb("decide", ref, "--outcome", "confirm", "--explanation", "Handled per policy.", as_="sue")
    verb("close", ref, "--response", "rejected")
    verb("refer", ref, "--note", "Customer asked about VCCA")
    verb("reopen", ref, "--reason", "Loss is back")
    verb("recuse", ref, "--reason", "Customer is a relative")  # and she no longer holds it

    data = app.show(ref)
    assert data["status"] == "investigating"
    assert data["priority"] == "high"
    assert data["escalation_level"] == 1
    assert data["acknowledged_at"] == NOW_2026
    kinds = [t["kind"] for t in data["timeline"]]
    for kind in (
        "created",
        "acknowledged",
        "note",
        "customer_update",
        "status_change",
        "assignment",
        "priority_change",
        "escalation_request",
        "escalation_decision",
        "extension",
        "attachment",
        "referral",
        "outcome",
        "recusal",
    ):
        assert kind in kinds, kind
    visible = {t["text"]: t["customer_visible"] for t in data["timeline"]}
    assert visible["Hypervisor shows 2% loss"] is False
    assert visible["We are investigating the network."] is True

    saved_dir = tmp_path / "saved"
    saved_dir.mkdir()
    att_id = str(data["attachments"][0]["id"])
    saved = Path(app.ok("case", "attachment", ref, att_id, "--save-to", str(saved_dir)).strip())
    assert saved.parent == saved_dir.resolve() and saved.read_text() == "mtr output"

    # take-next: alice recused from ref, so she gets the other case; then nothing is left.
    other = app.new_case()
    assert app.ok("case", "take-next", as_="alice").strip() == other
    line = app.refused("case", "take-next", as_="alice")
    assert "No unassigned" in line
    assert app.ok("case", "take-next", as_="bob").strip() == ref

    listed = json.loads(app.ok("case", "list", "--json", as_="sue"))
    assert {r["ref"] for r in listed} == {ref, other}
    assert all(ISO_WITH_OFFSET.match(r["due_at"]) for r in listed if r["due_at"])
    only = json.loads(app.ok("case", "list", "--status", "investigating", "--json"))
    assert [r["ref"] for r in only] == [ref]
    assert app.ok("case", "list", "--urgency", "breached") == ""
    table = app.ok("case", "list")
    assert ref in table and other in table
    # Priority as a glyph and its word: it reads without colour.
    labels = ("⇈ critical", "↑ high", "· normal", "↓ low")
    assert all(any(label in line for label in labels) for line in table.splitlines())


def test_case_list_search_finds_what_the_queue_finds(app):
    """`case list --search` folds like the queue's search: accents, case, ß, İ/ı, prefixes."""

    def new(customer: str, subject: str) -> str:
        out = app.ok(
            "case",
            "new",
            "--customer",
            customer,
            "--service",
            "VPS",
            "--channel",
            "email",
            "--subject",
            subject,
            "--description",
            "Details follow.",
        )
        return out.strip()

    muller = new("Müller-GmbH", "Größe der Straße")
    istanbul = new("istanbul-sisli", "Iğdır şubesi")
    vietnam = new("nguyenvana", "Đặng Thị Hương")

    def refs(*args: str) -> list[str]:
        return [r["ref"] for r in json.loads(app.ok("case", "list", "--json", *args))]

    assert refs("--search", "muller") == [muller]
    assert refs("--search", "STRASSE gro") == [muller]
    assert refs("--search", "IĞDIR") == refs("--search", "igdir") == [istanbul]
    assert refs("--search", "İSTANBUL") == [istanbul]
    assert refs("--search", "dang huong") == [vietnam]
    assert refs("--search", istanbul) == [istanbul]
    assert refs("--search", "m ller") == []
    assert refs("--search", "muller", "--status", "investigating") == []
    assert sorted(refs("--search", "")) == sorted([muller, istanbul, vietnam])
    table = app.ok("case", "list", "--search", "strasse")
    assert muller in table and istanbul not in table
    assert app.ok("case", "list", "--search", "nothing-like-it") == ""


def test_expect_version_refuses_a_stale_save(app):
    ref = app.new_case()
    app.ok("case", "assign", ref, "alice")
    version = str(app.show(ref)["version"])
    app.ok("case", "note", ref, "first", "--expect-version", version, as_="alice")
    line = app.refused("case", "note", ref, "second", "--expect-version", version, as_="sue")
    assert ref in line
    texts = [t["text"] for t in app.show(ref)["timeline"]]
    assert "first" in texts and "second" not in texts


# ---- refusals, usage errors, hostile input ----------------------------------------------------
def test_refusals_exit_1_with_one_line(app, tmp_path):
    ref = app.new_case()
    app.ok("case", "assign", ref, "alice", as_="alice")
    app.ok("case", "ack", ref, as_="alice")
    cases = {
        "unknown ref": (("case", "show", "C-2026-99999"), "C-2026-99999"),
        "twice acknowledged": (("case", "ack", ref), ref),
        "close an open case": (("case", "close", ref, "--response", "accepted"), ref),
        "empty outcome": (
            ("case", "resolve", ref, "--outcome", " ", "--root-cause", "x"),
            "outcome",
        ),
        "missing attachment": (
            ("case", "attach", ref, str(tmp_path / "nope.pdf")),
            "nope.pdf",
        ),
        "unknown agent": (("case", "assign", ref, "nobody"), "nobody"),
        "extend by zero": (("case", "extend", ref, "--days", "0", "--explanation", "x"), "days"),
    }
    before = app.dump()
    for name, (args, needle) in cases.items():
        line = app.refused(*args, as_="sue")
        assert needle in line, (name, line)
        assert app.dump() == before, name
    assert app.show(ref)["status"] == "acknowledged"


def test_case_new_refusals_create_nothing(app, tmp_path):
    base = ["case", "new", "--customer", "khach01", "--channel", "chat", "--subject", "s"]
    refusals = {
        "missing attachment": (
            [*base, "--service", "VPS", "--description", "d", "--attach", str(tmp_path / "x.png")],
            "x.png",
        ),
        "future receipt": (
            [
                *base,
                "--service",
                "VPS",
                "--description",
                "d",
                "--received-at",
                "2026-11-25T10:01+07:00",
            ],
            "received at",
        ),
        "unknown service": ([*base, "--service", "Quantum", "--description", "d"], "services"),
        "empty description": ([*base, "--service", "VPS", "--description", "   "], "description"),
        "unknown category": (
            [*base, "--service", "VPS", "--description", "d", "--category", "Nope"],
            "category",
        ),
        "event without note": (
            [*base, "--service", "VPS", "--description", "d", "--event", "2026-11-20T10:00+07:00"],
            "events",
        ),
        "admin intake": ([*base, "--service", "VPS", "--description", "d"], "dmin"),
    }
    before = app.dump()
    for name, (args, needle) in refusals.items():
        line = app.refused(*args, as_="ada" if name == "admin intake" else "alice")
        assert needle in line, (name, line)
        assert app.dump() == before, name
    assert json.loads(app.ok("case", "list", "--json", as_="sue")) == []


def test_usage_errors_exit_2(app):
    ref = app.new_case()
    base = ["case", "new", "--customer", "khach01", "--service", "VPS", "--subject", "s"]
    err = app.usage(*base, "--channel", "email", "--description", "d", "--received-at", "yesterday")
    assert "--received-at" in err
    assert "--channel" in app.usage(*base, "--channel", "fax", "--description", "d")
    assert "--description" in app.usage(*base, "--channel", "email")
    app.usage(*base, "--channel", "email", "--description", "d", "--event", "last week: it broke")
    app.usage("case", "close", ref, "--response", "maybe")
    app.usage("case", "extend", ref, "--days", "two", "--explanation", "x")
    app.usage("case", "assign", ref, as_="sue")
    app.usage("case", "frobnicate", ref)
    app.usage("case", "list", "--status", "lost")
    app.usage("--no-such-flag")
    assert json.loads(app.ok("case", "list", "--json", as_="sue"))[0]["ref"] == ref
    assert len(json.loads(app.ok("case", "list", "--json", as_="sue"))) == 1


def test_bad_settings_file_names_the_key(app):
    app.config.write_text('[sla]\ncolour = "red"\n')
    line = app.refused("case", "list", as_="alice")
    assert "sla.colour" in line
    app.config.write_text("[sla]\nack_business_days = 0\n")
    assert "sla.ack_business_days" in app.refused("case", "list", as_="alice")
    app.config.write_text('[intake]\nmax_attachment_bytes = "big"\n')
    assert "intake.max_attachment_bytes" in app.refused("case", "list", as_="alice")
    app.config.write_text("[sla\n")
    assert "TOML" in app.refused("case", "list", as_="alice")
    app.config.write_text("[colours]\nx = 1\n")
    assert "colours" in app.refused("init", as_="ada")
    app.config.unlink()
    assert "does not exist" in app.refused("case", "list", as_="alice")


def test_bad_clock_and_unknown_login(app):
    assert "COMPLAINT_TUI_NOW" in app.refused("case", "list", as_="alice", now="tomorrow")
    assert "COMPLAINT_TUI_NOW" in app.refused("case", "list", as_="alice", now="2027-02-03T10:00")
    assert "mallory" in app.refused("case", "list", as_="mallory")


def test_hostile_input_is_shown_as_text(app):
    subject = "[bold red]ALERT[/] \x1b[2Jcleared"
    description = "line1\n\x1b]0;pwned\x07title \x1b[31mred\x1b[0m\x00nul [link=http://x]y[/link]\n"
    ref = app.new_case("--subject", subject, "--description", "-", stdin=description)
    app.ok("case", "assign", ref, "alice", as_="alice")
    app.ok("case", "note", ref, "\x1b[5mblink\x1b[0m [blink]note[/blink]", as_="alice")

    shown = app.ok("case", "show", ref)
    for bad in ("\x1b", "\x07", "\x00", "\x9b"):
        assert bad not in shown, repr(bad)
    assert "[bold red]ALERT[/]" in shown
    assert "[link=http://x]y[/link]" in shown
    assert "[blink]note[/blink]" in shown

    raw = app.ok("case", "show", ref, "--json")
    assert "\x1b" not in raw and "\x00" not in raw
    data = json.loads(raw)
    assert "\x00" not in data["description"]
    assert "nul" in data["description"] and "[link=http://x]y[/link]" in data["description"]
    assert data["subject"].startswith("[bold red]ALERT[/]")

    listing = app.ok("case", "list")
    assert "\x1b" not in listing and "[bold red]ALERT[/]" in listing

    line = app.refused("case", "show", "C-\x1b[2J\x1b]0;x\x07")
    assert "\x1b" not in line and "\x07" not in line
    app.refused(
        "case",
        "new",
        "--customer",
        "evil\x1b[31m",
        "--service",
        "VPS",
        "--channel",
        "chat",
        "--subject",
        "s",
        "--description",
        "d",
        as_="alice",
    )


# ---- the installed script, for real --------------------------------------------------------------
def run_script(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_installed_script_tet_receipt(tmp_path):
    """The console script itself: case new prints the ref, case show --json the Tết deadlines."""
    app = Cli(tmp_path)  # init and agents in-process; a real process (slow to start) runs twice
    app.ok("init", as_="ops")
    app.ok("agent", "add", "linh", "--role", "agent", as_="ops")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COMPLAINT_TUI_")},
        **app.env,
        "COMPLAINT_TUI_NOW": "2027-02-03T11:00:00+07:00",
        "COMPLAINT_TUI_AGENT": "linh",
    }
    new = run_script(
        env,
        "case",
        "new",
        "--customer",
        "tranvanb",
        "--service",
        "VPS",
        "--channel",
        "phone",
        "--subject",
        "Server down before Tết",
        "--description",
        "The VPS stopped responding.",
        "--received-at",
        "2027-02-03T10:00+07:00",
    )
    assert new.returncode == 0, new.stderr
    assert re.fullmatch(r"C-2027-\d{5}\n", new.stdout)
    shown = run_script(env, "case", "show", new.stdout.strip(), "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["ack_due_at"] == "2027-02-11T17:00:00+07:00"
    assert data["resolve_due_at"] == "2027-02-17T17:00:00+07:00"
    assert data["received_at"] == "2027-02-03T10:00:00+07:00"
    assert shown.stderr == ""
