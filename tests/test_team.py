"""The team view's figures, the assignee filter and deactivation with a handover, on SQLite and
PostgreSQL (as the program's own connection; tests/test_pg_team_roles.py as real login roles)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from complaint_tui.domain.enums import Status, Urgency
from complaint_tui.services.admin import handover_text, set_agent_active
from complaint_tui.services.cases import UNASSIGNED, CaseDesk
from complaint_tui.services.errors import NotFound, PermissionDenied, Refused
from complaint_tui.services.queue import QueueFilter, QueueQuery, QueueService, QueueView
from complaint_tui.services.team import TeamService
from complaint_tui.store.models import AccessLog, Agent, Case, TimelineEvent
from tests.helpers_db import assert_unchanged, dump
from tests.team_data import EXPECTED, OLDEST, build_team


def figures(row) -> tuple[int, int, int, int, int]:
    return (row.open, row.breached, row.urgent, row.waiting, row.escalations)


def test_team_rows_count_each_agent_open_cases_in_the_queue_bands(ctx, agents):
    build_team(ctx, agents)
    rows = TeamService(CaseDesk(ctx, agents["sue"])).rows()
    # Every active person who handles cases, admins not; by name.
    assert [r.name for r in rows] == ["alice", "bob", "max", "sue"]
    assert {r.name: figures(r) for r in rows} == EXPECTED
    assert {r.name: r.oldest_open for r in rows} == OLDEST
    tz = ctx.calendar.tz
    assert rows[0].to_json(tz) == {
        "agent": "alice",
        "role": "agent",
        "open": 3,
        "breached": 1,
        "urgent": 1,
        "waiting_on_customer": 1,
        "escalations_pending": 2,
        "oldest_open": "2026-11-20T09:00:00+07:00",
    }


def test_team_figures_agree_with_the_queue_filtered_to_each_agent(ctx, agents):
    """The same band definition: the queue's band counts of "All open" filtered to an agent."""
    build_team(ctx, agents)
    desk = CaseDesk(ctx, agents["max"])
    queue = QueueService(desk)
    for row in TeamService(desk).rows():
        query = QueueQuery(QueueView.ALL_OPEN, QueueFilter(assignee=row.name))
        bands, total = queue.band_counts(query)
        assert total == row.open
        assert bands[Urgency.BREACHED] == row.breached
        assert bands[Urgency.URGENT] == row.urgent
        assert bands[Urgency.PAUSED] == row.waiting
        listed = desk.list(assignee=row.name)
        open_rows = [r for r in listed if r.status.is_open]
        assert len(open_rows) == row.open
        badges = [r.badge(ctx.sla, desk.now).band for r in open_rows]
        assert badges.count(Urgency.BREACHED) == row.breached
        assert badges.count(Urgency.URGENT) == row.urgent
        assert sum(r.escalation_pending for r in listed) == row.escalations


def test_team_rows_move_with_time(ctx, agents, clock):
    """Bands are judged at "now": at 17:01 alice's urgent case has breached."""
    from datetime import timedelta

    build_team(ctx, agents)
    clock.advance(timedelta(hours=2, minutes=31))
    rows = {r.name: r for r in TeamService(CaseDesk(ctx, agents["sue"])).rows()}
    assert (rows["alice"].breached, rows["alice"].urgent) == (2, 0)


def test_agents_are_refused_the_team_view_and_the_refusal_is_logged(ctx, agents):
    build_team(ctx, agents)
    with pytest.raises(PermissionDenied) as info:
        TeamService(CaseDesk(ctx, agents["alice"])).rows()
    assert str(info.value) == ("The team view is for supervisors and managers; alice is an agent.")
    with pytest.raises(PermissionDenied):
        TeamService(CaseDesk(ctx, agents["ada"])).rows()
    with ctx.db.session() as s:
        logged = s.execute(
            select(AccessLog.actor, AccessLog.action, AccessLog.allowed).where(
                AccessLog.action == "team"
            )
        ).all()
    assert sorted(logged) == [("ada", "team", False), ("alice", "team", False)]


def test_assignee_filter_lists_one_agent_or_nobody(ctx, agents):
    refs = build_team(ctx, agents)
    desk = CaseDesk(ctx, agents["sue"])
    assert {r.ref for r in desk.list(assignee="alice")} == set(refs["alice"])
    assert {r.ref for r in desk.list(assignee=UNASSIGNED)} == set(refs["nobody"])
    assert desk.list(assignee="max") == []
    queue = QueueService(desk)
    page = queue.first(QueueQuery(QueueView.ALL_OPEN, QueueFilter(assignee="bob")), 10)
    assert {r.ref for r in page.rows} == set(refs["bob"])
    page = queue.first(QueueQuery(QueueView.ALL_OPEN, QueueFilter(assignee=UNASSIGNED)), 10)
    assert [r.ref for r in page.rows] == refs["nobody"]
    assert QueueFilter(assignee=UNASSIGNED).describe() == "assignee nobody"


def test_an_agent_sees_only_what_they_may_under_the_assignee_filter(ctx, agents):
    refs = build_team(ctx, agents)
    alice = CaseDesk(ctx, agents["alice"])
    # bob's confidential case is not alice's to see.
    assert {r.ref for r in alice.list(assignee="bob")} == {refs["bob"][0]}


def test_an_unknown_assignee_is_refused_in_one_sentence(ctx, agents):
    build_team(ctx, agents)
    desk = CaseDesk(ctx, agents["sue"])
    err = assert_unchanged(ctx, lambda: desk.list(assignee="zed"), NotFound)
    assert str(err) == "No agent 'zed'; name an agent, or none for unassigned cases."
    queue = QueueService(desk)
    with pytest.raises(NotFound):
        queue.first(QueueQuery(QueueView.ALL_OPEN, QueueFilter(assignee="zed")), 10)


# ---- deactivation -------------------------------------------------------------------------------


def held_by(ctx, name: str) -> list[tuple[str, str]]:
    with ctx.db.session() as s:
        return list(
            s.execute(
                select(Case.ref, Case.status)
                .join(Agent, Agent.id == Case.assignee_id)
                .where(Agent.name == name)
                .order_by(Case.ref)
            ).all()
        )


def test_deactivating_an_agent_who_holds_cases_is_refused_naming_the_count(ctx, agents):
    build_team(ctx, agents)
    err = assert_unchanged(ctx, lambda: set_agent_active(ctx, agents["ada"], "alice", False))
    assert str(err) == (
        "alice holds 4 cases that are not closed; give --reassign-to OTHER or --unassign to "
        "hand them over."
    )
    for other, why in (
        ("ada", "No active agent 'ada' to take the cases."),
        ("alice", "alice cannot take over their own cases."),
        ("zed", "No active agent 'zed' to take the cases."),
    ):
        err = assert_unchanged(
            ctx, lambda o=other: set_agent_active(ctx, agents["ada"], "alice", False, reassign_to=o)
        )
        assert str(err) == why
    assert_unchanged(
        ctx,
        lambda: set_agent_active(
            ctx, agents["ada"], "alice", False, reassign_to="bob", unassign=True
        ),
    )


def test_deactivation_needs_an_admin(ctx, agents):
    build_team(ctx, agents)
    before = dump(ctx, exclude={"access_log"})
    with pytest.raises(PermissionDenied):
        set_agent_active(ctx, agents["sue"], "alice", False, unassign=True)
    assert dump(ctx, exclude={"access_log"}) == before


@pytest.mark.parametrize("target", ["bob", None])
def test_deactivating_hands_every_case_over_with_a_timeline_entry(ctx, agents, target):
    refs = build_team(ctx, agents)
    done = set_agent_active(
        ctx, agents["ada"], "alice", False, reassign_to=target, unassign=target is None
    )
    assert (done.name, done.moved, done.to) == ("alice", 4, target)
    # Never a case left with an inactive agent (closed ones keep their handler; none here).
    with ctx.db.session() as s:
        stranded = s.scalar(
            select(Case.ref)
            .join(Agent, Agent.id == Case.assignee_id)
            .where(Agent.active.is_(False), Case.status != Status.CLOSED.value)
        )
        assert stranded is None
        assert s.scalar(select(Agent.active).where(Agent.name == "alice")) is False
    assert held_by(ctx, "alice") == []
    desk = CaseDesk(ctx, agents["sue"])
    # Written in the name of whoever did it: on PostgreSQL the database login (here the test's).
    by = ctx.database_login() if ctx.db.is_postgres else "ada"
    for ref in refs["alice"]:
        detail = desk.get(ref)
        assert detail.summary.assignee == target
        last = detail.timeline[-1]
        assert (last.kind.value, last.actor, last.text) == (
            "assignment",
            by,
            handover_text("alice", target),
        )
    assert handover_text("alice", "bob") == "assigned to bob (alice deactivated)"
    assert handover_text("alice", None) == "unassigned (alice deactivated)"
    # The team view no longer lists alice.
    assert "alice" not in [r.name for r in TeamService(desk).rows()]


def test_a_handover_to_someone_who_recused_is_refused(ctx, agents):
    refs = build_team(ctx, agents)
    CaseDesk(ctx, agents["sue"]).assign(refs["nobody"][0], "bob")
    CaseDesk(ctx, agents["bob"]).recuse(refs["nobody"][0], "My cousin's company.")
    CaseDesk(ctx, agents["sue"]).assign(refs["nobody"][0], "alice")
    err = assert_unchanged(
        ctx, lambda: set_agent_active(ctx, agents["ada"], "alice", False, reassign_to="bob")
    )
    assert (
        str(err) == "bob recused from 1 case of alice's; reassign those first, or use --unassign."
    )


def test_an_agent_without_cases_is_deactivated_plainly(ctx, agents):
    build_team(ctx, agents)
    done = set_agent_active(ctx, agents["ada"], "max", False)
    assert (done.moved, done.to) == (0, None)
    with ctx.db.session() as s:
        assert (
            s.scalar(select(TimelineEvent.id).where(TimelineEvent.text.like("%deactivated%")))
            is None
        )
    with pytest.raises(Refused):
        set_agent_active(ctx, agents["ada"], "max", True, unassign=True)


def test_the_team_queries_read_their_partial_indexes(tmp_path, sqlite_template):
    """SQLite, without statistics: the open workload in one grouped pass over its partial
    index, no sort; the reviews from the pending rows alone."""
    import shutil

    from sqlalchemy import text

    from complaint_tui.domain.settings import Settings
    from complaint_tui.services.context import AppContext
    from tests.conftest import add_agent

    shutil.copy(sqlite_template, tmp_path / "plan.db")
    ctx = AppContext.build(Settings(), f"sqlite:///{tmp_path / 'plan.db'}")
    service = TeamService(CaseDesk(ctx, add_agent(ctx, "sue", "supervisor")))
    plans = []
    for stmt in (service.workload_query(), service.reviews_query()):
        sql = stmt.compile(ctx.db.engine, compile_kwargs={"literal_binds": True})
        with ctx.db.engine.connect() as conn:
            plans.append(" ".join(r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))))
    ctx.db.dispose()
    assert "COVERING INDEX ix_cases_open_workload" in plans[0], plans
    # Only the pending reviews are read: the partial index, or (no statistics yet) a range of
    # an escalation index, whose few rows are then grouped.
    assert "INDEX ix_cases_pending_review" in plans[1] or "(escalation_pending=?)" in plans[1]
    assert "TEMP B-TREE" not in plans[0], plans
