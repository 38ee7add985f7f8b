"""No case is left with an inactive agent, even when an assignment and the agent's deactivation
run at the same time (issue 9), on PostgreSQL as real login roles: the deactivation locks the
agent's row before it counts the cases in hand (services/admin.py), and a trigger refuses a case
whose new assignee is not an active agent, reading the agent's row FOR SHARE (migration 0016).

Each race is run in a fixed order: one transaction is held half-way (a patched step waits for
an event) while the other runs in a thread, and the test waits until PostgreSQL shows that
thread waiting for a lock before it lets the first one commit. Every connection has a lock
timeout, so a regression fails instead of hanging."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from psycopg import errors

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.settings import Settings
from complaint_tui.services import admin as admin_service
from complaint_tui.services import cases as case_service
from complaint_tui.services.admin import add_agent, init_database, set_agent_active
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import CONCURRENT_CHANGE, AppContext
from complaint_tui.services.errors import Conflict, Refused
from complaint_tui.services.identity import resolve_actor
from tests.conftest import DEFAULT_NOW
from tests.helpers_db import assert_one_sentence, draft
from tests.pg_desk import pg_desk

pytestmark = pytest.mark.pg

STRANDED = (
    "SELECT c.ref FROM cases c JOIN agents a ON a.id = c.assignee_id "
    "WHERE NOT a.active AND c.status <> 'closed'"
)
WAIT_S = 20.0
NOT_ACTIVE = "is not an active agent; a case can only be assigned to an active agent."


class Background:
    """A call in a thread; its result or its exception afterwards."""

    def __init__(self, fn: Callable[[], object]) -> None:
        self.result: object = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self.thread.start()

    def _run(self, fn) -> None:
        try:
            self.result = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.error = exc

    def join(self) -> None:
        self.thread.join(WAIT_S * 2)
        assert not self.thread.is_alive(), "still running: a lock was never released"


def paused_after(module, name: str, monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Make ``module.name`` stop after it ran, the first time, until ``go`` is set; ``reached``
    is set when it stops."""
    reached, go = threading.Event(), threading.Event()
    real = getattr(module, name)

    def paused(*args, **kwargs):
        out = real(*args, **kwargs)
        if not reached.is_set():
            reached.set()
            assert go.wait(WAIT_S), "never let go"
        return out

    monkeypatch.setattr(module, name, paused)
    return reached, go


class Team:
    """A desk with an admin (ada), a supervisor (sue) and two agents (alice, bob), each working
    through their own login; one case for the races."""

    def __init__(self, desk) -> None:
        self.desk = desk
        self.contexts: list[AppContext] = []
        owner_ctx = self.context(desk.owner)
        init_database(owner_ctx)
        owner = resolve_actor(owner_ctx)
        self.names = {n: desk.name(n) for n in ("ada", "sue", "alice", "bob")}
        add_agent(owner_ctx, owner, self.names["ada"], "admin")
        self.admin_ctx = self.context(self.names["ada"])
        self.admin = resolve_actor(self.admin_ctx)
        for logical, role in (("sue", "supervisor"), ("alice", "agent"), ("bob", "agent")):
            add_agent(self.admin_ctx, self.admin, self.names[logical], role)
        self.desks = {
            n: CaseDesk(ctx, resolve_actor(ctx))
            for n, ctx in ((n, self.context(self.names[n])) for n in ("sue", "alice", "bob"))
        }
        self.ref = self.desks["sue"].create(draft()).ref

    def context(self, login: str) -> AppContext:
        # A lock timeout on every session: a race gone wrong fails the test, never hangs it.
        url = self.desk.url(login) + f"?options=-c%20lock_timeout%3D{int(WAIT_S * 1000)}"
        ctx = AppContext.build(Settings(), url, FixedClock(DEFAULT_NOW))
        self.contexts.append(ctx)
        return ctx

    def deactivate(self, who: str, **handover):
        return set_agent_active(self.admin_ctx, self.admin, self.names[who], False, **handover)

    def stranded(self) -> list[str]:
        with self.desk.superuser() as conn:
            return [r[0] for r in conn.execute(STRANDED)]

    def assignee(self, ref: str) -> str | None:
        with self.desk.superuser() as conn:
            return conn.execute(
                "SELECT a.name FROM cases c LEFT JOIN agents a ON a.id = c.assignee_id "
                "WHERE c.ref = %s",
                (ref,),
            ).fetchone()[0]

    def active(self, who: str) -> bool:
        with self.desk.superuser() as conn:
            return conn.execute(
                "SELECT active FROM agents WHERE name = %s", (self.names[who],)
            ).fetchone()[0]

    def waits_for_lock(self) -> bool:
        """Whether a session of this desk is waiting for a lock (within the timeout)."""
        deadline = time.monotonic() + WAIT_S
        with self.desk.superuser() as conn:
            while time.monotonic() < deadline:
                waiting = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND wait_event_type = 'Lock'",
                    (self.desk.database,),
                ).fetchone()[0]
                if waiting:
                    return True
                time.sleep(0.05)
        return False

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.db.dispose()


@pytest.fixture
def team():
    with pg_desk("ct_race") as desk:
        t = Team(desk)
        try:
            yield t
        finally:
            t.close()


@pytest.mark.parametrize("how", ["assign", "take"])
def test_an_assignment_racing_a_deactivation_that_came_first_is_refused(team, monkeypatch, how):
    """The admin has locked alice's row and counted her cases (none): sue assigning her the case,
    or alice taking it, waits for the deactivation and is then refused in one sentence."""
    counted, go = paused_after(admin_service, "_in_hand", monkeypatch)
    leaving = Background(lambda: team.deactivate("alice"))
    assert counted.wait(WAIT_S)
    if how == "assign":
        taking = Background(lambda: team.desks["sue"].assign(team.ref, team.names["alice"]))
    else:
        taking = Background(lambda: team.desks["alice"].take_next())
    blocked = team.waits_for_lock()
    go.set()
    leaving.join()
    taking.join()

    assert team.stranded() == []
    assert leaving.error is None, leaving.error
    assert not team.active("alice")
    assert isinstance(taking.error, Refused), taking.error or taking.result
    assert str(taking.error) == f"{team.names['alice']} {NOT_ACTIVE}"
    assert_one_sentence(str(taking.error))
    assert team.assignee(team.ref) is None
    assert blocked


@pytest.mark.parametrize("handover", [{}, {"unassign": True}, {"reassign_to": "bob"}])
def test_a_deactivation_racing_an_assignment_that_came_first_counts_it(team, monkeypatch, handover):
    """sue has assigned the case to alice but not committed: the deactivation waits for alice's
    row, then counts the case and refuses (or hands it over, when told to)."""
    if "reassign_to" in handover:
        handover = {"reassign_to": team.names["bob"]}
    written, go = paused_after(case_service, "announce_change", monkeypatch)
    assigning = Background(lambda: team.desks["sue"].assign(team.ref, team.names["alice"]))
    assert written.wait(WAIT_S)
    leaving = Background(lambda: team.deactivate("alice", **handover))
    blocked = team.waits_for_lock()
    go.set()
    assigning.join()
    leaving.join()

    assert team.stranded() == []
    assert assigning.error is None, assigning.error
    if not handover:
        assert isinstance(leaving.error, Refused), leaving.error or leaving.result
        assert f"{team.names['alice']} holds 1 case that is not closed" in str(leaving.error)
        assert team.active("alice") and team.assignee(team.ref) == team.names["alice"]
    else:
        assert leaving.error is None, leaving.error
        assert leaving.result.moved == 1
        assert not team.active("alice")
        assert team.assignee(team.ref) == handover.get("reassign_to")
    assert blocked


def test_two_deactivations_handing_over_to_each_other_do_not_deadlock(team, monkeypatch):
    """alice to bob and bob to alice at once: the second waits for the first (both lock the two
    rows in the same order) and is then refused, its target being inactive."""
    sue = team.desks["sue"]
    sue.assign(team.ref, team.names["alice"])
    other = sue.create(draft(subject="Second")).ref
    sue.assign(other, team.names["bob"])
    counted, go = paused_after(admin_service, "_in_hand", monkeypatch)
    first = Background(lambda: team.deactivate("alice", reassign_to=team.names["bob"]))
    assert counted.wait(WAIT_S)
    second = Background(lambda: team.deactivate("bob", reassign_to=team.names["alice"]))
    blocked = team.waits_for_lock()
    go.set()
    first.join()
    second.join()

    assert team.stranded() == []
    assert first.error is None, first.error
    assert isinstance(second.error, Refused), second.error
    assert f"No active agent {team.names['alice']!r}" in str(second.error)
    assert team.active("bob") and not team.active("alice")
    assert blocked


def test_the_database_refuses_an_inactive_assignee_whoever_writes_it(team):
    """Outside the program too: sue in SQL, and even the superuser inserting a case."""
    sue = team.desks["sue"]
    sue.assign(team.ref, team.names["bob"])
    sue.assign(team.ref, None)
    team.deactivate("bob")
    with team.desk.connect(team.names["sue"]) as conn:
        with pytest.raises(errors.CheckViolation, match=f"{team.names['bob']} {NOT_ACTIVE[:-1]}"):
            conn.execute(
                "UPDATE cases SET assignee_id = (SELECT id FROM agents WHERE name = %s) "
                "WHERE ref = %s",
                (team.names["bob"], team.ref),
            )
        # An active one is fine.
        conn.execute(
            "UPDATE cases SET assignee_id = (SELECT id FROM agents WHERE name = %s) WHERE ref = %s",
            (team.names["alice"], team.ref),
        )
    with team.desk.superuser() as conn:
        columns = ", ".join(
            r[0]
            for r in conn.execute(
                "SELECT quote_ident(column_name) FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'cases' "
                "AND column_name NOT IN ('id', 'ref', 'assignee_id', 'source_ref') "
                "ORDER BY ordinal_position"
            )
        )
        insert = (
            f"INSERT INTO cases (ref, assignee_id, {columns}) "
            f"SELECT 'C-2099-00001', (SELECT id FROM agents WHERE name = %s), {columns} "
            "FROM cases WHERE ref = %s"
        )
        with pytest.raises(errors.CheckViolation, match=NOT_ACTIVE[:-1]):
            conn.execute(insert, (team.names["bob"], team.ref))
        with conn.transaction(force_rollback=True):
            conn.execute(insert, (team.names["alice"], team.ref))
    assert team.stranded() == []


def test_the_check_runs_only_when_the_assignee_changes(team):
    """A departed agent's closed case keeps them as its assignee; changing anything else of it
    calls no check (the triggers' WHEN), so neither does a bulk update of other columns."""
    sue = team.desks["sue"]
    sue.assign(team.ref, team.names["bob"])
    sue.start(team.ref)
    sue.resolve(team.ref, "Restarted the VPS and credited the downtime.", "Hardware failure")
    sue.close(team.ref, "accepted")
    team.deactivate("bob")
    assert team.assignee(team.ref) == team.names["bob"]
    with team.desk.connect(team.names["sue"]) as conn:
        conn.execute("UPDATE cases SET priority = 'high' WHERE ref = %s", (team.ref,))
        # Naming the column with the same value is no change either.
        conn.execute(
            "UPDATE cases SET assignee_id = assignee_id, version = version + 1 WHERE ref = %s",
            (team.ref,),
        )
    with team.desk.superuser() as conn:
        defs = [
            r[0]
            for r in conn.execute(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = 'cases'::regclass AND tgname LIKE 'ct_cases_assignee_active%' "
                "ORDER BY tgname"
            )
        ]
    assert len(defs) == 2
    assert "BEFORE INSERT ON" in defs[0] and "WHEN ((new.assignee_id IS NOT NULL))" in defs[0]
    assert "BEFORE UPDATE OF assignee_id ON" in defs[1]
    assert "(new.assignee_id IS DISTINCT FROM old.assignee_id)" in defs[1]


def test_moving_a_departing_agents_case_to_their_successor_meanwhile_is_one_clean_refusal(
    team, monkeypatch
):
    """The admin hands alice's cases to bob (both rows locked, cases counted) while sue assigns
    one of them to bob: sue's change holds the case and waits for bob's row, the handover waits
    for the case. PostgreSQL breaks that deadlock by cancelling one; whichever it is says so in
    one sentence, and the case ends with bob."""
    team.desks["sue"].assign(team.ref, team.names["alice"])
    counted, go = paused_after(admin_service, "_in_hand", monkeypatch)
    leaving = Background(lambda: team.deactivate("alice", reassign_to=team.names["bob"]))
    assert counted.wait(WAIT_S)
    moving = Background(lambda: team.desks["sue"].assign(team.ref, team.names["bob"]))
    blocked = team.waits_for_lock()
    go.set()
    leaving.join()
    moving.join()

    assert team.stranded() == []
    assert blocked
    failed = [b.error for b in (leaving, moving) if b.error is not None]
    assert len(failed) <= 1, failed
    for error in failed:
        assert isinstance(error, Conflict), error
        assert str(error) == CONCURRENT_CHANGE
        assert_one_sentence(str(error))
    assert team.assignee(team.ref) == team.names["bob"] or leaving.error is not None


# ---- reopening a departed agent's closed case (migration 0019) --------------------------------
REOPEN_REFUSED = "can be opened again only unassigned or with an active agent"


def closed_case_of(team, who: str) -> str:
    """team.ref handled by ``who`` to its closing."""
    sue = team.desks["sue"]
    sue.assign(team.ref, team.names[who])
    sue.start(team.ref)
    sue.resolve(team.ref, "Restarted the VPS and credited the downtime.", "Hardware failure")
    sue.close(team.ref, "rejected")
    return team.ref


def status_of(team, ref: str) -> str:
    with team.desk.superuser() as conn:
        return conn.execute("SELECT status FROM cases WHERE ref = %s", (ref,)).fetchone()[0]


@pytest.mark.parametrize(
    "change",
    [
        "status = 'investigating'",
        "status = 'investigating', queue_bucket = 0",
        "queue_bucket = 0",
        "status = 'waiting_on_customer', queue_bucket = 1",
    ],
)
def test_the_database_refuses_opening_a_departed_agents_case_again(team, change):
    """sue in SQL: a closed case of bob's, who has left, made open while still his is refused;
    made open and unassigned at once it is fine, and so is any change that keeps it closed."""
    ref = closed_case_of(team, "bob")
    team.deactivate("bob")
    with team.desk.connect(team.names["sue"]) as conn:
        conn.execute("UPDATE cases SET priority = 'high' WHERE ref = %s", (ref,))
        with pytest.raises(errors.CheckViolation) as info:
            conn.execute(f"UPDATE cases SET {change} WHERE ref = %s", (ref,))
        assert str(info.value).splitlines()[0] == (
            f"{team.names['bob']} is not an active agent; {ref} {REOPEN_REFUSED}"
        )
        assert info.value.diag.constraint_name == "ct_assignee_active"
        assert status_of(team, ref) == "closed" and team.assignee(ref) == team.names["bob"]
        # Opened again unassigned, or with an active agent, is fine.
        with conn.transaction(force_rollback=True):
            conn.execute(f"UPDATE cases SET {change}, assignee_id = NULL WHERE ref = %s", (ref,))
        with conn.transaction(force_rollback=True):
            conn.execute(
                f"UPDATE cases SET {change}, assignee_id = "
                "(SELECT id FROM agents WHERE name = %s) WHERE ref = %s",
                (team.names["alice"], ref),
            )
    with team.desk.superuser() as conn:
        defs = [
            r[0]
            for r in conn.execute(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = 'cases'::regclass AND tgname = 'ct_cases_open_assignee_active'"
            )
        ]
    assert len(defs) == 1 and "BEFORE UPDATE OF status, queue_bucket ON" in defs[0]
    assert "new.assignee_id IS NOT NULL" in defs[0]
    assert team.stranded() == []


def test_an_active_agents_case_reopened_in_sql_is_fine(team):
    ref = closed_case_of(team, "bob")
    with team.desk.connect(team.names["sue"]) as conn:
        conn.execute(
            "UPDATE cases SET status = 'investigating', queue_bucket = 0 WHERE ref = %s", (ref,)
        )
    assert status_of(team, ref) == "investigating"


def test_the_program_reopens_a_departed_agents_case_unassigned(team):
    """sue's own login through the program: the case returns to the queue, never refused."""
    ref = closed_case_of(team, "alice")
    team.deactivate("alice")
    detail = team.desks["sue"].reopen(ref, "The disk failed again.")
    assert detail.summary.status.value == "investigating" and detail.summary.assignee is None
    assert detail.timeline[-1].text == f"unassigned ({team.names['alice']} deactivated)"
    assert team.stranded() == []


def test_a_reopen_racing_a_deactivation_that_came_first_is_refused(team, monkeypatch):
    """The admin has locked alice's row and counted her cases (her closed one is not counted):
    sue's reopen read alice as still active, so it keeps her; the database makes it wait for the
    deactivation and then refuses it in one sentence. Tried again, it returns the case to the
    queue."""
    ref = closed_case_of(team, "alice")
    counted, go = paused_after(admin_service, "_in_hand", monkeypatch)
    leaving = Background(lambda: team.deactivate("alice"))
    assert counted.wait(WAIT_S)
    reopening = Background(lambda: team.desks["sue"].reopen(ref, "The disk failed again."))
    blocked = team.waits_for_lock()
    go.set()
    leaving.join()
    reopening.join()

    assert team.stranded() == []
    assert leaving.error is None, leaving.error
    assert isinstance(reopening.error, Refused), reopening.error or reopening.result
    assert str(reopening.error) == (
        f"{team.names['alice']} is not an active agent; {ref} {REOPEN_REFUSED}."
    )
    assert_one_sentence(str(reopening.error))
    assert status_of(team, ref) == "closed" and team.assignee(ref) == team.names["alice"]
    assert blocked
    again = team.desks["sue"].reopen(ref, "The disk failed again.")
    assert again.summary.assignee is None
    assert team.stranded() == []


@pytest.mark.parametrize("handover", [{}, {"unassign": True}])
def test_a_deactivation_racing_a_reopen_that_came_first_counts_it(team, monkeypatch, handover):
    """sue has reopened alice's closed case but not committed: the deactivation waits for
    alice's row (the reopen's check holds it FOR SHARE), then counts the case, now open."""
    ref = closed_case_of(team, "alice")
    written, go = paused_after(case_service, "announce_change", monkeypatch)
    reopening = Background(lambda: team.desks["sue"].reopen(ref, "The disk failed again."))
    assert written.wait(WAIT_S)
    leaving = Background(lambda: team.deactivate("alice", **handover))
    blocked = team.waits_for_lock()
    go.set()
    reopening.join()
    leaving.join()

    assert team.stranded() == []
    assert reopening.error is None, reopening.error
    assert status_of(team, ref) == "investigating"
    if not handover:
        assert isinstance(leaving.error, Refused), leaving.error or leaving.result
        assert f"{team.names['alice']} holds 1 case that is not closed" in str(leaving.error)
        assert team.active("alice") and team.assignee(ref) == team.names["alice"]
    else:
        assert leaving.error is None, leaving.error
        assert leaving.result.moved == 1
        assert not team.active("alice") and team.assignee(ref) is None
    assert blocked
