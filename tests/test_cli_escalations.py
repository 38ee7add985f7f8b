"""`case escalate`, `case decide` and `case refer` from the command line: the outcome names, the
rules' refusals in one line, and what `case show` prints of the escalations."""

from __future__ import annotations

from tests.test_cli import Cli, app, initialised_db  # noqa: F401 - fixtures


def test_a_full_escalation_from_the_command_line(app: Cli):  # noqa: F811
    app.ok("agent", "add", "max", "--role", "manager", as_="ada")
    ref = app.new_case()
    app.ok("case", "assign", ref, "alice")  # an agent changes only a case she holds
    line = app.refused("case", "escalate", ref, "--request", "A supervisor, please.")
    assert line == (
        f"complaint-tui: {ref} cannot be escalated yet: it has no outcome to review and has "
        "missed no deadline."
    )
    app.ok("case", "start", ref)
    app.ok(
        "case", "resolve", ref, "--outcome", "Restarted the VPS.", "--root-cause", "Software defect"
    )
    app.ok("case", "escalate", ref, "--request", "A day of credit is not enough.")
    refer_early = app.refused("case", "refer", ref)
    assert "only after a manager's level-2 decision" in refer_early

    # The old outcome names are gone: a usage error, not a refusal.
    assert "upheld" in app.usage(
        "case", "decide", ref, "--outcome", "upheld", "--explanation", "x", as_="sue"
    )
    out = app.ok(
        "case",
        "decide",
        ref,
        "--outcome",
        "refer-up",
        "--explanation",
        "A manager reviews your request.",
        "--note",
        "Beyond what I may credit.",
        as_="sue",
    )
    assert out == f"{ref} escalation decided.\n"
    assert "Only a manager" in app.refused(
        "case", "decide", ref, "--outcome", "confirm", "--explanation", "Mine.", as_="sue"
    )
    assert "is at level 2, the last one" in app.refused(
        "case", "decide", ref, "--outcome", "refer-up", "--explanation", "Up.", as_="max"
    )
    app.ok("case", "decide", ref, "--outcome", "confirm", "--explanation", "It stands.", as_="max")
    app.ok("case", "refer", ref, "--note", "The customer will write to them.")
    assert "a referral is recorded once" in app.refused("case", "refer", ref)

    data = app.show(ref)
    assert [
        (
            e["level"],
            e["request"],
            [(d["outcome"], d["decided_by"], d["note"]) for d in e["decisions"]],
        )
        for e in data["escalations"]
    ] == [
        (1, "A day of credit is not enough.", [("refer-up", "sue", "Beyond what I may credit.")]),
        (2, "A day of credit is not enough.", [("confirm", "max", "")]),
    ]
    text = app.ok("case", "show", ref)
    assert "L1 requested" in text and "referred to level 2" in text
    assert "internal note: Beyond what I may credit." in text
    assert "resolution confirmed" in text
