"""Escalation records held by PostgreSQL itself, tried with raw SQL (psycopg, no application
code) by real login roles that `init` and `agent add` provisioned: only supervisors and managers
write decisions; agents record requests on their own cases only and read what they may see;
nobody rewrites either table or writes in someone else's name.
"""

from __future__ import annotations

import pytest
from psycopg import errors

from complaint_tui.services.admin import add_agent, init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.escalations import EscalationService, EscalationView
from complaint_tui.services.identity import resolve_actor
from tests.helpers_db import draft
from tests.pg_desk import pg_desk

pytestmark = pytest.mark.pg

DECISION = (
    "INSERT INTO escalation_decisions (escalation_id, case_id, level, outcome, explanation, "
    "note, decided_by, decided_at) VALUES (%s, %s, 1, 'confirm', 'It stands.', '', %s, now())"
)
REQUEST = (
    "INSERT INTO escalations (case_id, level, request, requested_by, requested_at, due_at) "
    "VALUES (%s, 2, 'Straight to a manager.', %s, now(), now())"
)


@pytest.fixture(scope="module")
def world():
    with pg_desk("ct_esc") as desk:
        contexts = []

        def case_desk(login: str) -> CaseDesk:
            context = desk.context(login)
            contexts.append(context)
            return CaseDesk(context, resolve_actor(context))

        try:
            owner_ctx = desk.context(desk.owner)
            contexts.append(owner_ctx)
            init_database(owner_ctx)
            owner = resolve_actor(owner_ctx)
            ana, bao, sue = desk.name("ana"), desk.name("bao"), desk.name("sue")
            for name, role in ((ana, "agent"), (bao, "agent"), (sue, "supervisor")):
                add_agent(owner_ctx, owner, name, role)
            supervisor, agent = case_desk(sue), case_desk(ana)
            ref = agent.create(draft(subject="ana's escalated case")).ref
            agent.assign(ref, ana)
            agent.start(ref)
            agent.resolve(ref, "Restarted the VPS.", "Software defect")
            agent.escalate(ref, "I want a supervisor.")  # through the app, as ana
            other = supervisor.create(draft(subject="bao's case")).ref
            supervisor.assign(other, bao)
            supervisor.start(other)
            supervisor.resolve(other, "Fixed.", "Configuration error")
            with desk.superuser() as conn:
                case_id, escalation_id = conn.execute(
                    "SELECT c.id, e.id FROM cases c JOIN escalations e ON e.case_id = c.id "
                    "WHERE c.ref = %s",
                    (ref,),
                ).fetchone()
                other_id = conn.execute("SELECT id FROM cases WHERE ref = %s", (other,)).fetchone()[
                    0
                ]
            yield {
                "desk": desk,
                "ana": ana,
                "bao": bao,
                "sue": sue,
                "ref": ref,
                "case": case_id,
                "escalation": escalation_id,
                "other": other_id,
                "case_desk": case_desk,
            }
        finally:
            for context in contexts:
                context.db.dispose()


def count(conn, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_an_agent_cannot_write_a_decision_with_sql(world):
    desk = world["desk"]
    with desk.superuser() as conn:
        before = count(conn, "escalation_decisions")
    with desk.connect(world["ana"]) as conn:
        with pytest.raises(errors.InsufficientPrivilege) as info:
            conn.execute(DECISION, (world["escalation"], world["case"], world["ana"]))
        assert "permission denied" in str(info.value)
        # What the agent may do: read the request on their own case.
        assert count(conn, "escalations") == 1
    with desk.superuser() as conn:
        assert count(conn, "escalation_decisions") == before


def test_an_agent_records_requests_on_their_own_cases_only(world):
    desk = world["desk"]
    with desk.connect(world["ana"]) as conn:
        with pytest.raises(errors.InsufficientPrivilege):  # bao's case, not hers
            conn.execute(REQUEST, (world["other"], world["ana"]))
        with pytest.raises(errors.InsufficientPrivilege):  # in someone else's name
            conn.execute(REQUEST, (world["case"], world["bao"]))
        with pytest.raises(errors.InsufficientPrivilege):  # the record is append-only
            conn.execute("UPDATE escalations SET request = 'I never asked.'")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM escalations")


def test_a_supervisor_writes_decisions_in_their_own_name_and_nobody_rewrites_them(world):
    desk = world["desk"]
    with desk.connect(world["sue"]) as conn:
        with pytest.raises(errors.InsufficientPrivilege):  # in the agent's name
            conn.execute(DECISION, (world["escalation"], world["case"], world["ana"]))
    # Through the application, as the supervisor's login: the decision is theirs.
    supervisor = world["case_desk"](world["sue"])
    detail = supervisor.decide(world["ref"], "confirm", "It stands.", "Checked the logs.")
    assert detail.escalations[0].decisions[0].decided_by == world["sue"]
    with desk.connect(world["sue"]) as conn:
        for statement in (
            "UPDATE escalation_decisions SET outcome = 'reopen'",
            "DELETE FROM escalation_decisions",
            "TRUNCATE escalation_decisions",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
        assert count(conn, "escalation_decisions") == 1
    with desk.connect(world["ana"]) as conn:  # the agent reads the decision on her case
        assert conn.execute("SELECT decided_by FROM escalation_decisions").fetchall() == [
            (world["sue"],)
        ]
    with desk.connect(world["bao"]) as conn:  # the case is public: bao reads it too
        assert count(conn, "escalation_decisions") == 1

    # The escalation screen's lists, read as the logins.
    supervisor = EscalationService(world["case_desk"](world["sue"]))
    agent = EscalationService(world["case_desk"](world["ana"]))
    decided = supervisor.first(EscalationView.DECIDED, 10).rows
    assert [r.ref for r in decided] == [world["ref"]]
    assert supervisor.counts(EscalationView.DECIDED).total == 1
    assert [r.ref for r in agent.first(EscalationView.MY_CASES, 10).rows] == [world["ref"]]
