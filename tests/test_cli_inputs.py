"""What the CLI reads besides plain words, on SQLite and PostgreSQL: event lines and instants
(the intake screen's parser), an explicit empty --as, the settings file, and --demo."""

from __future__ import annotations

import getpass
import json

import pytest

from complaint_tui.cli import cli
from complaint_tui.domain.enums import Role
from complaint_tui.domain.settings import SettingsError
from complaint_tui.services.config import load_settings
from tests.conftest import add_agent
from tests.test_cli import Cli
from tests.test_cli_hostile import World

NEW = ["case", "new", "--customer", "khach01", "--service", "VPS", "--channel", "phone"]
NEW += ["--subject", "SSH refused", "--description", "Since this morning."]


@pytest.fixture
def world(ctx, tmp_path) -> World:
    return World(ctx, tmp_path)


def test_event_times_are_read_like_the_intake_screen(world):
    """`--event "2026-11-24 09:15 SSH refused"` used to be stored at 00:00 with the note
    "09:15 SSH refused": the CLI split at the first space."""
    cli = world.cli
    ref = cli.ok(
        *NEW,
        "--event",
        "2026-11-24 09:15 SSH refused",
        "--event",
        "2026-11-24T02:00Z Ping lost",
        "--event",
        "2026-11-23T08:00:30+07:00 first report",
    ).strip()
    events = cli.show(ref)["events"]
    assert events == [
        {"at": "2026-11-23T08:00:30+07:00", "note": "first report"},
        {"at": "2026-11-24T09:00:00+07:00", "note": "Ping lost"},
        {"at": "2026-11-24T09:15:00+07:00", "note": "SSH refused"},
    ]
    received = cli.show(cli.ok(*NEW, "--received-at", "2026-11-24 16:30").strip())["received_at"]
    assert received == "2026-11-24T16:30:00+07:00"


@pytest.mark.parametrize(
    ("value", "exit_code", "words"),
    [
        ("", 2, "use YYYY-MM-DD HH:MM"),
        ("   ", 2, "use YYYY-MM-DD HH:MM"),
        ("2026-11-24", 2, "use YYYY-MM-DD HH:MM"),
        ("0001-01-01T00:00", 1, "received at: 0001-01-01 00:00 is outside the years 2000 to 2099."),
        ("1999-12-31 23:59", 1, "outside the years 2000 to 2099"),
        ("2100-01-01T00:00+07:00", 1, "outside the years 2000 to 2099"),
    ],
)
def test_received_at_must_be_an_instant_in_range(world, value, exit_code, words):
    before = world.dump()
    result = world.cli.run(*NEW, "--received-at", value)
    assert result.exit_code == exit_code, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert words in result.stderr
    if exit_code == 1:
        assert result.stderr.count("\n") == 1
    assert world.dump() == before


@pytest.mark.parametrize("value", ["0001-01-01 00:00 long ago", "9999-12-31T23:59Z far ahead"])
def test_an_event_out_of_range_is_one_line(world, value):
    before = world.dump()
    line = world.cli.refused(*NEW, "--event", value)
    assert "events:" in line and "outside the years 2000 to 2099" in line
    assert world.dump() == before


@pytest.mark.parametrize("now", ["9999-12-31T23:59+07:00", "0001-01-01T00:00+07:00"])
def test_a_frozen_clock_out_of_range_is_one_line(world, now):
    """COMPLAINT_TUI_NOW in year 9999 used to end in an OverflowError traceback."""
    line = world.cli.refused("case", "list", now=now)
    assert line.startswith("complaint-tui: COMPLAINT_TUI_NOW: ") and "outside the years" in line


def test_an_explicit_empty_agent_name_is_refused(ctx, world):
    """`--as ""` used to mean "no --as": the OS login (on PostgreSQL the role) acted instead."""
    if ctx.db.is_sqlite:
        add_agent(ctx, getpass.getuser(), Role.SUPERVISOR)  # so acting as it would succeed
    env = dict(world.cli.env)
    del env["COMPLAINT_TUI_AGENT"]
    before = world.dump()
    for value in ("", "  "):
        result = world.cli.runner.invoke(cli, ["--as", value, "case", "list"], env=env)
        assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
        assert result.stderr == (
            "complaint-tui: The agent name to act as is empty; give a name or leave --as out.\n"
        )
    assert world.dump() == before


def test_text_from_standard_input_is_utf8_with_its_line_ends_as_text(world):
    cli = world.cli
    args = [a for a in NEW if a not in ("--description", "Since this morning.")]
    body = "Không vào được VPS\r\ntừ sáng\rnay\n".encode()
    ref = cli.ok(*args, "--description", "-", stdin=body).strip()
    assert cli.show(ref)["description"] == "Không vào được VPS\ntừ sáng\nnay\n"
    before = world.dump()
    line = cli.refused("case", "note", ref, "-", stdin=b"ok \xff")
    assert line == "complaint-tui: Standard input is not UTF-8 text."
    assert world.dump() == before


def test_a_settings_file_that_is_not_utf8_is_one_sentence(tmp_path):
    """It used to end in a UnicodeDecodeError traceback. (A FIFO or /dev/zero as the settings
    file: tests/test_cli_hostile.py::test_devices_fifos_and_undecodable_bytes.)"""
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'[ui]\ntheme = "caf\xe9"\n')
    with pytest.raises(SettingsError, match="is not UTF-8 text"):
        load_settings(bad)


# ---- --demo selects the demo database for every command ------------------------------------
def test_demo_flag_selects_the_demo_database_for_every_command(tmp_path):
    """`complaint-tui --demo case list` used to report a missing schema and create an empty
    complaints.db in the user data folder."""
    home = tmp_path / "home"
    app = Cli(tmp_path)
    app.in_fresh_home(home)
    app.env["COMPLAINT_TUI_AGENT"] = "anh.vo"  # the demo's supervisor
    listed = json.loads(app.ok("--demo", "case", "list", "--json", "--limit", "5"))
    assert len(listed) == 5
    data = home / "data" / "complaint-tui"
    assert (data / "demo.db").is_file()
    assert not (data / "complaints.db").exists()
    ref = listed[0]["ref"]
    assert json.loads(app.ok("--demo", "case", "show", ref, "--json"))["ref"] == ref
    assert "anh.vo" in app.ok("--demo", "agent", "list", as_="it.admin")
    assert "up to date" in app.ok("--demo", "init")
    # the demo database does not take a --db beside it
    assert "--demo" in app.usage("--demo", "--db", f"sqlite:///{tmp_path / 'x.db'}", "case", "list")
    assert not (data / "complaints.db").exists() and not (tmp_path / "x.db").exists()
