"""Demo seeding: realistic coverage, deterministic for a seed and clock, same data on SQLite and
PostgreSQL, and a database the services keep working on afterwards (schema, refs, sequences)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select, text

from complaint_tui.domain.enums import Channel, Status, Urgency
from complaint_tui.domain.settings import Settings
from complaint_tui.services import demo
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import Refused
from complaint_tui.services.identity import actor_named
from complaint_tui.store.access import CASE_DATA_TABLES
from complaint_tui.store.models import Case, CaseService, TimelineEvent
from tests.helpers_db import seed_demo_as_admin

from .test_smoke_services import draft

LOADED = ("cases", "case_services", "timeline_events", "attachments", "reported_events", "recusals")


def _schema(ctx: AppContext) -> dict:
    with ctx.db.engine.connect() as conn:
        insp = inspect(conn)
        return {
            t: (
                sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(t)),
                sorted(
                    (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in insp.get_foreign_keys(t)
                ),
                insp.get_pk_constraint(t)["constrained_columns"],
                sorted(u["name"] for u in insp.get_unique_constraints(t)),
            )
            for t in LOADED
        }


def _utc(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return value


def _dump(ctx: AppContext) -> list:
    """Every seeded case, service and timeline row, in a dialect-neutral form."""
    with ctx.db.session() as s:
        cases = [
            tuple(_utc(getattr(c, col.key)) for col in Case.__table__.columns)
            for c in s.scalars(select(Case).order_by(Case.id)).unique()
        ]
        services = s.execute(
            select(CaseService.case_id, CaseService.service, CaseService.position).order_by(
                CaseService.case_id, CaseService.service
            )
        ).all()
        events = [
            (e.id, e.case_id, e.kind, e.actor, _utc(e.at), e.text, e.customer_visible)
            for e in s.scalars(select(TimelineEvent).order_by(TimelineEvent.id))
        ]
    return [cases, [tuple(r) for r in services], events]


def _fresh_sqlite(tmp_path, clock) -> AppContext:
    """A migrated SQLite database set up like the ``ctx`` fixture's: no agents, no policy yet."""
    other = AppContext.build(Settings(), f"sqlite:///{tmp_path / 'other.db'}", clock)
    other.init_schema()
    return other


def test_demo_shows_every_status_channel_service_and_band(ctx):
    seed_demo_as_admin(ctx, 3_000, 7)
    desk = CaseDesk(ctx, actor_named(ctx, "anh.vo"))
    with ctx.db.session() as s:
        statuses = set(s.scalars(select(Case.status).distinct()))
        channels = set(s.scalars(select(Case.channel).distinct()))
        services = set(s.scalars(select(CaseService.service).distinct()))
        confidential = s.scalar(select(Case.id).where(Case.confidential.is_(True)).limit(1))
        escalated = s.scalar(select(Case.id).where(Case.escalation_level > 0).limit(1))
    assert statuses == {s.value for s in Status}
    assert channels == {c.value for c in Channel}
    assert services == set(ctx.settings.intake.services)
    assert confidential is not None and escalated is not None
    for band in Urgency:
        assert desk.count(desk.urgency_condition(band)) > 0, band


def test_demo_clones_prototypes_into_a_consistent_database(ctx, monkeypatch):
    """More cases than prototypes: cases are cycled clones with their own ids, refs, customers
    and consecutive timeline ids; the services can go on creating cases afterwards."""
    monkeypatch.setattr(demo, "PROTOTYPES", 400)
    monkeypatch.setattr(demo, "CUSTOMERS", 300)
    before = _schema(ctx)
    result = seed_demo_as_admin(ctx, 1_000, 11)
    assert result.cases == 1_000
    assert [name for name, _ in result.phases][:2] == ["prototypes", "load"]
    assert _schema(ctx) == before  # every index, key and foreign key is back, same names
    year = ctx.calendar.local(ctx.now()).year
    with ctx.db.session() as s:
        ids = list(s.scalars(select(Case.id).order_by(Case.id)))
        refs = set(s.scalars(select(Case.ref)))
        customers = set(s.scalars(select(Case.customer)))
        first, clone = (
            s.execute(select(Case.subject, Case.status, Case.queue_at).where(Case.id == i)).one()
            for i in (5, 405)
        )
        events = s.execute(
            select(TimelineEvent.id, TimelineEvent.case_id).order_by(TimelineEvent.id)
        ).all()
        without_service = s.scalar(
            text(
                "SELECT count(*) FROM cases c WHERE NOT EXISTS "
                "(SELECT 1 FROM case_services s WHERE s.case_id = c.id)"
            )
        )
    assert ids == list(range(1, 1_001))
    assert refs == {f"C-{year}-{i:05d}" for i in ids}
    assert 1 < len(customers) <= 300
    assert first == clone  # case 405 is the clone of case 5
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert [e.case_id for e in events] == sorted(e.case_id for e in events)
    assert {e.case_id for e in events} == set(ids)
    assert without_service == 0
    if ctx.db.is_postgres:  # the load marks its rows as the row trigger would (migration 0017)
        with ctx.db.session() as s:
            for table in CASE_DATA_TABLES:
                marks = s.execute(
                    text(
                        f"SELECT t.case_confidential, c.confidential, count(*) FROM {table} t "
                        "JOIN cases c ON c.id = t.case_id GROUP BY 1, 2"
                    )
                ).all()
                assert all(mark == flag for mark, flag, _ in marks), (table, marks)
                holders = s.scalar(
                    text(
                        f"SELECT count(*) FROM {table} t JOIN cases c ON c.id = t.case_id "
                        "WHERE t.case_holder IS DISTINCT FROM "
                        "(CASE WHEN c.confidential THEN c.assignee_id END)"
                    )
                )
                assert holders == 0, table
                if table in ("case_services", "timeline_events"):
                    assert {mark for mark, _, _ in marks} == {True, False}, table

    supervisor = actor_named(ctx, "anh.vo")
    created = CaseDesk(ctx, supervisor).create(draft())
    assert created.ref == f"C-{year}-01001"
    assert [e.kind.value for e in created.timeline] == ["created"]
    assert created.timeline[0].id == len(events) + 1


def test_demo_is_deterministic_and_the_same_on_both_databases(ctx, clock, tmp_path):
    seed_demo_as_admin(ctx, 600, 5)
    other = _fresh_sqlite(tmp_path, clock)
    try:
        seed_demo_as_admin(other, 600, 5)
        assert _dump(other) == _dump(ctx)
    finally:
        other.db.dispose()


def test_demo_refuses_a_database_with_cases(ctx):
    seed_demo_as_admin(ctx, 50, 1)
    with pytest.raises(Refused, match="already has 50 cases"):
        seed_demo_as_admin(ctx, 50, 1)
