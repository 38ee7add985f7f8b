"""`complaint-tui policy publish|show|list` and `policy review add|list`, on SQLite and
PostgreSQL: what they print, and every refusal (bad files, labels and dates, wrong roles) as one
line with the database unchanged."""

from __future__ import annotations

import json
import os

import pytest

from complaint_tui.domain.enums import Role
from tests.test_cli_hostile import SURROGATE, World


@pytest.fixture
def world(ctx, tmp_path) -> World:
    w = World(ctx, tmp_path)
    policy = tmp_path / "policy-2.txt"
    policy.write_text("Complaint Policy\nLast Updated: 20 November 2026\n", encoding="utf-8")
    w.values["policy"] = str(policy)
    return w


def publish(world: World, *extra: str):
    return world.cli.run("policy", "publish", world.values["policy"], "--version", "2", *extra)


def test_publish_show_and_list(world):
    world.act_as(Role.ADMIN)
    cli = world.cli
    out = cli.ok(
        "policy",
        "publish",
        world.values["policy"],
        "--version",
        "2",
        "--last-updated",
        "2026-11-20",
    )
    assert out == (
        "Published policy version 2 (Last Updated 2026-11-20); it is in force for new cases.\n"
    )
    shown = cli.ok("policy", "show")
    assert shown == (
        "Policy version 2 · Last Updated 2026-11-20 · in force\n"
        f"Published Wed 2026-11-25 10:00 by {world.login}\n"
        "\n"
        "Complaint Policy\nLast Updated: 20 November 2026\n"
    )
    old = cli.ok("policy", "show", "--version", "1")
    assert old.startswith("Policy version 1 · Last Updated 2026-11-25 · no longer in force\n")
    assert "Complaint Policy" in old

    world.act_as(Role.SUPERVISOR)
    ref = cli.ok(*_new_case()).strip()
    assert cli.show(ref)["policy_version"] == "2"
    assert cli.show(world.values["new"])["policy_version"] == "1"  # recorded before: kept
    listing = cli.ok("policy", "list").splitlines()
    assert listing[0].split() == ["VERSION", "LAST", "UPDATED", "PUBLISHED", "BY", "CASES"]
    assert listing[1].split()[:2] == ["2", "2026-11-20"]
    assert listing[1].endswith("1  in force")
    assert listing[2].split()[:2] == ["1", "2026-11-25"] and listing[2].endswith(" 6")
    rows = json.loads(cli.ok("policy", "list", "--json"))
    assert [(r["label"], r["in_force"], r["cases"]) for r in rows] == [
        ("2", True, 1),
        ("1", False, 6),
    ]
    assert rows[0]["published_at"] == "2026-11-25T10:00:00+07:00"


def _new_case() -> tuple[str, ...]:
    return (
        "case", "new", "--customer", "khach01", "--service", "VPS", "--channel", "phone",
        "--subject", "SSH refused", "--description", "Since this morning.",
    )  # fmt: skip


def test_review_add_and_list(world):
    world.act_as(Role.MANAGER)
    cli = world.cli
    out = cli.ok(
        "policy", "review", "add", "--date", "2026-11-20",
        "--findings", "Acknowledgements late\non Mondays.", "--actions", "Two agents on Mondays.",
    )  # fmt: skip
    assert out == "Recorded the procedure review of 2026-11-20.\n"
    cli.ok("policy", "review", "add", "--findings", "-", "--actions", "None.", stdin=b"All good.")
    world.act_as(Role.AGENT)
    listing = cli.ok("policy", "review", "list")
    assert listing == (
        f"2026-11-25  recorded by {world.login} on Wed 2026-11-25 10:00, policy v1\n"
        "  Findings: All good.\n"
        "  Actions:  None.\n"
        f"2026-11-20  recorded by {world.login} on Wed 2026-11-25 10:00, policy v1\n"
        "  Findings: Acknowledgements late\n"
        "            on Mondays.\n"
        "  Actions:  Two agents on Mondays.\n"
    )
    rows = json.loads(cli.ok("policy", "review", "list", "--json"))
    assert [(r["date"], r["policy_version"]) for r in rows] == [
        ("2026-11-25", "1"),
        ("2026-11-20", "1"),
    ]


def refusals(world: World, tmp_path) -> dict[str, tuple[Role, list[str], str, int]]:
    """name -> (role, argv, words in the one line, exit code)."""
    files = tmp_path / "policy-files"
    files.mkdir()
    bad = files / "latin1.txt"
    bad.write_bytes("Chính sách".encode("utf-16"))
    half = files / "cut.txt"
    half.write_bytes("Chí".encode()[:-1])  # the last letter cut in half
    empty = files / "empty.txt"
    empty.write_bytes(b"")
    blank = files / "blank.txt"
    blank.write_bytes(b" \n\r\n\t")
    big = files / "big.txt"
    with open(big, "wb") as fh:  # sparse: over the limit without writing a megabyte
        fh.truncate(1_000_001)
    fifo = files / "fifo"
    os.mkfifo(fifo)
    good = world.values["policy"]
    publish = ["policy", "publish"]
    review = ["policy", "review", "add", "--findings", "Found.", "--actions", "Act."]
    return {
        "/dev/zero": (Role.ADMIN, [*publish, "/dev/zero", "--version", "2"], "is not a regular file", 1),
        "FIFO": (Role.ADMIN, [*publish, str(fifo), "--version", "2"], "is not a regular file", 1),
        "folder": (Role.ADMIN, [*publish, str(files), "--version", "2"], "is not a regular file", 1),
        "missing": (Role.ADMIN, [*publish, str(files / "no.txt"), "--version", "2"], "No such file", 1),
        "not UTF-8": (Role.ADMIN, [*publish, str(bad), "--version", "2"], "is not UTF-8 text", 1),
        "cut UTF-8": (Role.ADMIN, [*publish, str(half), "--version", "2"], "is not UTF-8 text", 1),
        "empty": (Role.ADMIN, [*publish, str(empty), "--version", "2"], "is empty", 1),
        "blank": (Role.ADMIN, [*publish, str(blank), "--version", "2"], "is empty", 1),
        "too big": (Role.ADMIN, [*publish, str(big), "--version", "2"], "over the 1,000,000-byte limit", 1),
        "duplicate label": (Role.ADMIN, [*publish, good, "--version", "1"], "Policy version 1 already exists", 1),
        "bad label": (Role.ADMIN, [*publish, good, "--version", "v 2 "*9], "is not a version number", 1),
        "empty label": (Role.ADMIN, [*publish, good, "--version", ""], "give the version a label", 1),
        "label not UTF-8": (Role.ADMIN, [*publish, good, "--version", SURROGATE], "--version is not valid UTF-8 text", 1),
        "future date": (Role.ADMIN, [*publish, good, "--version", "2", "--last-updated", "2026-11-26"], "last updated: 2026-11-26 is in the future.", 1),
        "date before 2000": (Role.ADMIN, [*publish, good, "--version", "2", "--last-updated", "1999-12-31"], "last updated: 1999-12-31 is before 2000.", 1),
        "not a date": (Role.ADMIN, [*publish, good, "--version", "2", "--last-updated", "2026-02-30"], "use YYYY-MM-DD", 2),
        "a time, not a date": (Role.ADMIN, [*publish, good, "--version", "2", "--last-updated", "2026-11-20 10:00"], "use YYYY-MM-DD", 2),
        "agent publishes": (Role.AGENT, [*publish, good, "--version", "2"], "Only an admin may publish a policy version.", 1),
        "manager publishes": (Role.MANAGER, [*publish, good, "--version", "2"], "Only an admin may publish a policy version.", 1),
        "no version": (Role.ADMIN, [*publish, good], "Missing option '--version'", 2),
        "unknown version": (Role.AGENT, ["policy", "show", "--version", "7"], "No policy version '7'", 1),
        "supervisor reviews": (Role.SUPERVISOR, review, "Only a manager may record a procedure review.", 1),
        "admin reviews": (Role.ADMIN, review, "Only a manager may record a procedure review.", 1),
        "review in the future": (Role.MANAGER, [*review, "--date", "2026-11-26"], "date: 2026-11-26 is in the future.", 1),
        "review before 2000": (Role.MANAGER, [*review, "--date", "1999-12-31"], "date: 1999-12-31 is before 2000.", 1),
        "review date not a date": (Role.MANAGER, [*review, "--date", "last week"], "use YYYY-MM-DD", 2),
        "no findings": (Role.MANAGER, ["policy", "review", "add", "--findings", " ", "--actions", "Act."], "findings: this cannot be empty.", 1),
        "findings not UTF-8": (Role.MANAGER, ["policy", "review", "add", "--findings", "-", "--actions", "Act."], "Standard input is not UTF-8 text.", 1),
    }  # fmt: skip


def test_every_refusal_is_one_line_and_changes_nothing(world, tmp_path):
    for name, (role, argv, words, code) in refusals(world, tmp_path).items():
        world.act_as(role)
        before = world.dump()  # the access log too: a refused permission adds its row, see below
        stdin = b"\xff\xfe" if "findings not UTF-8" == name else None
        if code == 1:
            line = world.cli.refused(*argv, stdin=stdin)
            assert words in line, (name, line)
        else:
            assert words in world.cli.usage(*argv), name
        after = world.dump()
        if "Only an" in words or "Only a" in words:  # a refused permission is logged, nothing else
            logged = after.pop("access_log")[len(before["access_log"]) :]
            assert [(r[2], r[3], r[5]) for r in logged] == [
                (world.login, "review_add" if "review" in words else "policy_publish", False)
            ], name
            before.pop("access_log")
        assert after == before, f"{name} changed the database"
