"""A deactivated agent keeps their closed cases as history; reopening one (a reopen, or an
escalation decision to reopen it) returns it to the unassigned queue with a timeline entry, so no
open case is ever held by an inactive agent (issue 9), on SQLite and PostgreSQL. (The database's
own refusal, as real login roles: tests/test_pg_assignee_race.py.)"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from complaint_tui.domain import lifecycle
from complaint_tui.domain.enums import EventKind, Status
from complaint_tui.domain.lifecycle import Entry, handover_text, return_departed
from complaint_tui.services.admin import set_agent_active
from complaint_tui.services.cases import UNASSIGNED, CaseDesk
from complaint_tui.services.errors import PermissionDenied
from complaint_tui.services.queue import QueueService, QueueView
from complaint_tui.store.models import Agent, Case
from tests.helpers_db import assert_denied, draft

STRANDED = (
    select(Case.ref)
    .join(Agent, Agent.id == Case.assignee_id)
    .where(Agent.active.is_(False), Case.status != Status.CLOSED.value)
)


def stranded(ctx) -> list[str]:
    with ctx.db.session() as s:
        return list(s.scalars(STRANDED))


def closed_case_of_departed(ctx, agents, *, escalated: bool = False) -> str:
    """alice handled a case to its closing (the customer rejected it), then left."""
    alice = CaseDesk(ctx, agents["alice"])
    sue = CaseDesk(ctx, agents["sue"])
    ref = sue.create(draft()).ref
    sue.assign(ref, "alice")
    alice.start(ref)
    alice.resolve(ref, "Restarted the VPS.", "Hardware failure")
    alice.close(ref, "rejected")
    if escalated:
        alice.escalate(ref, "Restarting is not a fix; a supervisor, please.")
    done = set_agent_active(ctx, agents["ada"], "alice", False)
    assert done.moved == 0  # a closed case stays with her, as history
    assert sue.get(ref).summary.assignee == "alice"
    return ref


def reopen(ctx, agents, who: str, how: str, ref: str):
    desk = CaseDesk(ctx, agents[who])
    if how == "reopen":
        return desk.reopen(ref, "The disk failed again.")
    return desk.decide(ref, "reopen", "We will look at the disk again.", "Check the RAID too.")


@pytest.mark.parametrize(
    ("who", "how"), [("sue", "reopen"), ("max", "reopen"), ("sue", "decide"), ("max", "decide")]
)
def test_reopening_a_departed_agents_case_returns_it_to_the_unassigned_queue(ctx, agents, who, how):
    ref = closed_case_of_departed(ctx, agents, escalated=how == "decide")
    detail = reopen(ctx, agents, who, how, ref)

    assert detail.summary.status is Status.INVESTIGATING
    assert detail.summary.assignee is None
    last, before = detail.timeline[-1], detail.timeline[-2]
    assert (last.kind, last.actor, last.text) == (
        EventKind.ASSIGNMENT,
        who,
        "unassigned (alice deactivated)",
    )
    assert last.text == handover_text("alice", None)
    assert not last.customer_visible
    assert before.kind is EventKind.STATUS_CHANGE and "reopened" in before.text
    assert stranded(ctx) == []
    # The queue sees it like any unassigned case: listed there, and taken next.
    desk = CaseDesk(ctx, agents["bob"])
    assert [r.ref for r in desk.list(assignee=UNASSIGNED)] == [ref]
    assert QueueService(desk).view_counts()[QueueView.UNASSIGNED] == 1
    taken = desk.take_next()
    assert taken is not None and (taken.ref, taken.summary.assignee) == (ref, "bob")


def test_an_active_agents_case_stays_with_them_when_reopened(ctx, agents):
    sue = CaseDesk(ctx, agents["sue"])
    ref = sue.create(draft()).ref
    sue.assign(ref, "alice")
    sue.start(ref)
    sue.resolve(ref, "Restarted the VPS.", "Hardware failure")
    sue.close(ref, "rejected")
    detail = sue.reopen(ref, "The disk failed again.")
    assert detail.summary.assignee == "alice"
    assert detail.timeline[-1].kind is EventKind.STATUS_CHANGE


def test_an_agent_may_not_reopen_a_departed_agents_case(ctx, agents):
    """Who may reopen is unchanged: an agent changes only the cases they hold."""
    ref = closed_case_of_departed(ctx, agents)
    bob = CaseDesk(ctx, agents["bob"])
    err = assert_denied(
        ctx, lambda: bob.reopen(ref, "Looks wrong."), actor="bob", what="reopen", ref=ref
    )
    assert isinstance(err, PermissionDenied)
    assert CaseDesk(ctx, agents["sue"]).get(ref).summary.assignee == "alice"


def test_a_case_kept_closed_stays_with_its_departed_agent(ctx, agents):
    """Steps that leave it closed (a note, an escalation) do not rewrite who handled it."""
    ref = closed_case_of_departed(ctx, agents)
    sue = CaseDesk(ctx, agents["sue"])
    sue.note(ref, "Customer called again.")
    detail = sue.escalate(ref, "Please review how this was handled.")
    assert detail.summary.status is Status.CLOSED
    assert detail.summary.assignee == "alice"


# ---- the domain rule, on a plain record --------------------------------------------------------
def _record(status: Status, assignee_id: int | None = 7) -> SimpleNamespace:
    return SimpleNamespace(status=status.value, assignee_id=assignee_id)


@pytest.mark.parametrize("was", [Status.RESOLVED, Status.CLOSED])
def test_return_departed_unassigns_only_a_case_made_open_with_an_inactive_holder(was):
    case = _record(Status.INVESTIGATING)
    assert return_departed(case, was, "alice", False) == [
        Entry(EventKind.ASSIGNMENT, "unassigned (alice deactivated)")
    ]
    assert case.assignee_id is None
    for status, before, holder, active in [
        (Status.INVESTIGATING, was, "alice", True),  # still active
        (Status.INVESTIGATING, was, None, False),  # nobody holds it
        (Status.CLOSED, Status.RESOLVED, "alice", False),  # not made open
        (Status.INVESTIGATING, Status.WAITING_ON_CUSTOMER, "alice", False),  # open before
    ]:
        case = _record(status)
        assert return_departed(case, before, holder, active) == []
        assert case.assignee_id == 7
    assert lifecycle.made_open(Status.CLOSED, _record(Status.INVESTIGATING))
