"""Migration 0009 on SQLite and PostgreSQL: escalations recorded before it (only as timeline texts
and the case's columns) become request and decision records, and it goes down and up again."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import select, text

from complaint_tui.services.admin import init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.escalations import EscalationService, EscalationView
from complaint_tui.services.identity import actor_named
from complaint_tui.store.db import alembic_config
from complaint_tui.store.models import Agent, Escalation, EscalationDecision
from tests.conftest import DEFAULT_NOW
from tests.helpers_db import draft
from tests.test_schema import context, database, empty_url, upgrade_to  # noqa: F401 - fixtures

# The revision before the escalation records (0009).
BEFORE_ESCALATIONS = "0008"
EVENT = text(
    "INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible) "
    "VALUES (:case, :kind, :actor, :at, :text, :visible)"
)


def test_0009_backfills_requests_and_decisions_from_the_timeline(database, empty_url):  # noqa: F811
    ctx = context(empty_url)
    init_database(ctx, None if ctx.db.is_postgres else "ops")
    with ctx.db.session(write=True) as s:
        for name, role in (("hoa", "agent"), ("sue", "supervisor"), ("max", "manager")):
            s.add(Agent(name=name, role=role, active=True, created_at=DEFAULT_NOW))
    hoa = CaseDesk(ctx, actor_named(ctx, "hoa"))
    refs = []
    for _ in range(3):
        ref = hoa.create(draft()).ref
        hoa.assign(ref, "hoa")
        hoa.start(ref)
        hoa.resolve(ref, "Fixed.", "Configuration error")
        refs.append(ref)
    with database.engine.begin() as conn:
        command.downgrade(alembic_config(conn), BEFORE_ESCALATIONS)
    # What the program wrote before 0009, typed in as it was.
    t0 = DEFAULT_NOW - timedelta(days=6)
    due = DEFAULT_NOW + timedelta(days=1)
    with database.engine.begin() as conn:
        ids = {
            ref: conn.execute(text("SELECT id FROM cases WHERE ref = :r"), {"r": ref}).scalar_one()
            for ref in refs
        }
        two, one, odd = (ids[r] for r in refs)
        history = [
            (two, "escalation_request", "hoa", 0, "level 1 (supervisor): Please review.", False),
            (two, "escalation_decision", "sue", 1, "level 1, upheld: It stands.", True),
            (two, "escalation_request", "hoa", 2, "level 2 (manager): Now a manager.", False),
            (one, "escalation_request", "hoa", 0, "level 1 (supervisor): Look again.", False),
            (one, "escalation_request", "hoa", 1, "level 1 (supervisor): Twice.", False),
            (one, "escalation_decision", "sue", 2, "level 1, reopened: We look again.", True),
            (odd, "escalation_request", "hoa", 0, "level 3 (boss): Not a level.", False),
            (odd, "escalation_decision", "sue", 1, "level 3, upheld: Nothing to attach to.", True),
        ]
        for case, kind, actor, day, words, visible in history:
            conn.execute(
                EVENT,
                {
                    "case": case,
                    "kind": kind,
                    "actor": actor,
                    "at": t0 + timedelta(days=day),
                    "text": words,
                    "visible": visible,
                },
            )
        conn.execute(
            text(
                "UPDATE cases SET escalation_level = :level, escalation_pending = :pending, "
                "escalation_requested_at = :at, escalation_due_at = :due WHERE id = :id"
            ),
            [
                {"level": 2, "pending": True, "at": t0 + timedelta(days=2), "due": due, "id": two},
                {"level": 1, "pending": False, "at": t0, "due": due, "id": one},
            ],
        )
    upgrade_to(database, "head")
    database.check_schema()

    with ctx.db.session() as s:
        requests = s.execute(
            select(
                Escalation.case_id,
                Escalation.level,
                Escalation.request,
                Escalation.requested_by,
                Escalation.due_at,
            ).order_by(Escalation.case_id, Escalation.level)
        ).all()
        decisions = s.execute(
            select(
                EscalationDecision.case_id,
                EscalationDecision.level,
                EscalationDecision.outcome,
                EscalationDecision.explanation,
                EscalationDecision.note,
                EscalationDecision.decided_by,
            ).order_by(EscalationDecision.id)
        ).all()
    assert [tuple(r) for r in requests] == [
        (two, 1, "Please review.", "hoa", None),  # the case row kept only level 2's deadline
        (two, 2, "Now a manager.", "hoa", due),
        (one, 1, "Look again.", "hoa", due),  # the first request of a level
    ]
    assert [tuple(d) for d in decisions] == [
        (two, 1, "confirm", "It stands.", "", "sue"),
        (one, 1, "reopen", "We look again.", "", "sue"),
    ]

    # The program reads them as its own: the case's panel, the Decided view, the next decision.
    sue, boss = CaseDesk(ctx, actor_named(ctx, "sue")), CaseDesk(ctx, actor_named(ctx, "max"))
    panel = sue.get(refs[0]).escalations
    assert [(e.level, [d.outcome.value for d in e.decisions]) for e in panel] == [
        (1, ["confirm"]),
        (2, []),
    ]
    decided = EscalationService(sue).first(EscalationView.DECIDED, 10).rows
    assert [(r.ref, r.level) for r in decided] == [(refs[1], 1), (refs[0], 1)]
    assert decided[1].badge(ctx.sla, ctx.now()).text == "✓ met"  # its deadline is unknown
    d = boss.decide(refs[0], "confirm", "Reviewed at manager level.")
    assert [len(e.decisions) for e in d.escalations] == [1, 1]

    with database.engine.begin() as conn:  # down and up again
        command.downgrade(alembic_config(conn), BEFORE_ESCALATIONS)
        assert "escalations" not in _tables(conn)
    upgrade_to(database, "head")
    database.check_schema()
    with ctx.db.session() as s:
        again = s.execute(
            select(
                EscalationDecision.case_id, EscalationDecision.level, EscalationDecision.outcome
            ).order_by(EscalationDecision.id)
        ).all()
    # The decision written by this program is read back from its timeline text too.
    assert [tuple(r) for r in again] == [
        (two, 1, "confirm"),
        (one, 1, "reopen"),
        (two, 2, "confirm"),
    ]
    ctx.db.dispose()


def _tables(conn) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())
