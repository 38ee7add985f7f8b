"""Need-to-know held by PostgreSQL itself (issue 8): every statement of the issue's "Why", typed
with raw SQL (psycopg, no application code) by real login roles that `init` and `agent add`
provisioned: an agent, a recused agent, a supervisor, a deactivated agent, an admin and the owner.

Each attempt is refused, or finds no rows, exactly as the policy says; what an agent does
directly to a case is in case_history under their login.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import select

from complaint_tui.domain.intake import AttachmentInput
from complaint_tui.services.admin import add_agent, init_database, set_agent_active
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import resolve_actor
from tests.helpers_db import draft
from tests.pg_desk import Desk, pg_desk

pytestmark = pytest.mark.pg

YEAR = 2026  # the fixed clock's year (tests.conftest.DEFAULT_NOW)


class World:
    """One desk, its people (login names) and cases (ids), made through the application."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.contexts = []

    def ctx(self, login: str):
        context = self.desk.context(login)
        self.contexts.append(context)
        return context

    def case_desk(self, login: str) -> CaseDesk:
        context = self.ctx(login)
        return CaseDesk(context, resolve_actor(context))


@pytest.fixture(scope="module")
def world():
    with pg_desk() as desk:
        w = World(desk)
        try:
            _populate(w)
            yield w
        finally:
            for context in w.contexts:
                context.db.dispose()


def _populate(w: World) -> None:
    d = w.desk
    owner_ctx = w.ctx(d.owner)
    init_database(owner_ctx)  # the owner becomes the first admin
    w.admin = d.name("adm")
    add_agent(owner_ctx, resolve_actor(owner_ctx), w.admin, "admin")
    admin_ctx = w.ctx(w.admin)
    admin = resolve_actor(admin_ctx)
    # A name that needs quoting in SQL, to keep the provisioning honest.
    w.ana, w.bao, w.sue, w.gone = d.name("Ana.Le"), d.name("bao"), d.name("sue"), d.name("gone")
    for name, role in (
        (w.ana, "agent"),
        (w.bao, "agent"),
        (w.sue, "supervisor"),
        (w.gone, "agent"),
    ):
        add_agent(admin_ctx, admin, name, role)
    set_agent_active(admin_ctx, admin, w.gone, False)

    sue, ana = w.case_desk(w.sue), w.case_desk(w.ana)
    secret = AttachmentInput("contract.pdf", "application/pdf", b"%PDF-1.4 bao's secret")
    cb = sue.create(draft(confidential=True, subject="zanzibar dispute", attachments=[secret]))
    sue.assign(cb.ref, w.bao)
    w.case_desk(w.bao).note(cb.ref, "confidential note about zanzibar")
    ca = sue.create(draft(confidential=True, customer="anas-customer"))
    sue.assign(ca.ref, w.ana)
    cf = sue.create(draft(confidential=True, subject="nobody's secret"))
    pb = sue.create(draft(subject="bao's public case"))
    sue.assign(pb.ref, w.bao)
    p = ana.create(draft(subject="public and unassigned"))
    u = sue.create(draft(subject="to be taken"))
    r = sue.create(draft(subject="ana recuses"))
    sue.assign(r.ref, w.ana)
    ana.recuse(r.ref, "my cousin's company")
    ids = {}
    with d.superuser() as conn:
        for key, ref in (
            ("cb", cb),
            ("ca", ca),
            ("cf", cf),
            ("pb", pb),
            ("p", p),
            ("u", u),
            ("r", r),
        ):
            ids[key] = conn.execute("SELECT id FROM cases WHERE ref = %s", (ref.ref,)).fetchone()[0]
        w.agent_id = dict(conn.execute("SELECT name, id FROM agents").fetchall())
        conn.execute("ANALYZE")  # statistics exist, so the pg_stats check below means something
    w.case = ids


# ---- helpers --------------------------------------------------------------------------------
def refused(conn: psycopg.Connection, sql: str, params=None) -> str:
    """The statement fails for lack of permission (grants, row-level security or a trigger)."""
    with pytest.raises(errors.InsufficientPrivilege) as info:
        conn.execute(sql, params)
    return str(info.value)


def ids(conn: psycopg.Connection, sql: str, params=None) -> set:
    return {row[0] for row in conn.execute(sql, params).fetchall()}


def history(w: World, case_id: int) -> list[tuple]:
    with w.desk.superuser() as conn:
        return conn.execute(
            "SELECT actor, operation, changed, via_app, new_values FROM case_history "
            "WHERE case_id = %s ORDER BY id",
            (case_id,),
        ).fetchall()


def snapshot(w: World) -> dict:
    """Every row of the desk's tables, as the superuser sees them."""
    out = {}
    with w.desk.superuser() as conn:
        for table in (
            "cases",
            "timeline_events",
            "access_log",
            "attachments",
            "agents",
            "ref_counters",
            "recusals",
            "alembic_version",
            "case_history",
        ):
            out[table] = conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    return out


# ---- an agent reading ---------------------------------------------------------------------------
def test_agent_reads_public_cases_and_only_their_own_confidential_ones(world):
    w, c = world, world.case
    with w.desk.superuser() as su:
        expected = ids(su, "SELECT id FROM cases WHERE NOT confidential") | {c["ca"]}
    with w.desk.connect(w.ana) as conn:
        assert ids(conn, "SELECT id FROM cases") == expected
        assert ids(conn, "SELECT id FROM cases WHERE confidential") == {c["ca"]}
        secret = [c["cb"], c["cf"]]
        for table in ("timeline_events", "attachments", "reported_events", "case_services"):
            assert (
                ids(conn, f"SELECT case_id FROM {table} WHERE case_id = ANY(%s)", (secret,))
                == set()
            )
        assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
        # the search data: the word is in bao's confidential subject
        found = "SELECT id FROM cases WHERE search_tsv @@ to_tsquery('simple', 'zanzibar')"
        assert ids(conn, found) == set()
        assert (
            conn.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'cases'").fetchone()[0]
            == 0
        )
        # only their own recusals; nobody else's audit
        assert ids(conn, "SELECT agent_id FROM recusals") == {w.agent_id[w.ana]}
        for table in ("case_history", "access_log"):
            refused(conn, f"SELECT * FROM {table}")
    with w.desk.superuser() as su:  # the rows are there: the filter is need-to-know, not absence
        assert ids(su, "SELECT case_id FROM attachments") == {c["cb"]}
        assert ids(su, found) == {c["cb"]}


def test_search_function_finds_only_what_the_login_may_see(world):
    """ct_search_ids reads the search index as the owner (migration 0013): it returns, for any
    words, exactly the matching cases the login's policies show, and no id beyond them."""
    w, c = world, world.case
    everything = "c:*"  # every case's ref starts with C-
    with w.desk.superuser() as su:
        all_ids = ids(su, "SELECT id FROM cases")
    assert {c["cb"], c["cf"], c["ca"]} <= all_ids
    for login, zanzibar in ((w.ana, set()), (w.bao, {c["cb"]}), (w.sue, {c["cb"]})):
        with w.desk.connect(login) as conn:
            assert ids(conn, "SELECT ct_search_ids('zanzibar', NULL)") == zanzibar
            visible = ids(conn, "SELECT id FROM cases")
            assert ids(conn, "SELECT ct_search_ids(%s, NULL)", (everything,)) == visible
            assert len(ids(conn, "SELECT ct_search_ids(%s, 2)", (everything,))) == 2
    with w.desk.connect(w.ana) as conn:
        assert c["cf"] not in ids(conn, "SELECT ct_search_ids(%s, NULL)", (everything,))


def test_an_agents_search_is_served_by_indexes_under_row_level_security(world):
    """PostgreSQL keeps a non-leakproof condition such as ``@@`` from using an index on a table
    whose policy hides rows: the agent's search would read every case. The program's condition
    for a search matching few cases goes through the primary key instead."""
    from complaint_tui.services.search import search_condition
    from complaint_tui.store.models import Case

    w = world
    context = w.ctx(w.ana)
    condition = search_condition(context.db, "zanzibar", common=False)
    sql = str(
        select(Case.id)
        .where(condition)
        .compile(dialect=context.db.engine.dialect, compile_kwargs={"literal_binds": True})
    )
    bare = "SELECT id FROM cases WHERE search_tsv @@ to_tsquery('simple', 'zanzibar')"
    with w.desk.connect(w.ana) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = lambda q: "\n".join(r[0] for r in conn.execute("EXPLAIN " + q))  # noqa: E731
        assert "Seq Scan on cases" in plan(bare)  # what the policy does to the GIN index
        assert "Seq Scan on cases" not in plan(sql)
        assert ids(conn, sql) == set()
    with w.desk.connect(w.bao) as conn:
        assert ids(conn, sql) == {w.case["cb"]}


def test_an_agents_counts_are_index_only_under_row_level_security(world):
    """The queue's view and band counts, as the program sends them for an agent, read only an
    index with the policy applied: the indexes carry what the program's filter and the policy
    read (migration 0018). Without, each count read the table (0.3-0.6 s at 1M cases)."""
    from sqlalchemy import event

    from complaint_tui.services.queue import QueueQuery, QueueService, QueueView

    w = world
    context = w.ctx(w.ana)
    sent: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context_, executemany):
        if statement.lstrip().upper().startswith("SELECT COUNT"):
            sent.append((statement, parameters))

    event.listen(context.db.engine, "before_cursor_execute", capture)
    try:
        service = QueueService(CaseDesk(context, resolve_actor(context)))
        service.view_counts()
        for view in (QueueView.ALL_OPEN, QueueView.MINE, QueueView.NEXT_UPDATE):
            service.band_counts(QueueQuery(view=view))
    finally:
        event.remove(context.db.engine, "before_cursor_execute", capture)
    assert len(sent) >= 10
    with w.desk.superuser() as su:  # the visibility map, which index-only scans consult
        su.execute("VACUUM ANALYZE cases")
    with w.desk.connect(w.ana) as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        for statement, parameters in sent:
            plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + statement, parameters))
            assert "Index Only Scan" in plan, (statement, plan)


# ---- an agent rewriting the record ----------------------------------------------------------------
def test_agent_cannot_edit_delete_move_or_truncate_history(world):
    w, c = world, world.case
    before = snapshot(w)
    with w.desk.connect(w.ana) as conn:
        refused(
            conn,
            "UPDATE timeline_events SET text = 'nothing happened' WHERE case_id = %s",
            (c["ca"],),
        )
        refused(
            conn, "UPDATE timeline_events SET case_id = %s WHERE case_id = %s", (c["p"], c["ca"])
        )
        refused(conn, "DELETE FROM timeline_events WHERE case_id = %s", (c["ca"],))
        refused(conn, "TRUNCATE timeline_events")
        refused(conn, "DELETE FROM cases WHERE id = %s", (c["ca"],))
        refused(conn, "TRUNCATE cases CASCADE")
        # copying history onto someone else's case: refused by row-level security
        for target in (c["pb"], c["cb"]):
            refused(
                conn,
                "INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible) "
                "VALUES (%s, 'note', current_user, now(), 'moved here', false)",
                (target,),
            )
    assert snapshot(w) == before


def test_access_log_rows_cannot_be_forged_or_edited(world):
    w = world
    with w.desk.connect(w.ana) as conn:
        log = (
            "INSERT INTO access_log (at, actor, action, case_ref, allowed, detail) "
            "VALUES (now(), %s, 'view', NULL, true, '')"
        )
        message = refused(conn, log, (w.sue,))
        assert "your own name" in message
        conn.execute(log, (w.ana,))  # in their own name: fine
        refused(conn, "UPDATE access_log SET allowed = true")
        refused(conn, "DELETE FROM access_log")
        refused(conn, "TRUNCATE access_log")
        # Acting as the group role does not give a way to write under another name either.
        group = conn.execute("SELECT ct_group_role('agent')").fetchone()[0]
        conn.execute(f'SET ROLE "{group}"')
        refused(conn, log, (group,))
        conn.execute("RESET ROLE")
    with w.desk.superuser() as su:
        rows = su.execute(
            "SELECT actor FROM access_log WHERE actor IN (%s, %s) AND action = 'view' "
            "AND case_ref IS NULL",
            (w.ana, w.sue),
        ).fetchall()
    assert rows == [(w.ana,)]


def test_agent_cannot_change_agents_policy_counter_or_schema_version(world):
    w = world
    before = snapshot(w)
    with w.desk.connect(w.ana) as conn:
        refused(conn, "UPDATE agents SET role = 'manager' WHERE name = current_user")
        refused(
            conn,
            "INSERT INTO agents (name, role, active, created_at) VALUES ('mallory', 'admin', true, now())",
        )
        refused(conn, "UPDATE agents SET active = false WHERE name = %s", (w.sue,))
        refused(conn, "UPDATE alembic_version SET version_num = '0001'")
        refused(conn, "UPDATE ref_counters SET last = 0")
        refused(
            conn,
            "INSERT INTO policy_versions (label, last_updated, text, created_at, created_by) "
            "VALUES ('x', current_date, 'x', now(), current_user)",
        )
        refused(conn, "SELECT ct_create_login('mallory')")
        refused(conn, "SELECT ct_sync_login(current_user)")
        refused(conn, "CREATE TABLE mine (x int)")
        refused(conn, "CREATE TEMP TABLE mine (x int)")  # no triggers of one's own either
    assert snapshot(w) == before


def test_agent_cannot_close_or_rewrite_another_agents_case(world):
    w, c = world, world.case
    before = snapshot(w)
    with w.desk.connect(w.ana) as conn:
        for case in (c["pb"], c["cb"]):  # bao's: public (visible) and confidential (not)
            cur = conn.execute("UPDATE cases SET status = 'closed' WHERE id = %s", (case,))
            assert cur.rowcount == 0
            cur = conn.execute("UPDATE cases SET assignee_id = ct_me() WHERE id = %s", (case,))
            assert cur.rowcount == 0
        # an unassigned case changes only by being taken
        message = refused(conn, "UPDATE cases SET status = 'closed' WHERE id = %s", (c["p"],))
        assert "take an unassigned one" in message
        # their own case: not the customer's words, not the confidential flag, not to someone else
        refused(conn, "UPDATE cases SET description = 'rewritten' WHERE id = %s", (c["ca"],))
        refused(conn, "UPDATE cases SET confidential = false WHERE id = %s", (c["ca"],))
        refused(
            conn, "UPDATE cases SET assignee_id = %s WHERE id = %s", (w.agent_id[w.bao], c["ca"])
        )
        # nor the search data, which only the creating transaction writes (of their own case,
        # and of one they created themselves in an earlier transaction)
        for case in (c["ca"], c["p"]):
            message = refused(
                conn,
                "UPDATE cases SET search_tsv = to_tsvector('simple', 'x') WHERE id = %s",
                (case,),
            )
        assert "search data" in message
    assert snapshot(w) == before


def test_recused_agent_changes_nothing_on_that_case(world):
    w, c = world, world.case
    before = snapshot(w)
    with w.desk.connect(w.ana) as conn:
        taken = conn.execute(
            "UPDATE cases SET assignee_id = ct_me(), version = version + 1 WHERE id = %s", (c["r"],)
        )
        assert taken.rowcount == 0
        refused(
            conn,
            "INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible) "
            "VALUES (%s, 'note', current_user, now(), 'still here', false)",
            (c["r"],),
        )
        # nor recuse someone else, to keep a case from them
        refused(
            conn,
            "INSERT INTO recusals (case_id, agent_id, at, reason) VALUES (%s, %s, now(), 'x')",
            (c["p"], w.agent_id[w.bao]),
        )
    assert snapshot(w) == before


# ---- what an agent may do, and that it is recorded -------------------------------------------------
def test_agent_takes_notes_and_creates_cases_and_case_history_records_it(world):
    w, c = world, world.case
    with w.desk.connect(w.ana) as conn:
        with conn.transaction():  # take the unassigned case, as `take-next` would
            cur = conn.execute(
                "UPDATE cases SET assignee_id = ct_me(), version = version + 1, updated_at = now() "
                "WHERE id = %s AND assignee_id IS NULL",
                (c["u"],),
            )
            assert cur.rowcount == 1
            conn.execute(
                "INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible) "
                "VALUES (%s, 'assignment', current_user, now(), 'taken', false)",
                (c["u"],),
            )
        conn.execute(  # a note on their own case
            "INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible) "
            "VALUES (%s, 'note', current_user, now(), 'called the customer', false)",
            (c["ca"],),
        )
        with conn.transaction():  # a confidential case of their own making, with psql
            number = conn.execute("SELECT ct_next_ref(%s)", (YEAR,)).fetchone()[0]
            new_id = conn.execute(
                "SELECT nextval(pg_get_serial_sequence('cases', 'id'))"
            ).fetchone()[0]
            conn.execute(  # no RETURNING: a returned row must be one they may see (it is not)
                "INSERT INTO cases (id, ref, customer, channel, subject, description, desired_outcome,"
                " priority, confidential, status, received_at, ack_due_at, resolve_due_at,"
                " escalation_level, escalation_pending, reopen_count, extension_count,"
                " queue_bucket, queue_at, version, created_at, updated_at)"
                " VALUES (%s, %s, 'walk-in', 'phone', 'by hand', 'typed in psql', '', 'normal', true,"
                " 'new', now(), now(), now(), 0, false, 0, 0, 0, now(), 1, now(), now())",
                (new_id, f"C-{YEAR}-{number:05d}"),
            )
            # readable within the transaction that wrote it
            assert ids(conn, "SELECT id FROM cases WHERE id = %s", (new_id,)) == {new_id}
            conn.execute(
                "INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible) "
                "VALUES (%s, 'created', current_user, now(), 'Received by phone.', false)",
                (new_id,),
            )
        # after commit it is a confidential case not assigned to them: not theirs to see
        assert ids(conn, "SELECT id FROM cases WHERE id = %s", (new_id,)) == set()
        # and nobody else's case can be created in their name or for someone else
        refused(
            conn,
            "INSERT INTO cases (ref, customer, channel, subject, description, desired_outcome,"
            " priority, confidential, status, received_at, ack_due_at, resolve_due_at,"
            " escalation_level, escalation_pending, reopen_count, extension_count,"
            " queue_bucket, queue_at, version, created_at, updated_at, assignee_id)"
            " VALUES ('C-1999-00001', 'x', 'phone', 'x', 'x', '', 'normal', false, 'new', now(),"
            " now(), now(), 0, false, 0, 0, 0, now(), 1, now(), now(), %s)",
            (w.agent_id[w.bao],),
        )
    taken = history(w, c["u"])[-1]
    assert taken[:2] == (w.ana, "update") and "assignee_id" in taken[2]
    assert taken[3] is False  # not through the program
    assert taken[4]["assignee_id"] == w.agent_id[w.ana]
    assert history(w, new_id) == [(w.ana, "insert", [], False, None)]
    # the same agent's changes through the program are marked as such
    assert all(row[0] == w.ana and row[3] for row in history(w, c["r"])[-1:])


def test_case_history_accounts_for_every_change(world):
    """Replaying each case's history reaches its current row, and every change starts from the
    value the previous one left: a change that escaped the history would break the chain."""
    w = world
    with w.desk.superuser() as su:
        rows = su.execute(
            "SELECT case_id, operation, changed, old_values, new_values FROM case_history ORDER BY id"
        ).fetchall()
        current = dict(su.execute("SELECT id, to_jsonb(c) - 'search_tsv' FROM cases c").fetchall())
    known: dict[int, dict] = {}
    for case_id, operation, changed, old, new in rows:
        if operation == "insert":
            assert case_id not in known
            known[case_id] = {}
            continue
        assert operation == "update"
        for column in changed:
            if column in known[case_id]:
                assert known[case_id][column] == old[column], (case_id, column)
            known[case_id][column] = new[column]
    assert set(known) == set(current)  # every case's creation is recorded
    for case_id, state in known.items():
        assert {k: current[case_id][k] for k in state} == state, case_id
    assert sum(1 for r in rows if r[1] == "update") >= 5


def test_a_reset_counter_never_repeats_a_ref(world):
    w = world
    with w.desk.connect(w.ana) as conn:
        refused(conn, "UPDATE ref_counters SET last = 0")
    with w.desk.connect(w.admin) as conn:  # admins may change the counter...
        assert conn.execute("UPDATE ref_counters SET last = 0").rowcount == 1
    created = w.case_desk(w.ana).create(draft(subject="after the reset"))
    with w.desk.superuser() as su:
        refs = [r[0] for r in su.execute("SELECT ref FROM cases").fetchall()]
        highest = max(int(r.rsplit("-", 1)[1]) for r in refs if r.startswith(f"C-{YEAR}-"))
    assert len(refs) == len(set(refs))
    assert created.ref == f"C-{YEAR}-{highest:05d}"  # ...but a case takes the next free number
    with w.desk.connect(w.ana) as conn:
        assert conn.execute("SELECT ct_next_ref(%s)", (YEAR,)).fetchone()[0] == highest + 1


# ---- other roles ----------------------------------------------------------------------------------
def test_deactivated_agent_cannot_even_connect(world):
    w = world
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        w.desk.connect(w.gone)
    with w.desk.superuser() as su:
        groups = su.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s",
            (w.gone,),
        ).fetchall()
        assert groups == []
        # and were CONNECT granted to everyone, their login still holds no privilege at all
        su.execute(f'GRANT CONNECT ON DATABASE "{w.desk.database}" TO "{w.gone}"')
        try:
            with w.desk.connect(w.gone) as conn:
                for table in ("cases", "timeline_events", "attachments", "agents", "access_log"):
                    refused(conn, f"SELECT * FROM {table}")
                refused(conn, "SELECT ct_search_ids('zanzibar', NULL)")
        finally:
            su.execute(f'REVOKE CONNECT ON DATABASE "{w.desk.database}" FROM "{w.gone}"')


def test_admin_sees_no_case_contents_and_cannot_promote_themselves(world):
    w = world
    with w.desk.connect(w.admin) as conn:
        for table in ("cases", "timeline_events", "attachments", "case_history", "access_log"):
            refused(conn, f"SELECT * FROM {table}")
        message = refused(conn, "UPDATE agents SET role = 'manager' WHERE name = current_user")
        assert "their own agent record" in message
        policy = (
            "INSERT INTO policy_versions (label, last_updated, text, created_at, created_by) "
            "VALUES ('2', current_date, 'New text.', now(), %s)"
        )
        refused(conn, "SELECT ct_search_ids('zanzibar', NULL)")
        refused(conn, policy, (w.sue,))  # published in someone else's name
        conn.execute(policy, (w.admin,))
        assert conn.execute("SELECT count(*) FROM agents").fetchone()[0] >= 6


def test_supervisor_sees_and_changes_every_case_but_not_the_audit(world):
    w, c = world, world.case
    with w.desk.superuser() as su:
        total = su.execute("SELECT count(*) FROM cases").fetchone()[0]
    with w.desk.connect(w.sue) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == total
        assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1
        assert (
            conn.execute(
                "UPDATE cases SET priority = 'high', version = version + 1 WHERE id = %s",
                (c["cb"],),
            ).rowcount
            == 1
        )
        refused(conn, "UPDATE timeline_events SET text = 'x'")
        refused(
            conn,
            "INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible) "
            "VALUES (%s, 'note', %s, now(), 'in bao''s name', false)",
            (c["cb"], w.bao),
        )
        assert conn.execute("SELECT count(*) FROM case_history").fetchone()[0] > 0
        conn.execute(
            "INSERT INTO access_log (at, actor, action, case_ref, allowed, detail) "
            "VALUES (now(), current_user, 'view', NULL, true, '')"
        )
        assert ids(conn, "SELECT actor FROM access_log") >= {w.sue}  # supervisors read the log
        refused(conn, "UPDATE agents SET role = 'manager' WHERE name = current_user")
    last = history(w, c["cb"])[-1]
    assert last[:3] == (w.sue, "update", ["priority", "version"]) and last[3] is False


def test_even_the_owner_cannot_edit_the_audit_trail(world):
    w, c = world, world.case
    before = snapshot(w)
    with w.desk.connect(w.desk.owner) as conn:
        for sql in (
            "UPDATE timeline_events SET text = 'x'",
            "DELETE FROM access_log",
            "UPDATE case_history SET actor = 'nobody'",
            "TRUNCATE case_history",
            "TRUNCATE timeline_events CASCADE",
        ):
            message = refused(conn, sql)
            assert "append-only" in message
        # deleting a case would delete its timeline with it: refused as well
        refused(conn, "DELETE FROM cases WHERE id = %s", (c["p"],))
        # the superuser's way round the triggers is not the owner's
        refused(conn, "SET session_replication_role = replica")
    assert snapshot(w) == before


def test_an_update_that_changes_nothing_leaves_no_history_row(world):
    w, c = world, world.case
    before = len(history(w, c["pb"]))
    with w.desk.connect(w.sue) as conn:
        assert (
            conn.execute("UPDATE cases SET status = status WHERE id = %s", (c["pb"],)).rowcount == 1
        )
    assert len(history(w, c["pb"])) == before
