"""History import on PostgreSQL as real login roles that `init` and `agent add` provisioned: a
supervisor imports under row-level security and the actor triggers (every row in their own name,
refs from ct_next_refs); an agent is refused by the app and cannot take refs with SQL either.
"""

from __future__ import annotations

import json

import pytest
from psycopg import errors

from complaint_tui.services.admin import add_agent, init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import PermissionDenied
from complaint_tui.services.history_import import import_history
from complaint_tui.services.identity import resolve_actor
from tests.helpers_db import draft
from tests.pg_desk import pg_desk
from tests.test_history_import import LINES

pytestmark = pytest.mark.pg


def test_a_supervisor_login_imports_and_an_agent_login_cannot(tmp_path):
    with pg_desk("ct_imp") as desk:
        contexts = []
        try:
            owner_ctx = desk.context(desk.owner)
            contexts.append(owner_ctx)
            init_database(owner_ctx)
            owner = resolve_actor(owner_ctx)
            ana, sue = desk.name("ana"), desk.name("sue")
            for name, role in ((ana, "agent"), (sue, "supervisor")):
                add_agent(owner_ctx, owner, name, role)
            lines = [json.loads(text) for text in LINES]
            for obj in lines:
                if obj.get("assignee") == "alice":
                    obj["assignee"] = ana
            path = tmp_path / "history.jsonl"
            path.write_text("".join(json.dumps(o) + "\n" for o in lines), encoding="utf-8")

            agent_ctx = desk.context(ana)
            contexts.append(agent_ctx)
            with pytest.raises(PermissionDenied):
                import_history(agent_ctx, resolve_actor(agent_ctx), path)
            with desk.connect(ana) as conn, pytest.raises(errors.InsufficientPrivilege):
                conn.execute("SELECT ct_next_refs(2026, 5)")

            sup_ctx = desk.context(sue)
            contexts.append(sup_ctx)
            result = import_history(sup_ctx, resolve_actor(sup_ctx), path)
            assert [s for _, s in result.refs] == [f"OLD-100{i}" for i in range(1, 7)]
            with desk.superuser() as conn:
                actors = conn.execute("SELECT DISTINCT actor FROM timeline_events").fetchall()
                assert actors == [(sue,)]
            # The assigned case is the agent's to see and handle; the confidential one is not.
            agent = CaseDesk(agent_ctx, resolve_actor(agent_ctx))
            mine = agent.get(result.refs[4][0])
            assert mine.source_ref == "OLD-1005" and mine.summary.assignee == ana
            assert result.refs[5][0] not in {c.ref for c in agent.list()}
            # Refs go on after the imported ones.
            assert agent.create(draft()).ref == "C-2026-00007"
        finally:
            for context in contexts:
                context.db.dispose()
