"""The program itself, connected to PostgreSQL as each person's own login role under row-level
security: the owner runs init, an admin adds people, agents and a supervisor work cases. And the
README's PostgreSQL steps, typed as a new user would, from a clean database."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sysconfig
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaint_tui.cli import cli
from tests.pg_desk import Desk, pg_desk

pytestmark = pytest.mark.pg

SCRIPT = Path(sysconfig.get_path("scripts")) / "complaint-tui"
README = Path(__file__).resolve().parents[1] / "README.md"
NOW = "2026-11-25T10:00:00+07:00"


class Person:
    """`complaint-tui` run in-process with the URL of one login role."""

    def __init__(self, desk: Desk, login: str, tmp_path: Path) -> None:
        config = tmp_path / "config.toml"
        config.touch()
        self.login = login
        self.env = {
            "COMPLAINT_TUI_DB": desk.url(login),
            "COMPLAINT_TUI_CONFIG": str(config),
            "COMPLAINT_TUI_AGENT": None,
            "COMPLAINT_TUI_NOW": NOW,
            "NO_COLOR": "1",
        }

    def run(self, *args: str):
        return CliRunner().invoke(cli, list(args), env=self.env)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.exit_code == 0, (self.login, args, result.stdout, result.stderr)
        return result.stdout

    def refused(self, *args: str) -> str:
        result = self.run(*args)
        assert result.exit_code == 1, (self.login, args, result.stdout, result.stderr)
        assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr
        return result.stderr.strip()


NEW_CASE = (
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
)


def test_the_program_works_as_each_role_under_row_level_security(tmp_path):
    with pg_desk("ct_cli") as desk:
        owner = Person(desk, desk.owner, tmp_path)
        out = owner.ok("init")
        assert f"{desk.database}_agent" in out and "row-level security" in out
        admin_login, agent_login, sup_login = (
            desk.name("adm"),
            desk.name("Lan.Nguyen"),
            desk.name("sue"),
        )
        assert owner.ok("agent", "add", admin_login, "--role", "admin")
        admin = Person(desk, admin_login, tmp_path)
        admin.ok("agent", "add", agent_login, "--role", "agent")
        admin.ok("agent", "add", sup_login, "--role", "supervisor")
        listed = json.loads(admin.ok("agent", "list", "--json"))
        assert {a["name"]: a["role"] for a in listed}[agent_login] == "agent"
        assert "Admins do not" in admin.refused("case", "list")
        assert "Admins do not" in admin.refused("case", "take-next")

        lan, sue = Person(desk, agent_login, tmp_path), Person(desk, sup_login, tmp_path)
        ref = lan.ok(*NEW_CASE).strip()
        assert re.fullmatch(r"C-2026-\d{5}", ref)
        assert lan.ok("case", "take-next").strip() == ref
        lan.ok("case", "ack", ref)
        lan.ok("case", "note", ref, "Called the customer.")
        listed = json.loads(lan.ok("case", "list", "--json"))
        assert [(r["ref"], r["assignee"]) for r in listed] == [(ref, agent_login)]
        shown = json.loads(lan.ok("case", "show", ref, "--json"))
        assert shown["status"] == "acknowledged"
        assert [e["kind"] for e in shown["timeline"]] == [
            "created",
            "assignment",
            "acknowledged",
            "note",
        ]

        # Confidential intake: recorded, then not the agent's to see (it is nobody's yet).
        secret = lan.ok(*NEW_CASE, "--confidential").strip()
        assert secret in lan.refused("case", "show", secret)
        assert [r["ref"] for r in json.loads(lan.ok("case", "list", "--json"))] == [ref]

        # The supervisor works the confidential case through every workflow step.
        evidence = tmp_path / "log.txt"
        evidence.write_text("ping timeout\n")
        steps = [
            ("assign", secret, sup_login),
            ("start", secret),
            ("wait", secret, "--request", "Which IP?"),
            ("resume", secret),
            ("update", secret, "Still on it."),
            ("extend", secret, "--days", "2", "--explanation", "Vendor ticket."),
            ("priority", secret, "high"),
            ("attach", secret, str(evidence)),
            ("resolve", secret, "--outcome", "Fixed.", "--root-cause", "Configuration error"),
            ("escalate", secret, "--request", "Customer asks for a supervisor."),
            ("decide", secret, "--outcome", "confirm", "--explanation", "Agreed.", "--note", "Ok."),
            ("close", secret, "--response", "rejected"),
            ("refer", secret),
            ("reopen", secret, "--reason", "It broke again."),
            ("assign", secret, agent_login),
        ]
        for step in steps:
            sue.ok("case", *step)
        assert json.loads(lan.ok("case", "show", secret, "--json"))["status"] == "investigating"
        lan.ok("case", "recuse", ref, "--reason", "Turns out I know the customer.")
        assert "recused" in lan.refused("case", "assign", ref, agent_login)  # the database says
        # Stepping away from a confidential case releases it, out of the agent's sight.
        lan.ok("case", "recuse", secret, "--reason", "A relative's company.")
        assert secret in lan.refused("case", "show", secret)
        assert json.loads(sue.ok("case", "show", secret, "--json"))["assignee"] is None

        # Role changes and deactivation move the login between groups, for psql too.
        assert (
            admin.ok("agent", "role", agent_login, "--role", "supervisor")
            .strip()
            .endswith("is now supervisor.")
        )
        assert len(json.loads(lan.ok("case", "list", "--json"))) == 2
        admin.ok("agent", "deactivate", agent_login)
        lan.refused("case", "list")
        with pytest.raises(Exception, match="permission denied for database"):
            desk.connect(agent_login)


def readme_postgres_commands() -> list[str]:
    """The shell lines of the README's PostgreSQL set-up block, comments dropped."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## PostgreSQL\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    lines = []
    for line in block.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def test_readme_postgres_steps_work_from_a_clean_database(tmp_path):
    """Every command of the README's block, run as typed (the console script; createuser and
    createdb as the superuser), with unique names standing in for the README's."""
    commands = readme_postgres_commands()
    assert any(c.startswith("createdb") for c in commands)
    assert sum("agent add" in c for c in commands) >= 1
    with pg_desk("ct_readme") as desk:
        # pg_desk made an owner and a database; the README makes its own from scratch.
        server = desk.server
        database = f"{desk.database}_x"
        names = {
            "complaints_owner": f"{database}_owner",
            "complaints": database,
            "lan.nguyen": desk.name("lan.nguyen"),
            "db.internal": f"{server.host}:{server.port or 5432}",
        }
        desk.logins.add(names["complaints_owner"])
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINT_TUI_")}
        env.update(
            PGHOST=server.host,
            PGPORT=str(server.port or 5432),
            PGUSER=server.username,  # the superuser, for createuser and createdb
            HOME=str(tmp_path),
            XDG_CONFIG_HOME=str(tmp_path / "config"),
            XDG_DATA_HOME=str(tmp_path / "data"),
            COMPLAINT_TUI_NOW=NOW,
        )
        try:
            for command in commands:
                for old, new in names.items():
                    command = re.sub(rf"(?<![\w.-]){re.escape(old)}(?![\w-])", new, command)
                argv = shlex.split(command)
                if argv[0] == "export":
                    key, _, value = argv[1].partition("=")
                    env[key] = value
                    continue
                if argv[0] == "complaint-tui":
                    argv[0] = str(SCRIPT)
                done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
                assert done.returncode == 0, (command, done.stdout, done.stderr)
            # The person set up last works as themselves, with the URL the README exported.
            ref = subprocess.run(
                [str(SCRIPT), *NEW_CASE], env=env, capture_output=True, text=True, timeout=120
            )
            assert ref.returncode == 0, ref.stderr
            taken = subprocess.run(
                [str(SCRIPT), "case", "take-next"],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert taken.returncode == 0 and taken.stdout == ref.stdout, taken.stderr
            assert names["lan.nguyen"] in env["COMPLAINT_TUI_DB"]
        finally:
            from sqlalchemy import create_engine

            from tests.conftest import drop_pg_database

            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            drop_pg_database(admin, database)
            admin.dispose()
