"""Every CLI command × a hostile corpus, on SQLite and on PostgreSQL.

Each run must end with exit code 1 (refused: exactly one line on stderr, nothing on stdout) or 2
(usage error), never with a traceback, and leave every row of the database as it was.

How a run is built: each command has a valid invocation (checked to succeed at the end of its
test), with slots; a run puts one hostile value into one slot, or one hostile source (database URL,
clock, identity, settings file) around the valid invocation. A slot is given the hostile values
it must refuse: names, refs and choices match none of them (a customer ID is stored text: NUL is removed
from it, as from all stored text); required text refuses what is empty once NUL is removed, undecodable bytes and what is too long; optional text only the last two.
Markup, escape sequences, NUL and bidi controls inside free text are accepted and shown inert
(tests/test_cli.py::test_hostile_input_is_shown_as_text, tests/test_text.py).

Devices, FIFOs and undecodable argv bytes run the installed console script in a subprocess, with
a memory limit and a timeout, so a defect fails the test instead of the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import Result

from complaint_tui.cli import cli
from complaint_tui.domain.enums import Role
from complaint_tui.domain.intake import AttachmentInput
from complaint_tui.services.admin import init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import actor_named, login_name
from complaint_tui.store.models import Agent
from tests.conftest import add_agent
from tests.helpers_db import draft, dump
from tests.test_cli import NOW_2026, SCRIPT, Cli

SURROGATE = os.fsdecode(b"\xff")  # what Python makes of a byte that is not UTF-8
HUGE = "x" * 1_000_001  # over every text limit, the description's million characters too
STRINGS = {
    "markup": "[bold red]x[/]",
    "ansi": "\x1b[2J",
    "nul": "\x00",
    "nul-inside": "a\x00b",
    "surrogate": SURROGATE,
    "surrogate-inside": f"ok{SURROGATE}ok",
    "huge": HUGE,
    "rtl": "\u202eevil",
    "empty": "",
    "blank": " \t ",
}
INTEGERS = ["1234567890123456789012345678901", "-9999999999999999999999999999999", "0", "x", ""]
INSTANTS = [
    "0001-01-01T00:00",
    "0001-01-01 00:00",
    "9999-12-31T23:59+07:00",
    "1999-12-31 23:59",
    "2026-11-25T10:01+07:00",  # a minute in the future
]
EVENTS = ["0001-01-01 00:00 long ago", "9999-12-31T23:59Z far ahead", "2026-11-24 09:15"]
STDIN = {  # for text slots that read "-" from standard input
    "stdin-invalid-utf8": b"ok \xff\xfe",
    "stdin-nul": b"\x00",
    "stdin-empty": b"",
    "stdin-huge": b"x" * (4 * 1_000_000 + 1),
}
# What each kind of slot must refuse.
REFUSED = {
    "name": set(STRINGS),
    "customer": set(STRINGS) - {"nul-inside"},  # stored text: "a\x00b" is stored as "ab"
    "choice": set(STRINGS),
    "text": {"nul", "surrogate", "surrogate-inside", "huge", "empty", "blank"},
    "optional": {"surrogate", "surrogate-inside", "huge"},
    "instant": set(STRINGS),
    "event": set(STRINGS),
    "path": set(STRINGS),
    "folder": set(STRINGS),
    "int": set(),
    "date": set(STRINGS),
}


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]  # a valid invocation; "{slot}" items are filled from `slots`
    slots: dict[str, tuple[str, str]] = field(default_factory=dict)  # slot -> (kind, valid)
    role: Role = Role.SUPERVISOR
    stdin: tuple[str, ...] = ()  # text slots that may read "-" from standard input
    ok_exit: int = 0  # the valid invocation's exit code (demo refuses a database with cases)


VERB_REF = "{ref}"
COMMANDS: dict[str, Command] = {
    "init": Command(("init",), role=Role.ADMIN),
    "agent-add": Command(
        ("agent", "add", "{name}", "--role", "{role}"),
        {"name": ("name", "carol"), "role": ("choice", "agent")},
        role=Role.ADMIN,
    ),
    "agent-list": Command(("agent", "list", "--json"), role=Role.ADMIN),
    "agent-deactivate": Command(
        ("agent", "deactivate", "{name}"), {"name": ("name", "bob")}, role=Role.ADMIN
    ),
    "case-new": Command(
        (
            "case",
            "new",
            "--customer",
            "{customer}",
            "--service",
            "{service}",
            "--channel",
            "{channel}",
            "--subject",
            "{subject}",
            "--description",
            "{description}",
            "--desired-outcome",
            "{outcome}",
            "--priority",
            "{priority}",
            "--category",
            "{category}",
            "--received-at",
            "{received}",
            "--event",
            "{event}",
            "--attach",
            "{attach}",
        ),
        {
            "customer": ("customer", "nguyenvana"),
            "service": ("name", "VPS"),
            "channel": ("choice", "email"),
            "subject": ("text", "VPS unreachable"),
            "description": ("text", "Cannot SSH since 09:00."),
            "outcome": ("optional", "Credit the downtime."),
            "priority": ("choice", "high"),
            "category": ("name", "Outage"),
            "received": ("instant", "2026-11-24 09:30"),
            "event": ("event", "2026-11-24 09:15 SSH refused"),
            "attach": ("path", "{evidence}"),
        },
        stdin=("description",),
    ),
    "case-show": Command(("case", "show", "{ref}", "--json"), {"ref": ("name", "{new}")}),
    "case-list": Command(
        ("case", "list", "--status", "{status}", "--urgency", "{urgency}", "--limit", "{limit}"),
        {"status": ("choice", "new"), "urgency": ("choice", "ok"), "limit": ("int", "10")},
    ),
    "case-ack": Command(
        ("case", "ack", "{ref}", "--message", "{message}"),
        {"ref": ("name", "{new}"), "message": ("optional", "We have it.")},
    ),
    "case-start": Command(
        ("case", "start", "{ref}", "--note", "{note}"),
        {"ref": ("name", "{new}"), "note": ("optional", "Looking.")},
    ),
    "case-wait": Command(
        ("case", "wait", "{ref}", "--request", "{request}"),
        {"ref": ("name", "{investigating}"), "request": ("text", "Send an mtr report.")},
        stdin=("request",),
    ),
    "case-resume": Command(
        ("case", "resume", "{ref}", "--note", "{note}"),
        {"ref": ("name", "{waiting}"), "note": ("optional", "mtr received")},
    ),
    "case-note": Command(
        ("case", "note", "{ref}", "{text}", "--expect-version", "{version}"),
        {
            "ref": ("name", "{investigating}"),
            "text": ("text", "Hypervisor shows loss."),
            "version": ("int", "{investigating_version}"),
        },
        stdin=("text",),
    ),
    "case-update": Command(
        ("case", "update", "{ref}", "{text}"),
        {"ref": ("name", "{investigating}"), "text": ("text", "We are on it.")},
        stdin=("text",),
    ),
    "case-resolve": Command(
        ("case", "resolve", "{ref}", "--outcome", "{outcome}", "--root-cause", "{cause}"),
        {
            "ref": ("name", "{investigating}"),
            "outcome": ("text", "Replaced the switch."),
            "cause": ("text", "Hardware failure"),
        },
        stdin=("outcome",),
    ),
    "case-close": Command(
        ("case", "close", "{ref}", "--response", "{response}"),
        {"ref": ("name", "{resolved}"), "response": ("choice", "accepted")},
    ),
    "case-reopen": Command(
        ("case", "reopen", "{ref}", "--reason", "{reason}"),
        {"ref": ("name", "{resolved}"), "reason": ("text", "The loss is back.")},
    ),
    "case-assign": Command(
        ("case", "assign", "{ref}", "{agent}"),
        {"ref": ("name", "{investigating}"), "agent": ("name", "bob")},
    ),
    "case-priority": Command(
        ("case", "priority", "{ref}", "{priority}"),
        {"ref": ("name", "{investigating}"), "priority": ("choice", "critical")},
    ),
    "case-escalate": Command(
        ("case", "escalate", "{ref}", "--request", "{request}"),
        {"ref": ("name", "{resolved}"), "request": ("text", "A supervisor, please.")},
    ),
    "case-decide": Command(
        ("case", "decide", "{ref}", "--outcome", "{outcome}", "--explanation", "{explanation}"),
        {
            "ref": ("name", "{escalated}"),
            "outcome": ("choice", "confirm"),
            "explanation": ("text", "Handled per policy."),
        },
    ),
    "case-extend": Command(
        ("case", "extend", "{ref}", "--days", "{days}", "--explanation", "{explanation}"),
        {
            "ref": ("name", "{investigating}"),
            "days": ("int", "2"),
            "explanation": ("text", "The upstream provider is slow."),
        },
    ),
    "case-refer": Command(
        ("case", "refer", "{ref}", "--note", "{note}"),
        {"ref": ("name", "{rejected}"), "note": ("optional", "Asked about VCCA.")},
    ),
    "case-recuse": Command(
        ("case", "recuse", "{ref}", "--reason", "{reason}"),
        {"ref": ("name", "{investigating}"), "reason": ("text", "A relative.")},
    ),
    "case-attach": Command(
        ("case", "attach", "{ref}", "{path}"),
        {"ref": ("name", "{investigating}"), "path": ("path", "{evidence}")},
    ),
    "case-attachment": Command(
        ("case", "attachment", "{ref}", "{id}", "--save-to", "{folder}"),
        {
            "ref": ("name", "{new}"),
            "id": ("int", "{attachment_id}"),
            "folder": ("folder", "{folder}"),
        },
    ),
    "case-take-next": Command(("case", "take-next")),
    "policy-publish": Command(
        ("policy", "publish", "{path}", "--version", "{label}", "--last-updated", "{date}"),
        {
            "path": ("path", "{evidence}"),
            "label": ("name", "2"),
            "date": ("date", "2026-11-20"),
        },
        role=Role.ADMIN,
    ),
    "policy-show": Command(("policy", "show", "--version", "{label}"), {"label": ("name", "1")}),
    "policy-list": Command(("policy", "list", "--json")),
    "policy-review-add": Command(
        (
            "policy",
            "review",
            "add",
            "--date",
            "{date}",
            "--findings",
            "{findings}",
            "--actions",
            "{actions}",
        ),
        {
            "date": ("date", "2026-11-20"),
            "findings": ("text", "Acknowledgements are late on Mondays."),
            "actions": ("text", "Two agents on Monday mornings."),
        },
        role=Role.MANAGER,
        stdin=("findings",),
    ),  # fmt: skip
    "policy-review-list": Command(("policy", "review", "list", "--json")),
    "demo": Command(
        ("demo", "--cases", "{cases}", "--seed", "{seed}"),
        {"cases": ("int", "10"), "seed": ("int", "7")},
        role=Role.ADMIN,  # anyone else is refused (and logged) whatever the arguments
        ok_exit=1,  # the database has cases: demo data goes only into an empty one
    ),
}
# Extra hostile values per kind, beyond the strings (in-process; devices and FIFOs run below).
EXTRA = {
    "int": INTEGERS,
    "instant": INSTANTS,
    "event": EVENTS,
    "path": ["{folder}", "{empty_file}", "{oversized_file}", "{missing}"],
    "folder": ["{evidence}", "{missing}"],
    "date": [
        "1999-12-31",
        "2026-11-26",
        "2026-02-30",
        "0001-01-01",
        "9999-12-31",
        "2026-11-20 10:00",
    ],
}


class World:
    """A database with a team and a case in each state, and the CLI pointed at it."""

    def __init__(self, ctx, tmp_path: Path) -> None:
        self.ctx = ctx
        self.login = login_name(ctx, "sue" if ctx.db.is_sqlite else None)
        add_agent(ctx, self.login, Role.SUPERVISOR)
        add_agent(ctx, "bob", Role.AGENT)
        add_agent(ctx, "max", Role.MANAGER)
        init_database(ctx)  # the policy version; the agents exist, so no admin is added
        desk = CaseDesk(ctx, actor_named(ctx, self.login))
        boss = CaseDesk(ctx, actor_named(ctx, "max"))
        new = desk.create(draft(attachments=[AttachmentInput("a.txt", "text/plain", b"a")]))
        investigating = desk.start(desk.create(draft()).ref)
        waiting = desk.create(draft()).ref
        desk.start(waiting)
        desk.wait(waiting, "Send the logs.")
        resolved = desk.create(draft()).ref
        desk.start(resolved)
        desk.resolve(resolved, "Fixed.", "Configuration error")
        escalated = desk.create(draft()).ref
        desk.start(escalated)
        desk.resolve(escalated, "Fixed.", "Configuration error")
        boss.escalate(escalated, "A supervisor, please.")
        rejected = desk.create(draft()).ref  # a closing the customer rejected: refer applies
        desk.start(rejected)
        desk.resolve(rejected, "Fixed.", "Configuration error")
        desk.close(rejected, "rejected")
        files = tmp_path / "files"
        files.mkdir()
        evidence = files / "mtr.txt"
        evidence.write_text("mtr output")
        empty = files / "empty.txt"
        empty.write_bytes(b"")
        oversized = files / "huge.bin"
        with open(oversized, "wb") as fh:  # sparse: over the limit without writing 10 MiB
            fh.truncate(ctx.settings.intake.max_attachment_bytes + 1)
        (tmp_path / "saved").mkdir()
        self.values = {
            "new": new.ref,
            "investigating": investigating.ref,
            "investigating_version": str(investigating.version),
            "waiting": waiting,
            "resolved": resolved,
            "escalated": escalated,
            "rejected": rejected,
            "attachment_id": str(new.attachments[0].id),
            "evidence": str(evidence),
            "empty_file": str(empty),
            "oversized_file": str(oversized),
            "missing": str(files / "missing.txt"),
            "folder": str(tmp_path / "saved"),
        }
        self.cli = Cli(tmp_path, ctx.db.url)
        self.cli.env["COMPLAINT_TUI_AGENT"] = self.login

    def fill(self, text: str) -> str:
        return text.format(**self.values) if text.startswith("{") and text.endswith("}") else text

    def invocation(self, command: Command, **override: str) -> list[str]:
        values = {slot: self.fill(valid) for slot, (_kind, valid) in command.slots.items()}
        values.update(override)
        args = []
        for arg in command.args:
            slot = arg[1:-1] if arg.startswith("{") and arg.endswith("}") else None
            args.append(values[slot] if slot is not None else arg)
        return args

    def act_as(self, role: Role) -> None:
        with self.ctx.db.session(write=True) as s:
            agent = s.query(Agent).filter_by(name=self.login).one()
            agent.role = role.value

    def dump(self) -> dict:
        return dump(self.ctx)


@pytest.fixture
def world(ctx, tmp_path) -> World:
    return World(ctx, tmp_path)


def check_refused(result: Result, what: str) -> None:
    assert result.exit_code in (1, 2), (what, result.exit_code, result.stdout[:300], result.stderr)
    assert isinstance(result.exception, SystemExit), (what, repr(result.exception))
    assert "Traceback" not in result.stderr, what
    if result.exit_code == 1:
        assert result.stdout == "", (what, result.stdout[:300])
        assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, (
            what,
            result.stderr,
        )
        assert result.stderr.startswith("complaint-tui: "), (what, result.stderr)


def global_sources(world: World, tmp_path: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Hostile sources around a command: (options before it, environment changes)."""
    bad_settings = tmp_path / "bad-utf8.toml"
    bad_settings.write_bytes(b'[ui]\ntheme = "\xff"\n')
    return {
        "db-not-a-url": (["--db", "notaurl"], {}),
        "db-unknown-driver": (["--db", "postgresql+foo://x/y"], {}),
        "db-port-not-a-number": (["--db", "postgresql+psycopg://u@h:notaport/x"], {}),
        "db-empty": (["--db", ""], {}),
        "now-year-1": ([], {"COMPLAINT_TUI_NOW": "0001-01-01T00:00+07:00"}),
        "now-year-9999": ([], {"COMPLAINT_TUI_NOW": "9999-12-31T23:59+07:00"}),
        "now-1999": ([], {"COMPLAINT_TUI_NOW": "1999-12-31T23:59+07:00"}),
        "now-not-a-time": ([], {"COMPLAINT_TUI_NOW": "tomorrow"}),
        "as-empty": (["--as", ""], {}),
        "as-blank": (["--as", "  "], {}),
        "as-surrogate": (["--as", SURROGATE], {}),
        "as-nul": (["--as", f"{world.login}\x00"], {}),
        "as-ansi": (["--as", "\x1b[2J"], {}),
        "agent-env-surrogate": ([], {"COMPLAINT_TUI_AGENT": SURROGATE}),
        "settings-not-utf8": (["--config", str(bad_settings)], {}),
        "settings-a-folder": (["--config", str(tmp_path)], {}),
        "settings-missing": (["--config", str(tmp_path / "nope.toml")], {}),
    }


def runs(world: World, command: Command, tmp_path: Path):
    """(what, argv, env, stdin) for every hostile run of one command."""
    for source, (before, env) in global_sources(world, tmp_path).items():
        yield source, [*before, *world.invocation(command)], env, None
    for slot, (kind, _valid) in command.slots.items():
        for name in sorted(REFUSED[kind]):
            yield f"{slot}={name}", world.invocation(command, **{slot: STRINGS[name]}), {}, None
        for value in EXTRA.get(kind, ()):
            filled = world.fill(value)
            yield f"{slot}={value}", world.invocation(command, **{slot: filled}), {}, None
        if slot in command.stdin:
            for name, data in STDIN.items():
                yield f"{slot}={name}", world.invocation(command, **{slot: "-"}), {}, data


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_refuses_the_hostile_corpus(world, tmp_path, name):
    command = COMMANDS[name]
    world.act_as(command.role)
    before = world.dump()
    count = 0
    for what, argv, env, stdin in runs(world, command, tmp_path):
        result = world.cli.runner.invoke(cli, argv, env={**world.cli.env, **env}, input=stdin)
        check_refused(result, f"{name} {what}")
        assert world.dump() == before, f"{name} {what} changed the database"
        count += 1
    assert count >= len(global_sources(world, tmp_path))
    # The valid invocation itself works, so each refusal above came from its hostile part.
    ok = world.cli.run(*world.invocation(command))
    assert ok.exit_code == command.ok_exit, (name, ok.stdout, ok.stderr, ok.exception)
    assert "Traceback" not in ok.stderr


# ---- devices, FIFOs and bytes that are not UTF-8: the console script itself --------------------
def _limited() -> None:  # pragma: no cover - runs in the child
    # Reading /dev/zero to the end used to take all memory: fail inside 1 GiB instead.
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def run_script(world: World, args: list, env: dict | None = None, stdin=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINT_TUI_")}
    return subprocess.run(
        [str(SCRIPT), *args],
        env={**base, **world.cli.env, "COMPLAINT_TUI_NOW": NOW_2026, **(env or {})},
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
        preexec_fn=_limited,
    )


def test_devices_fifos_and_undecodable_bytes(world, tmp_path):
    world.act_as(Role.SUPERVISOR)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    ref = world.values["investigating"].encode()
    bad_stdin = tmp_path / "bad-stdin"
    bad_stdin.write_bytes(b"\xff\xfe not UTF-8")
    # Undecodable bytes reach the in-process runs above as the same lone surrogates Python
    # makes of argv and the environment; two runs check that the real decoding gives them.
    cases = {
        "attach /dev/zero": ([b"case", b"attach", ref, b"/dev/zero"], {}, None),
        "attach a FIFO": ([b"case", b"attach", ref, bytes(fifo)], {}, None),
        "settings /dev/zero": ([b"--config", b"/dev/zero", b"case", b"list"], {}, None),
        "settings a FIFO": ([b"--config", bytes(fifo), b"case", b"list"], {}, None),
        "note from /dev/zero": ([b"case", b"note", ref, b"-"], {}, "/dev/zero"),
        "note from bytes not UTF-8": ([b"case", b"note", ref, b"-"], {}, str(bad_stdin)),
        "note from a FIFO without writer": ([b"case", b"note", ref, b"-"], {}, str(fifo)),
        "argv text not UTF-8": ([b"case", b"note", ref, b"caf\xe9"], {}, None),
        "agent env not UTF-8": ([b"case", b"list"], {"COMPLAINT_TUI_AGENT": SURROGATE}, None),
    }
    before = world.dump()
    for what, (args, env, stdin_path) in cases.items():
        # Non-blocking open: a FIFO without a writer would block here, in the test, otherwise.
        stdin = os.open(stdin_path, os.O_RDONLY | os.O_NONBLOCK) if stdin_path else None
        try:
            if stdin is not None:
                os.set_blocking(stdin, True)
            done = run_script(world, args, env, stdin)
        finally:
            if stdin is not None:
                os.close(stdin)
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode in (1, 2), (what, done.returncode, err[-2000:])
        assert b"Traceback" not in done.stderr, (what, err[-2000:])
        if done.returncode == 1:
            assert err.count("\n") == 1 and err.startswith("complaint-tui: "), (what, err)
        assert world.dump() == before, f"{what} changed the database"
