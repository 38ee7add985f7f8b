"""Two sessions on one database: no lost update, and take-next never hands out a case twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.enums import EventKind, Role
from complaint_tui.domain.settings import Settings
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import Conflict
from complaint_tui.services.identity import actor_named
from complaint_tui.store.models import Agent, Case, TimelineEvent
from tests.conftest import DEFAULT_NOW, add_agent
from tests.helpers_db import draft as make_draft
from tests.helpers_db import dump


def session_desk(db_url: str, name: str, clock: FixedClock | None = None) -> CaseDesk:
    """A separate 'session': its own context (engine, connection pool) on the same database."""
    ctx = AppContext.build(Settings(), db_url, clock or FixedClock(DEFAULT_NOW))
    return CaseDesk(ctx, actor_named(ctx, name))


@pytest.fixture
def two_sessions(ctx, agents, db_url):
    one = session_desk(db_url, "alice")
    two = session_desk(db_url, "sue")  # a supervisor: she may change alice's case too
    yield one, two
    one.ctx.db.dispose()
    two.ctx.db.dispose()


@pytest.mark.parametrize("same_instant", [True, False], ids=["same-instant", "later"])
def test_second_stale_note_is_a_conflict(two_sessions, same_instant):
    one, two = two_sessions
    ref = one.create(make_draft()).ref
    one.assign(ref, "alice")
    one.start(ref)
    seen_by_one = one.get(ref)
    seen_by_two = two.get(ref)
    assert seen_by_one.version == seen_by_two.version

    if not same_instant:
        one.ctx.clock.advance(timedelta(minutes=1))
        two.ctx.clock.advance(timedelta(minutes=2))
    one.note(ref, "First agent's finding", expected_version=seen_by_one.version)
    before = dump(one.ctx)
    with pytest.raises(Conflict) as info:
        two.note(ref, "Second agent's finding", expected_version=seen_by_two.version)
    assert ref in str(info.value)
    assert dump(one.ctx) == before, "the stale save changed something"

    texts = [t.text for t in one.get(ref).timeline]
    assert "First agent's finding" in texts
    assert "Second agent's finding" not in texts


def test_second_stale_status_change_is_a_conflict(two_sessions):
    one, two = two_sessions
    ref = one.create(make_draft()).ref
    one.assign(ref, "alice")
    one.start(ref)
    v = one.get(ref).version
    assert two.get(ref).version == v
    one.resolve(ref, "Restored from backup.", "Hardware failure", expected_version=v)
    with pytest.raises(Conflict):
        two.wait(ref, "Please send more details.", expected_version=v)
    with pytest.raises(Conflict):
        two.set_priority(ref, "high", expected_version=v)
    final = two.get(ref)
    assert final.status.value == "resolved"
    assert final.outcome == "Restored from backup."
    assert final.summary.priority == "normal"
    # With the fresh version the same change goes through.
    assert two.set_priority(ref, "high", expected_version=final.version).summary.priority == "high"


def test_concurrent_stale_saves_exactly_one_wins(two_sessions):
    """Both sessions save at the same moment with the same version: one wins, one conflicts."""
    one, two = two_sessions
    ref = one.create(make_draft()).ref
    one.assign(ref, "alice")
    one.start(ref)
    v = one.get(ref).version
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def save(desk: CaseDesk, text: str) -> None:
        barrier.wait()
        try:
            results[text] = desk.update(ref, text, expected_version=v)
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            results[text] = exc

    threads = [
        threading.Thread(target=save, args=(one, "from one")),
        threading.Thread(target=save, args=(two, "from two")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["CaseDetail", "Conflict"], results
    winner = next(text for text, r in results.items() if not isinstance(r, Exception))
    loser = next(text for text, r in results.items() if isinstance(r, Exception))
    texts = [t.text for t in one.get(ref).timeline]
    assert winner in texts and loser not in texts


THREADS = 4
CASES = 10
CALLS = 4  # each thread asks more often than there are cases for it


def test_take_next_never_hands_one_case_to_two_agents(ctx, agents, db_url):
    intake = CaseDesk(ctx, agents["sue"])
    refs = {intake.create(make_draft(subject=f"Outage {i}")).ref for i in range(CASES)}
    names = [f"taker{i}" for i in range(THREADS)]
    for name in names:
        add_agent(ctx, name, Role.AGENT)
    desks = [session_desk(db_url, name) for name in names]
    for d in desks:  # open a connection in each pool so the barrier releases real work
        d.count()

    barrier = threading.Barrier(THREADS)
    taken: dict[str, list[str]] = {name: [] for name in names}
    errors: list[BaseException] = []

    def work(desk: CaseDesk) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(CALLS):
                got = desk.take_next()
                if got is not None:
                    assert got.summary.assignee == desk.actor.name
                    taken[desk.actor.name].append(got.ref)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(d,)) for d in desks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for d in desks:
        d.ctx.db.dispose()
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)

    handed_out = [ref for refs_ in taken.values() for ref in refs_]
    duplicates = [ref for ref, n in Counter(handed_out).items() if n > 1]
    assert not duplicates, f"handed to two agents: {duplicates} ({taken})"
    assert set(handed_out) == refs, "with enough calls every case is taken"

    with ctx.db.session() as s:
        rows = s.execute(select(Case.ref, Agent.name).join(Agent, Agent.id == Case.assignee_id))
        owner = dict(rows.all())
        assignments = Counter(
            s.scalars(
                select(Case.ref)
                .join(TimelineEvent, TimelineEvent.case_id == Case.id)
                .where(TimelineEvent.kind == EventKind.ASSIGNMENT.value)
            )
        )
    for name, got in taken.items():
        for ref in got:
            assert owner[ref] == name
    assert all(n == 1 for n in assignments.values()) and set(assignments) == refs
    assert CaseDesk(ctx, agents["alice"]).take_next() is None
