"""The team view and deactivation on PostgreSQL as real login roles (`init` by the owner,
`agent add` by an admin): the CLI and the team screen show the same figures for a fixed data
set; the admin, who sees no case, hands a departing agent's cases over through the database's
own function, which refuses anyone else, and no case is left with an inactive agent."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from psycopg import errors

from complaint_tui.cli import cli
from complaint_tui.services.admin import add_agent, init_database
from complaint_tui.services.identity import resolve_actor
from tests.pg_desk import pg_desk
from tests.team_data import EXPECTED, TEAM_NOW, build_team
from tests.tui.fixtures import build_app
from tests.tui.test_team_screen import figures_printed, figures_shown

pytestmark = pytest.mark.pg

STRANDED = (
    "SELECT c.ref FROM cases c JOIN agents a ON a.id = c.assignee_id "
    "WHERE NOT a.active AND c.status <> 'closed'"
)


class Person:
    def __init__(self, desk, login: str, tmp_path) -> None:
        config = tmp_path / "config.toml"
        config.touch()
        self.env = {
            "COMPLAINT_TUI_DB": desk.url(login),
            "COMPLAINT_TUI_CONFIG": str(config),
            "COMPLAINT_TUI_AGENT": None,
            "COMPLAINT_TUI_NOW": TEAM_NOW.isoformat(),
            "NO_COLOR": "1",
        }

    def run(self, *args: str):
        return CliRunner().invoke(cli, list(args), env=self.env)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def refused(self, *args: str) -> str:
        result = self.run(*args)
        assert result.exit_code == 1, (args, result.stdout, result.stderr)
        assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
        return result.stderr.strip()


async def test_team_figures_and_handover_as_real_logins(tmp_path):
    with pg_desk("ct_team") as desk:
        contexts = []

        def context(login):
            c = desk.context(login)
            contexts.append(c)
            return c

        try:
            owner_ctx = context(desk.owner)
            init_database(owner_ctx)
            owner = resolve_actor(owner_ctx)
            names = {n: desk.name(n) for n in ("alice", "bob", "sue", "max", "ada")}
            roles = {"alice": "agent", "bob": "agent", "sue": "supervisor", "max": "manager"}
            add_agent(owner_ctx, owner, names["ada"], "admin")
            admin_ctx = context(names["ada"])
            admin = resolve_actor(admin_ctx)
            for logical, role in roles.items():
                add_agent(admin_ctx, admin, names[logical], role)
            sue_ctx = context(names["sue"])
            refs = build_team(sue_ctx, {"sue": resolve_actor(sue_ctx)}, names)
            people = {n: names[n] for n in EXPECTED}

            # The same figures from the CLI and on the team screen, as the supervisor.
            sue = Person(desk, names["sue"], tmp_path)
            assert figures_printed(lambda *a: json.loads(sue.ok(*a)), people) == EXPECTED
            config = tmp_path / "config.toml"
            app = build_app(sue_ctx, names["sue"], config_path=config)
            assert await figures_shown(app, people) == EXPECTED

            # An agent is refused the team view, and the refusal is logged in their name.
            alice = Person(desk, names["alice"], tmp_path)
            assert "The team view is for supervisors and managers" in alice.refused("team")
            with desk.superuser() as conn:
                logged = conn.execute(
                    "SELECT actor, allowed FROM access_log WHERE action = 'team'"
                ).fetchall()
            assert logged == [(names["alice"], False)]

            # The admin sees no case, yet deactivation names the count and hands them over.
            ada = Person(desk, names["ada"], tmp_path)
            assert f"{names['alice']} holds 4 cases that are not closed" in ada.refused(
                "agent", "deactivate", names["alice"]
            )
            assert "Admins do not" in ada.refused("case", "list")
            assert "not sue" not in ada.ok(
                "agent", "deactivate", names["alice"], "--reassign-to", names["bob"]
            )
            with desk.superuser() as conn:
                assert conn.execute(STRANDED).fetchall() == []
                moved = conn.execute(
                    "SELECT c.ref, a.name FROM cases c JOIN agents a ON a.id = c.assignee_id "
                    "WHERE c.ref = ANY(%s) ORDER BY c.ref",
                    (refs["alice"],),
                ).fetchall()
                assert moved == [(ref, names["bob"]) for ref in sorted(refs["alice"])]
                entries = conn.execute(
                    "SELECT actor, text FROM timeline_events WHERE kind = 'assignment' "
                    "AND text LIKE %s ORDER BY case_id",
                    ("%deactivated%",),
                ).fetchall()
                text = f"assigned to {names['bob']} ({names['alice']} deactivated)"
                assert entries == [(names["ada"], text)] * 4
                history = conn.execute(
                    "SELECT DISTINCT actor FROM case_history WHERE operation = 'update' "
                    "AND changed ? 'assignee_id' AND at > now() - interval '1 minute' "
                    "AND actor = %s",
                    (names["ada"],),
                ).fetchall()
                assert history == [(names["ada"],)]
            # bob, deactivated in turn, leaves his cases unassigned.
            ada.ok("agent", "deactivate", names["bob"], "--unassign")
            with desk.superuser() as conn:
                assert conn.execute(STRANDED).fetchall() == []
            team = json.loads(sue.ok("team", "--json"))
            assert [r["agent"] for r in team] == [names["max"], names["sue"]]
            listed = json.loads(sue.ok("case", "list", "--assignee", "none", "--json"))
            assert len([r for r in listed if r["status"] != "closed"]) == 1 + 4 + 2

            # A supervisor may not deactivate, nor call the handover in SQL; the function
            # itself refuses a non-admin even when granted to everyone.
            assert "Only an admin" in Person(desk, names["sue"], tmp_path).refused(
                "agent", "deactivate", names["max"], "--unassign"
            )
            with desk.connect(names["sue"]) as conn:
                with pytest.raises(errors.InsufficientPrivilege):
                    conn.execute("SELECT ct_hand_over(%s, NULL, now())", (names["max"],))
            with desk.superuser() as conn:
                conn.execute(
                    "GRANT EXECUTE ON FUNCTION ct_hand_over(text, text, timestamptz) TO PUBLIC"
                )
            with desk.connect(names["sue"]) as conn:
                with pytest.raises(errors.InsufficientPrivilege, match="only an admin"):
                    conn.execute("SELECT ct_hand_over(%s, NULL, now())", (names["max"],))
            # init re-applies the grants: the stray grant is gone, the admins' stays.
            init_database(owner_ctx)
            with desk.superuser() as conn:
                can = conn.execute(
                    "SELECT has_function_privilege(%s, 'ct_hand_over(text, text, timestamptz)', "
                    "'EXECUTE'), has_function_privilege(%s, "
                    "'ct_cases_in_hand(text, text)', 'EXECUTE')",
                    (names["sue"], names["ada"]),
                ).fetchone()
            assert can == (False, True)
        finally:
            for c in contexts:
                c.db.dispose()
