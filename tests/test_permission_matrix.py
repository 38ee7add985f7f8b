"""Who may do what to which case (issue 8 items 5 and 6): every role × every kind of case ×
every action, in one table, on SQLite and PostgreSQL; every refusal is in the access log.

On PostgreSQL the agent's rows run again connected as a real agent login (tests/pg_desk.py), so
row-level security is on: the program refuses first, in its own words, and nothing it allows is
refused by the database; for each refusal the same change typed in raw SQL is refused too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import Engine, create_engine, text

from complaint_tui.domain.enums import Role, Status
from complaint_tui.domain.intake import AttachmentInput
from complaint_tui.domain.ownership import CaseHold, Holder, case_refusal
from complaint_tui.domain.workflow import Action, CaseState, action_refusal
from complaint_tui.services.admin import add_agent, init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import PermissionDenied, Refused
from complaint_tui.services.files import save_attachment
from complaint_tui.services.identity import actor_named, resolve_actor
from complaint_tui.services.permissions import action_refusal_for
from complaint_tui.store.models import Recusal
from tests.conftest import add_agent as add_agent_row
from tests.helpers_db import assert_one_sentence, draft
from tests.pg_desk import pg_desk

# Columns: the case is the actor's own (o), someone else's (t), unassigned (f), confidential and
# someone else's (c), or one the actor recused from (r; unassigned since).
# Cells: . allowed | a admins read no case | A admins handle no case | C confidential, not shown
# | O someone else's | F unassigned: take it first | R recused | S agents assign only to
# themselves | D only a supervisor or manager decides (level 1) | M only a manager decides
# (level 2) | W refused for another reason (the workflow, nothing to change): not a permission,
# so not logged.
# take/release/give: assign to oneself, unassign, assign to another agent.
# decide/confirm/refer-up: the three decisions on a level-1 escalation (reopen for investigation,
# confirm the resolution, refer it to a manager); decide-l2: confirming at level 2.
MATRIX = """
                agent      supervisor manager    admin
action          o t f c r  o t f c r  o t f c r  o t f c r
view            . . . C .  . . . . .  . . . . .  a a a a a
attachment      . . . C .  . . . . .  . . . . .  a a a a a
save            . . . C .  . . . . .  . . . . .  a a a a a
acknowledge     . O F C R  . . . . .  . . . . .  A A A A A
start           . O F C R  . . . . .  . . . . .  A A A A A
wait            . O F C R  . . . . .  . . . . .  A A A A A
resume          . O F C R  . . . . .  . . . . .  A A A A A
note            . O F C R  . . . . .  . . . . .  A A A A A
update          . O F C R  . . . . .  . . . . .  A A A A A
resolve         . O F C R  . . . . .  . . . . .  A A A A A
close           . O F C R  . . . . .  . . . . .  A A A A A
reopen          . O F C R  . . . . .  . . . . .  A A A A A
take            W O . C R  W . . . R  W . . . R  A A A A A
release         . O W C R  . . W . W  . . W . W  A A A A A
give            S O S C R  . . . . .  . . . . .  A A A A A
priority        . O F C R  . . . . .  . . . . .  A A A A A
escalate        . O F C R  . . . . .  . . . . .  A A A A A
decide          D O F C R  . . . . .  . . . . .  A A A A A
confirm         D O F C R  . . . . .  . . . . .  A A A A A
refer-up        D O F C R  . . . . .  . . . . .  A A A A A
decide-l2       M O F C R  M M M M M  . . . . .  A A A A A
extend          . O F C R  . . . . .  . . . . .  A A A A A
refer           . O F C R  . . . . .  . . . . .  A A A A A
recuse          . O F C R  . . . . W  . . . . W  A A A A A
attach          . O F C R  . . . . .  . . . . .  A A A A A
create          . . . . .  . . . . .  . . . . .  A A A A A
take_next       . . . . .  . . . . .  . . . . .  A A A A A
list            . . . . .  . . . . .  . . . . .  A A A A A
"""
ROLES = ("agent", "supervisor", "manager", "admin")
KINDS = ("own", "other", "free", "secret", "recused")
# Actions that do not depend on a case: run once per role, the row being the same throughout.
CASELESS = ("create", "take_next", "list")
MESSAGES = {
    "a": "Admins do not read case contents",
    "A": "Admins do not handle cases",
    "C": "is confidential and not assigned to",
    "O": "is assigned to someone else",
    "F": "is unassigned; assign it to yourself first",
    "R": "You recused yourself from",
    "S": "Agents may assign cases only to themselves",
    "D": "Only a supervisor or manager may decide",
    "M": "Only a manager may decide",
}
# Refusals for who the person is, which a case screen says before the form (action_refusal_for).
WHO = "aACOFDM"


def parse(table: str) -> dict[tuple[str, str], dict[str, str]]:
    lines = [line.split() for line in table.strip().splitlines()[2:]]
    out = {}
    for action, *cells in lines:
        assert len(cells) == len(ROLES) * len(KINDS), action
        for i, role in enumerate(ROLES):
            out[action, role] = dict(zip(KINDS, cells[i * 5 : i * 5 + 5], strict=True))
    return out


EXPECTED = parse(MATRIX)

# The state each action needs, so that only who acts (and on which case) decides the outcome.
NEW, INVESTIGATING, WAITING, RESOLVED = (
    Status.NEW,
    Status.INVESTIGATING,
    Status.WAITING_ON_CUSTOMER,
    Status.RESOLVED,
)
PENDING, PENDING_L2, DECIDED = (
    "escalation pending",
    "referred to a manager",
    "decided by a manager",
)
STATE = {
    "view": NEW,
    "attachment": NEW,
    "save": NEW,
    "acknowledge": NEW,
    "start": NEW,
    "wait": INVESTIGATING,
    "resume": WAITING,
    "note": NEW,
    "update": INVESTIGATING,
    "resolve": INVESTIGATING,
    "close": RESOLVED,
    "reopen": RESOLVED,
    "take": NEW,
    "release": NEW,
    "give": NEW,
    "priority": NEW,
    "escalate": RESOLVED,  # escalation reviews a first outcome
    "decide": PENDING,
    "confirm": PENDING,
    "refer-up": PENDING,
    "decide-l2": PENDING_L2,
    "extend": INVESTIGATING,
    "refer": DECIDED,
    "recuse": NEW,
    "attach": NEW,
}
# The workflow action each row is (None: a read, or the verb is not one of the case's actions).
WORKFLOW = {
    "acknowledge": Action.ACKNOWLEDGE,
    "start": Action.START,
    "wait": Action.WAIT,
    "resume": Action.RESUME,
    "note": Action.NOTE,
    "update": Action.UPDATE,
    "resolve": Action.RESOLVE,
    "close": Action.CLOSE,
    "reopen": Action.REOPEN,
    "take": Action.ASSIGN,
    "release": Action.ASSIGN,
    "give": Action.ASSIGN,
    "priority": Action.PRIORITY,
    "escalate": Action.ESCALATE,
    "decide": Action.DECIDE,
    "confirm": Action.DECIDE,
    "refer-up": Action.DECIDE,
    "decide-l2": Action.DECIDE,
    "extend": Action.EXTEND,
    "refer": Action.REFER,
    "recuse": Action.RECUSE,
    "attach": Action.ATTACH,
    "save": Action.SAVE_ATTACHMENT,
}
# The access log's action for each row.
LOGGED_AS = {
    "take": "assign",
    "release": "assign",
    "give": "assign",
    "save": "save_attachment",
    "confirm": "decide",
    "refer-up": "decide",
    "decide-l2": "decide",
}
# Rows whose success is itself logged (as an allowed access).
LOGGED_WHEN_ALLOWED = {"view": "view", "attachment": "attachment", "save": "save_attachment"}


@dataclass
class Team:
    """The people of one matrix run and how to read the database behind the program's back."""

    names: dict[str, str]  # alice bob carol sue max ada boss -> their agent (login) names
    desk: Callable[[str], CaseDesk]  # a desk acting as that name
    reader: Engine  # sees every row (the test's own connection, or the superuser)
    recuse_directly: Callable[[str, str], None]  # (ref, name): a recusal written by hand
    folder: Path
    desks: dict[str, CaseDesk] = field(default_factory=dict)
    cases: dict[tuple, str] = field(default_factory=dict)

    def of(self, person: str) -> CaseDesk:
        if person not in self.desks:
            self.desks[person] = self.desk(self.names[person])
        return self.desks[person]


ACTOR = {"agent": "alice", "supervisor": "sue", "manager": "max", "admin": "ada"}
ATTACHMENT = AttachmentInput("evidence.txt", "text/plain", b"ping timeout")


def prepare(team: Team, kind: str, state, person: str) -> str:
    """A case of ``kind`` for ``person`` in ``state``, made by the manager "boss"."""
    boss = team.of("boss")
    ref = boss.create(draft(confidential=kind == "secret", attachments=[ATTACHMENT])).ref
    if state is not NEW:
        boss.start(ref)
    if state is WAITING:
        boss.wait(ref, "Please send the logs.")
    elif state is RESOLVED:
        boss.resolve(ref, "Fixed.", "Configuration error")
    elif state in (PENDING, PENDING_L2, DECIDED):
        boss.resolve(ref, "Fixed.", "Configuration error")
        boss.escalate(ref, "A supervisor, please.")
        if state in (PENDING_L2, DECIDED):
            boss.decide(ref, "refer-up", "A manager will review it.")
        if state == DECIDED:
            boss.decide(ref, "confirm", "Reviewed by a manager.")
    name = team.names[person]
    if kind in ("other", "secret"):
        boss.assign(ref, team.names["bob"])
    elif kind == "own" and person != "ada":
        boss.assign(ref, name)
    elif kind == "recused":
        if person == "ada":  # admins act on no case, so they cannot recuse themselves
            team.recuse_directly(ref, name)
        else:
            boss.assign(ref, name)
            team.of(person).recuse(ref, "A relative's company.")
    return ref


def case_for(team: Team, kind: str, state, person: str) -> str:
    """A prepared case, shared by the cells that leave it as it is."""
    key = (kind, state, person if kind in ("own", "recused") else None)
    if key not in team.cases:
        team.cases[key] = prepare(team, kind, state, person)
    return team.cases[key]


def call(team: Team, action: str, person: str, ref: str) -> Any:
    desk = team.of(person)
    att_id = lambda: _attachment_id(team, ref)  # noqa: E731 - looked up only when needed
    calls = {
        "view": lambda: desk.get(ref),
        "attachment": lambda: desk.attachment_data(ref, att_id()),
        "save": lambda: save_attachment(desk, ref, att_id(), team.folder),
        "acknowledge": lambda: desk.acknowledge(ref),
        "start": lambda: desk.start(ref),
        "wait": lambda: desk.wait(ref, "Please send the logs."),
        "resume": lambda: desk.resume(ref),
        "note": lambda: desk.note(ref, "Checked the host."),
        "update": lambda: desk.update(ref, "We are still on it."),
        "resolve": lambda: desk.resolve(ref, "Fixed.", "Configuration error"),
        "close": lambda: desk.close(ref, "accepted"),
        "reopen": lambda: desk.reopen(ref, "The fault is back."),
        "take": lambda: desk.assign(ref, team.names[person]),
        "release": lambda: desk.assign(ref, None),
        "give": lambda: desk.assign(ref, team.names["carol"]),
        "priority": lambda: desk.set_priority(ref, "high"),
        "escalate": lambda: desk.escalate(ref, "A supervisor, please."),
        "decide": lambda: desk.decide(ref, "reopen", "We look at it again."),
        "confirm": lambda: desk.decide(ref, "confirm", "Handled per policy."),
        "refer-up": lambda: desk.decide(ref, "refer-up", "A manager will review it."),
        "decide-l2": lambda: desk.decide(ref, "confirm", "Reviewed by a manager."),
        "extend": lambda: desk.extend(ref, 2, "Waiting for the vendor."),
        "refer": lambda: desk.refer(ref, "The customer asked."),
        "recuse": lambda: desk.recuse(ref, "I know the customer."),
        "attach": lambda: desk.attach(ref, AttachmentInput("more.txt", "text/plain", b"more")),
        "create": lambda: desk.create(draft()),
        "take_next": lambda: desk.take_next(),
        "list": lambda: desk.list(),
    }
    return calls[action]()


def _attachment_id(team: Team, ref: str) -> int:
    with team.reader.connect() as conn:
        return conn.execute(
            text(
                "SELECT a.id FROM attachments a JOIN cases c ON c.id = a.case_id "
                "WHERE c.ref = :r ORDER BY a.id LIMIT 1"
            ),
            {"r": ref},
        ).scalar_one()


def facts(team: Team, ref: str, person: str) -> tuple[tuple, CaseHold, Any]:
    """(what a refusal must leave alone, the case as the ownership rule sees it, its state)."""
    with team.reader.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, version, status, assignee_id, confidential, escalation_level, "
                "escalation_pending FROM cases WHERE ref = :r"
            ),
            {"r": ref},
        ).one()
        counts = tuple(
            conn.execute(
                text(f"SELECT count(*) FROM {t} WHERE case_id = :i"), {"i": row.id}
            ).scalar_one()
            for t in ("timeline_events", "attachments", "recusals")
        )
        me = conn.execute(
            text("SELECT id FROM agents WHERE name = :n"), {"n": team.names[person]}
        ).scalar_one()
        recused = conn.execute(
            text("SELECT count(*) FROM recusals WHERE case_id = :c AND agent_id = :a"),
            {"c": row.id, "a": me},
        ).scalar_one()
    state = CaseState(
        ref, Status(row.status), row.escalation_level, row.escalation_pending, counts[1]
    )
    holder = (
        Holder.NOBODY
        if row.assignee_id is None
        else Holder.YOU
        if row.assignee_id == me
        else Holder.SOMEONE_ELSE
    )
    hold = CaseHold(ref, row.confidential, holder, bool(recused), row.escalation_level)
    return (tuple(row), counts), hold, state


def log_after(team: Team, last: int) -> list:
    with team.reader.connect() as conn:
        return conn.execute(
            text(
                "SELECT id, actor, action, case_ref, allowed, detail FROM access_log "
                "WHERE id > :last ORDER BY id"
            ),
            {"last": last},
        ).all()


def last_log_id(team: Team) -> int:
    with team.reader.connect() as conn:
        return conn.execute(text("SELECT coalesce(max(id), 0) FROM access_log")).scalar_one()


def run_cell(team: Team, role: str, action: str, kind: str, agrees=None) -> None:
    """One cell: the outcome, the access log, and that a refusal changed nothing."""
    person = ACTOR[role]
    code = EXPECTED[action, role][kind]
    name = team.names[person]
    where = f"{role} {action} on {kind}"
    ref = None
    if action not in CASELESS:
        ref = case_for(team, kind, STATE[action], person)
        before, hold, state = facts(team, ref, person)
        workflow = WORKFLOW.get(action)
        if workflow is not None:
            # The case is in a state that allows the action: who acts decides the outcome.
            assert action_refusal(workflow, state) is None, where
            # What the rule over plain values says, and what a case screen is told up front
            # about the case as it shows it: the service's own sentence (an assignment's
            # target is judged later, by assign_refusal).
            actor = team.of(person).actor
            ruled = case_refusal(actor, workflow, hold)
            shown = action_refusal_for(actor, workflow, team.of("boss").get(ref))
            if code in WHO or (code == "R" and role == "agent"):
                assert ruled is not None and MESSAGES[code] in ruled, where
                assert shown == ruled, where
            elif code == ".":
                assert ruled is None and shown is None, (where, ruled, shown)
    last = last_log_id(team)
    if code == ".":
        call(team, action, person, ref)
        if action in LOGGED_WHEN_ALLOWED:
            rows = log_after(team, last)
            assert [(r.actor, r.action, r.case_ref, r.allowed) for r in rows] == [
                (name, LOGGED_WHEN_ALLOWED[action], ref, True)
            ], where
        elif action not in ("take_next",):
            assert log_after(team, last) == [], where
        if ref is not None and action not in LOGGED_WHEN_ALLOWED:
            team.cases.pop((kind, STATE[action], person if kind in ("own", "recused") else None))
        return
    with pytest.raises(Refused) as info:
        call(team, action, person, ref)
    message = str(info.value)
    assert_one_sentence(message)
    rows = log_after(team, last)
    if code == "W":
        assert not isinstance(info.value, PermissionDenied), (where, message)
        assert rows == [], where
    else:
        assert isinstance(info.value, PermissionDenied), (where, message)
        assert MESSAGES[code] in message, (where, message)
        assert "The database" not in message, (where, message)  # the program's own words
        expected_ref = None if ref is None else ref
        assert [(r.actor, r.action, r.case_ref, r.allowed, r.detail) for r in rows] == [
            (name, LOGGED_AS.get(action, action), expected_ref, False, message)
        ], where
        if ref is not None and code in WHO and WORKFLOW.get(action) is not None:
            assert message == ruled, where  # the screen said exactly this before trying
        if agrees is not None and ref is not None:
            agrees(action, code, ref)
    if ref is not None:
        assert facts(team, ref, person)[0] == before, f"{where}: a refusal changed the case"


def run_rows(team: Team, role: str) -> int:
    cells = 0
    for (action, row_role), cells_by_kind in EXPECTED.items():
        if row_role != role:
            continue
        if action in CASELESS:
            assert len(set(cells_by_kind.values())) == 1, action  # one outcome whatever the case
            run_cell(team, role, action, "own")
            cells += 1
            continue
        for kind in KINDS:
            run_cell(team, role, action, kind)
            cells += 1
    return cells


def test_the_matrix_covers_every_action_of_the_desk():
    verbs = {a.value for a in Action} - {"assign", "save_attachment"}
    assert verbs | {"take", "release", "give", "save"} <= {a for a, _ in EXPECTED}
    assert set(STATE) | set(CASELESS) == {a for a, _ in EXPECTED}


# ---- SQLite and PostgreSQL (as the test's own, unrestricted role) ------------------------------
@pytest.fixture
def team(ctx, agents, tmp_path) -> Team:
    """The conftest team (alice, bob, sue, max, ada), carol, and boss who prepares the cases."""
    add_agent_row(ctx, "carol", Role.AGENT)
    add_agent_row(ctx, "boss", Role.MANAGER)
    init_database(ctx)  # the policy version

    def recuse_directly(ref: str, name: str) -> None:
        with ctx.db.session(write=True) as s:
            case_id = s.execute(text("SELECT id FROM cases WHERE ref = :r"), {"r": ref}).scalar()
            agent_id = actor_named(ctx, name).id
            s.add(Recusal(case_id=case_id, agent_id=agent_id, at=ctx.now(), reason="x"))

    folder = tmp_path / "saved"
    folder.mkdir()
    names = {n: n for n in ("alice", "bob", "carol", "sue", "max", "boss", "ada")}
    return Team(
        names, lambda n: CaseDesk(ctx, actor_named(ctx, n)), ctx.db.engine, recuse_directly, folder
    )


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(team, role):
    cells = run_rows(team, role)
    assert cells == (len(EXPECTED) // len(ROLES) - len(CASELESS)) * len(KINDS) + len(CASELESS)


# ---- PostgreSQL, the agent's rows as a real agent login -----------------------------------------
@pytest.mark.pg
def test_agent_rows_as_an_agent_login_agree_with_the_database(tmp_path):
    with pg_desk("ct_matrix") as desk:
        contexts = []

        def context(login: str):
            ctx = desk.context(login)
            contexts.append(ctx)
            return ctx

        try:
            owner = context(desk.owner)
            init_database(owner)
            admin = desk.name("ada")
            add_agent(owner, resolve_actor(owner), admin, "admin")
            admin_ctx = context(admin)
            names = {"ada": admin}
            for person, role in (
                ("alice", "agent"),
                ("bob", "agent"),
                ("carol", "agent"),
                ("sue", "supervisor"),
                ("boss", "manager"),
            ):
                names[person] = desk.name(person)
                add_agent(admin_ctx, resolve_actor(admin_ctx), names[person], role)
            reader = create_engine(desk.url(desk.server.username))
            folder = tmp_path / "saved"
            folder.mkdir()

            def login_desk(login: str) -> CaseDesk:
                ctx = context(login)
                return CaseDesk(ctx, resolve_actor(ctx))

            team = Team(
                names,
                login_desk,
                reader,
                lambda ref, name: None,  # not needed: the agent recuses through the program
                folder,
            )
            with desk.connect(names["alice"]) as raw:
                agrees = DatabaseAgrees(raw, team)
                cells = 0
                for action, role in EXPECTED:
                    if role != "agent":
                        continue
                    for kind in ("own",) if action in CASELESS else KINDS:
                        run_cell(team, "agent", action, kind, agrees)
                        cells += 1
                assert cells == (len(EXPECTED) // len(ROLES) - len(CASELESS)) * 5 + len(CASELESS)
                assert agrees.checked >= 60
            reader.dispose()
        finally:
            for ctx in contexts:
                ctx.db.dispose()


class DatabaseAgrees:
    """The change the program refused, typed as raw SQL by the same login: refused as well (or
    touching no row), and rolled back whatever happens."""

    def __init__(self, conn: psycopg.Connection, team: Team) -> None:
        self.conn, self.team, self.checked = conn, team, 0

    def __call__(self, action: str, code: str, ref: str) -> None:
        if code in ("A", "a", "W"):
            return
        with self.team.reader.connect() as su:
            case_id = su.execute(text("SELECT id FROM cases WHERE ref = :r"), {"r": ref}).scalar()
            carol = su.execute(
                text("SELECT id FROM agents WHERE name = :n"), {"n": self.team.names["carol"]}
            ).scalar()
            escalation = su.execute(
                text(
                    "SELECT x.id, x.level FROM escalations x JOIN cases c ON c.id = x.case_id "
                    "AND x.level = c.escalation_level WHERE c.id = :c"
                ),
                {"c": case_id},
            ).one_or_none()
        if code in ("D", "M"):  # the database lets no agent write a decision, whatever the level
            with pytest.raises(errors.InsufficientPrivilege):
                with self.conn.transaction(force_rollback=True):
                    self.conn.execute(
                        "INSERT INTO escalation_decisions (escalation_id, case_id, level, "
                        "outcome, explanation, note, decided_by, decided_at) VALUES "
                        "(%s, %s, %s, 'confirm', 'by hand', '', current_user, now())",
                        (escalation.id, case_id, escalation.level),
                    )
            self.checked += 1
            return
        if action in ("view", "attachment", "save"):
            for table, column in (("cases", "id"), ("attachments", "case_id")):
                found = self.conn.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} = %s", (case_id,)
                ).fetchone()
                assert found == (0,), (action, code, table)
            self.checked += 1
            return
        attempts = [("UPDATE cases SET version = version + 1 WHERE id = %s", (case_id,))]
        attempts.append(
            (
                "INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible) "
                "VALUES (%s, 'note', current_user, now(), 'by hand', false)",
                (case_id,),
            )
        )
        if action == "give":  # their own case stays theirs: only handing it on is refused
            attempts = [("UPDATE cases SET assignee_id = %s WHERE id = %s", (carol, case_id))]
        for sql, params in attempts:
            try:
                with self.conn.transaction(force_rollback=True):
                    rows = self.conn.execute(sql, params).rowcount
            except errors.InsufficientPrivilege:
                continue
            assert rows == 0, (action, code, sql)
        self.checked += 1
