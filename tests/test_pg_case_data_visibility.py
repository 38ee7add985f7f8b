"""Each row of case data carries its case's confidentiality (migration 0017), so an agent's policy
decides the rows of ordinary cases without looking the case up. The copy must never lie: it is
set by the database whatever a client writes, follows a change of the case's flag in the same
transaction, and the append-only timeline stays append-only around it. Raw SQL (psycopg) as real
logins, as in test_pg_need_to_know.
"""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from alembic import command
from psycopg import errors

from complaint_tui.domain.intake import AttachmentInput, EventDate
from complaint_tui.services.admin import add_agent, init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import resolve_actor
from complaint_tui.store.access import CASE_DATA_TABLES
from complaint_tui.store.db import alembic_config
from tests.conftest import DEFAULT_NOW
from tests.helpers_db import draft
from tests.pg_desk import pg_desk

pytestmark = pytest.mark.pg


@pytest.fixture(scope="module")
def world():
    with pg_desk("ct_vis") as desk:
        contexts = []

        def case_desk(login: str) -> CaseDesk:
            context = desk.context(login)
            contexts.append(context)
            return CaseDesk(context, resolve_actor(context))

        try:
            owner = desk.context(desk.owner)
            contexts.append(owner)
            init_database(owner)
            people = {n: desk.name(n) for n in ("ana", "bao", "sue")}
            for key, role in (("ana", "agent"), ("bao", "agent"), ("sue", "supervisor")):
                add_agent(owner, resolve_actor(owner), people[key], role)
            sue = case_desk(people["sue"])
            rich = dict(
                services=["VPS", "DNS"],
                events=[EventDate(DEFAULT_NOW - timedelta(days=1), "outage began")],
                attachments=[AttachmentInput("log.txt", "text/plain", b"kernel panic")],
            )
            secret = sue.create(draft(confidential=True, subject="bao's secret", **rich))
            sue.assign(secret.ref, people["bao"])
            case_desk(people["bao"]).note(secret.ref, "a confidential note")
            public = sue.create(draft(subject="an ordinary outage", **rich))
            sue.assign(public.ref, people["bao"])
            with desk.superuser() as su:
                ids = dict(
                    su.execute(
                        "SELECT ref, id FROM cases WHERE ref = ANY(%s)", ([secret.ref, public.ref],)
                    ).fetchall()
                )
            yield desk, people, ids[secret.ref], ids[public.ref]
        finally:
            for context in contexts:
                context.db.dispose()


def mismatches(conn: psycopg.Connection) -> dict[str, int]:
    """Rows whose copy disagrees with their case, per table (as a superuser: every row)."""
    out = {}
    for table in CASE_DATA_TABLES:
        out[table] = conn.execute(
            f"SELECT count(*) FROM {table} t JOIN cases c ON c.id = t.case_id "
            "WHERE t.case_confidential IS DISTINCT FROM c.confidential "
            "OR t.case_holder IS DISTINCT FROM (CASE WHEN c.confidential THEN c.assignee_id END)"
        ).fetchone()[0]
    return out


def visible_rows(conn: psycopg.Connection, case_id: int) -> dict[str, int]:
    return {
        table: conn.execute(
            f"SELECT count(*) FROM {table} WHERE case_id = %s", (case_id,)
        ).fetchone()[0]
        for table in ("case_services", "reported_events", "timeline_events", "attachments")
    }


def test_every_row_of_case_data_carries_its_cases_flag(world):
    desk, _, secret, public = world
    with desk.superuser() as su:
        assert mismatches(su) == dict.fromkeys(CASE_DATA_TABLES, 0)
        for case_id, flag in ((secret, True), (public, False)):
            for table, count in visible_rows(su, case_id).items():
                assert count > 0, table
                marks = su.execute(
                    f"SELECT DISTINCT case_confidential FROM {table} WHERE case_id = %s",
                    (case_id,),
                ).fetchall()
                assert marks == [(flag,)], table


def test_a_client_cannot_write_a_false_copy(world):
    """The agent who holds the confidential case writes its timeline claiming it is ordinary: the
    database stores the case's own flag, and the other agent still sees nothing of it."""
    desk, people, secret, _ = world
    with desk.connect(people["bao"]) as bao:
        ana_id = bao.execute("SELECT id FROM agents WHERE name = %s", (people["ana"],)).fetchone()[
            0
        ]
        row = bao.execute(
            "INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible, "
            "case_confidential, case_holder) VALUES (%s, 'note', %s, now(), "
            "'claims to be public', false, false, %s) RETURNING case_confidential, case_holder",
            (secret, people["bao"], ana_id),
        ).fetchone()
        bao_id = bao.execute("SELECT ct_me()").fetchone()[0]
    assert row == (True, bao_id)
    with desk.connect(people["ana"]) as ana:
        assert visible_rows(ana, secret) == dict.fromkeys(visible_rows(ana, secret), 0)
        assert (
            ana.execute(
                "SELECT count(*) FROM timeline_events WHERE text = 'claims to be public'"
            ).fetchone()[0]
            == 0
        )


def test_a_change_of_the_flag_reaches_every_row_at_once(world):
    """The owner makes the ordinary case confidential and back with raw SQL: its rows follow in
    the same statement, so the other agent loses and regains sight of all of them, and the case
    history has both changes."""
    desk, people, _, public = world
    with desk.connect(people["ana"]) as ana:
        before = visible_rows(ana, public)
    assert all(before.values()), before
    with desk.connect(desk.owner) as owner:
        owner.execute("UPDATE cases SET confidential = true WHERE id = %s", (public,))
    try:
        with desk.connect(people["ana"]) as ana:
            assert visible_rows(ana, public) == dict.fromkeys(before, 0)
        with desk.connect(people["bao"]) as bao:  # the assignee keeps them
            assert visible_rows(bao, public) == before
        with desk.superuser() as su:
            assert mismatches(su) == dict.fromkeys(CASE_DATA_TABLES, 0)
    finally:
        with desk.connect(desk.owner) as owner:
            owner.execute("UPDATE cases SET confidential = false WHERE id = %s", (public,))
    with desk.connect(people["ana"]) as ana:
        assert visible_rows(ana, public) == before
    with desk.superuser() as su:
        assert mismatches(su) == dict.fromkeys(CASE_DATA_TABLES, 0)
        changes = su.execute(
            "SELECT changed, new_values FROM case_history WHERE case_id = %s "
            "AND operation = 'update' AND changed ? 'confidential' ORDER BY id",
            (public,),
        ).fetchall()
    assert [values["confidential"] for _, values in changes] == [True, False]


def test_the_timeline_stays_append_only_for_the_owner_too(world):
    """Only the sync, from inside a trigger, may touch a timeline row, and only its copy."""
    desk, _, _, public = world
    with desk.connect(desk.owner) as owner:
        for sql in (
            "UPDATE timeline_events SET case_confidential = true WHERE case_id = %s",
            "UPDATE timeline_events SET text = 'rewritten' WHERE case_id = %s",
            "DELETE FROM timeline_events WHERE case_id = %s",
        ):
            with pytest.raises(errors.InsufficientPrivilege, match="append-only"):
                owner.execute(sql, (public,))
        # A trigger of the owner's own that rewrites text is still refused row by row.
        owner.execute(
            "CREATE FUNCTION pg_temp.rewrite() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE timeline_events SET text = 'rewritten' WHERE case_id = NEW.id; "
            "RETURN NULL; END $$"
        )
        owner.execute("CREATE TEMP TABLE poke (id bigint)")
        owner.execute(
            "CREATE TRIGGER poke_rewrites AFTER INSERT ON pg_temp.poke FOR EACH ROW "
            "EXECUTE FUNCTION pg_temp.rewrite()"
        )
        with pytest.raises(errors.InsufficientPrivilege, match="append-only"):
            owner.execute("INSERT INTO pg_temp.poke VALUES (%s)", (public,))
    with desk.superuser() as su:
        assert (
            su.execute("SELECT count(*) FROM timeline_events WHERE text = 'rewritten'").fetchone()[
                0
            ]
            == 0
        )


def test_an_agent_reading_an_ordinary_case_looks_no_case_up(world):
    """The point of the copies: the policy's per-row lookup of the case (ct_case_visible) is never
    called for the rows of a case that is not confidential, nor of a confidential one the reader
    holds; only for someone else's. Counted by PostgreSQL's function statistics of the reading
    transaction."""
    desk, people, secret, public = world
    with desk.superuser() as su:
        for login in (people["bao"], people["ana"]):
            su.execute(f"ALTER ROLE \"{login}\" SET track_functions = 'pl'")

    def lookups(conn, table: str, case_id: int) -> tuple[int, bool]:
        calls = "SELECT pg_stat_get_xact_function_calls('ct_case_visible(bigint)'::regprocedure)"
        with conn.transaction():  # pending counts, not flushed until the session is idle
            before = conn.execute(calls).fetchone()[0] or 0
            rows = conn.execute(f"SELECT * FROM {table} WHERE case_id = %s", (case_id,)).fetchall()
            return (conn.execute(calls).fetchone()[0] or 0) - before, bool(rows)

    tables = ("case_services", "reported_events", "timeline_events", "attachments")
    try:
        with desk.connect(people["bao"]) as bao:  # an ordinary case, and his own confidential one
            for table in tables:
                assert lookups(bao, table, public) == (0, True), table
                assert lookups(bao, table, secret) == (0, True), table
        with desk.connect(people["ana"]) as ana:  # someone else's: the lookup decides, and hides
            for table in tables:
                calls, found = lookups(ana, table, secret)
                assert calls > 0 and not found, table
    finally:
        with desk.superuser() as su:
            for login in (people["bao"], people["ana"]):
                su.execute(f'ALTER ROLE "{login}" RESET track_functions')


def test_a_confidential_case_handed_to_another_agent_moves_its_rows_with_it(world):
    """The holder is copied too: a supervisor reassigns the confidential case, and its rows follow
    the case to the new holder and leave the old one, in the same transaction."""
    desk, people, secret, _ = world
    with desk.connect(people["bao"]) as bao:
        held = visible_rows(bao, secret)
    assert all(held.values()), held
    with desk.superuser() as su:
        ref = su.execute("SELECT ref FROM cases WHERE id = %s", (secret,)).fetchone()[0]
    context = desk.context(people["sue"])
    sue = CaseDesk(context, resolve_actor(context))
    try:
        sue.assign(ref, people["ana"])
        with desk.superuser() as su:
            every_row = visible_rows(su, secret)  # the assignment added a timeline entry
        with desk.connect(people["ana"]) as ana:
            assert visible_rows(ana, secret) == every_row
        with desk.connect(people["bao"]) as bao:
            assert visible_rows(bao, secret) == dict.fromkeys(held, 0)
        with desk.superuser() as su:
            assert mismatches(su) == dict.fromkeys(CASE_DATA_TABLES, 0)
    finally:
        sue.assign(ref, people["bao"])
        context.db.dispose()
    with desk.connect(people["bao"]) as bao, desk.superuser() as su:
        assert visible_rows(bao, secret) == visible_rows(su, secret)


def test_the_upgrade_marks_the_rows_of_an_existing_desk(world):
    """A desk recorded before 0017 gets the copy right on upgrade: ordinary by the column's
    default, confidential by the migration's one UPDATE (past the append-only triggers)."""
    desk, people, secret, public = world
    with desk.connect(desk.owner) as owner:
        owner.execute("DROP TABLE IF EXISTS pg_temp.poke")
    context = desk.context(desk.owner)
    try:
        with context.db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0016")
        with desk.superuser() as su:
            assert (
                su.execute(
                    "SELECT count(*) FROM information_schema.columns "
                    "WHERE column_name = 'case_confidential'"
                ).fetchone()[0]
                == 0
            )
        init_database(context)  # upgrades and re-applies the policies
    finally:
        context.db.dispose()
    with desk.superuser() as su:
        assert mismatches(su) == dict.fromkeys(CASE_DATA_TABLES, 0)
        assert su.execute(
            "SELECT DISTINCT case_confidential FROM timeline_events WHERE case_id = %s", (secret,)
        ).fetchall() == [(True,)]
    with desk.connect(people["ana"]) as ana:
        assert visible_rows(ana, secret) == dict.fromkeys(visible_rows(ana, secret), 0)
        assert all(visible_rows(ana, public).values())


def test_a_service_rows_receipt_instant_is_its_cases(world):
    """Service reports count a case in the period of its service rows' receipt instant (0015),
    so that copy is the database's too (0020): the agent holding the case adds a service row
    claiming another year, and the row gets the case's instant."""
    desk, people, _, public = world
    with desk.connect(people["bao"]) as bao:
        stored = bao.execute(
            "INSERT INTO case_services (case_id, service, position, received_at) "
            "VALUES (%s, 'Backup', 9, '2001-01-01T00:00:00+00') RETURNING received_at",
            (public,),
        ).fetchone()[0]
        received = bao.execute("SELECT received_at FROM cases WHERE id = %s", (public,)).fetchone()[
            0
        ]
    assert stored == received
