"""Issue 8's "done means": `complaint-tui audit REF --json` shows a change an agent made with raw
SQL, under that agent's name, marked as made outside the app, with old and new values. Real login
roles, provisioned by `init` and `agent add`, on a desk of their own (tests/pg_desk.py)."""

from __future__ import annotations

import json

import pytest

from complaint_tui.services.admin import add_agent, init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import resolve_actor
from tests.helpers_db import draft
from tests.pg_desk import pg_desk
from tests.test_pg_roles_cli import Person

pytestmark = pytest.mark.pg


def test_audit_shows_an_agents_raw_sql_change_under_their_name(tmp_path):
    with pg_desk("ct_audit") as desk:
        contexts = []

        def context(login: str):
            contexts.append(desk.context(login))
            return contexts[-1]

        try:
            owner = context(desk.owner)
            init_database(owner)
            admin_login = desk.name("adm")
            add_agent(owner, resolve_actor(owner), admin_login, "admin")
            admin_ctx = context(admin_login)
            ana, sue = desk.name("ana"), desk.name("sue")
            add_agent(admin_ctx, resolve_actor(admin_ctx), ana, "agent")
            add_agent(admin_ctx, resolve_actor(admin_ctx), sue, "supervisor")
            ana_ctx = context(ana)
            ana_desk = CaseDesk(ana_ctx, resolve_actor(ana_ctx))
            ref = ana_desk.create(draft()).ref
            ana_desk.assign(ref, ana)  # her own case: the database lets her change it

            with desk.connect(ana) as conn:  # psql, as the agent: no program involved
                conn.execute("UPDATE cases SET priority = 'high' WHERE ref = %s", (ref,))

            supervisor = Person(desk, sue, tmp_path)
            entries = json.loads(supervisor.ok("audit", ref, "--json"))
        finally:
            for ctx in contexts:
                ctx.db.dispose()

        outside = [e for e in entries if e["via"] == "outside the app"]
        assert outside == [
            {
                "at": outside[0]["at"],
                "actor": ana,
                "action": "case changed",
                "allowed": True,
                "detail": "priority: normal → high",
                "ref": ref,
                "source": "change",
                "via": "outside the app",
                "changes": [{"field": "priority", "old": "normal", "new": "high"}],
            }
        ]
        # The program's own changes are there too, under her login, as what they claim to be.
        claimed = [(e["actor"], e["action"]) for e in entries if e["via"] == "app (claimed)"]
        assert claimed == [(ana, "case created"), (ana, "case changed")]
        assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
        # The supervisor's read is the trail's newest access-log entry.
        reads = [e for e in entries if e["source"] == "access"]
        assert (reads[-1]["actor"], reads[-1]["action"], reads[-1]["allowed"]) == (
            sue,
            "audit",
            True,
        )

        # The agent may not read the trail: one sentence, and the refusal is logged.
        line = Person(desk, ana, tmp_path).refused("audit", ref)
        assert "supervisors and managers" in line
        text = supervisor.ok("audit", ref)
        refusal = [ln for ln in text.splitlines() if "REFUSED" in ln]
        assert len(refusal) == 1 and ana in refusal[0] and "audit" in refusal[0]
        raw = [ln for ln in text.splitlines() if "outside the app" in ln]
        assert len(raw) == 1 and ana in raw[0] and "priority: normal → high" in raw[0]

        # One person's trail: the agent's own raw change is in it as well.
        mine = json.loads(supervisor.ok("audit", "--actor", ana, "--json"))
        assert any(e["via"] == "outside the app" for e in mine)
        assert {e["actor"] for e in mine} == {ana}
