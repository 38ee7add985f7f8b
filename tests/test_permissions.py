"""Need-to-know (SPEC §3 roles, policy §4) in every read path, and the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaint_tui.domain.intake import AttachmentInput
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import PermissionDenied
from tests.conftest import DEFAULT_NOW
from tests.helpers_db import access_rows, assert_denied, draft


@pytest.fixture
def desks(ctx, agents) -> dict[str, CaseDesk]:
    return {name: CaseDesk(ctx, actor) for name, actor in agents.items()}


@pytest.fixture
def cases(desks) -> dict[str, str]:
    """A public case, and confidential ones: alice's, bob's and nobody's.

    The unassigned confidential case is the most urgent (received earliest), so a take-next that
    ignored need-to-know would hand it to an agent first.
    """
    sue = desks["sue"]
    free = sue.create(
        draft(confidential=True, received_at=DEFAULT_NOW - timedelta(days=1), subject="secret")
    ).ref
    public = sue.create(draft(received_at=DEFAULT_NOW - timedelta(hours=1))).ref
    mine = sue.create(draft(confidential=True, customer="tranthib")).ref
    sue.assign(mine, "alice")
    bobs = sue.create(
        draft(
            confidential=True,
            customer="lethic",
            attachments=[AttachmentInput("contract.pdf", "application/pdf", b"%PDF-1.4 secret")],
        )
    ).ref
    sue.assign(bobs, "bob")
    return {"public": public, "alice": mine, "bob": bobs, "free": free}


def visible_refs(desk: CaseDesk) -> set[str]:
    return {s.ref for s in desk.list()}


def test_agent_sees_public_and_own_confidential_cases(ctx, desks, cases):
    alice, bob = desks["alice"], desks["bob"]
    assert visible_refs(alice) == {cases["public"], cases["alice"]}
    assert visible_refs(bob) == {cases["public"], cases["bob"]}
    assert alice.count() == 2
    assert {s.ref for s in alice.list(status=None)} == visible_refs(alice)

    assert alice.get(cases["public"]).ref == cases["public"]
    assert alice.get(cases["alice"]).summary.confidential is True
    for key in ("bob", "free"):
        err = assert_denied(
            ctx, lambda k=key: alice.get(cases[k]), actor="alice", what="view", ref=cases[key]
        )
        assert cases[key] in str(err)
    assert bob.get(cases["bob"]).summary.assignee == "bob"


def test_confidential_case_disappears_when_reassigned(ctx, desks, cases):
    alice = desks["alice"]
    desks["sue"].assign(cases["alice"], "bob")
    assert visible_refs(alice) == {cases["public"]}
    assert_denied(
        ctx, lambda: alice.get(cases["alice"]), actor="alice", what="view", ref=cases["alice"]
    )


def test_supervisor_and_manager_see_every_case(desks, cases):
    for name in ("sue", "max"):
        desk = desks[name]
        assert visible_refs(desk) == set(cases.values()), name
        for ref in cases.values():
            assert desk.get(ref).ref == ref


def test_every_view_is_logged(ctx, desks, cases):
    before = len(access_rows(ctx))
    desks["alice"].get(cases["public"])
    desks["sue"].get(cases["bob"])
    desks["max"].attachment_data(cases["bob"], desks["max"].get(cases["bob"]).attachments[0].id)
    rows = access_rows(ctx)[before:]
    assert [(r.actor, r.action, r.case_ref, r.allowed) for r in rows] == [
        ("alice", "view", cases["public"], True),
        ("sue", "view", cases["bob"], True),
        ("max", "view", cases["bob"], True),
        ("max", "attachment", cases["bob"], True),
    ]
    assert all(r.at == DEFAULT_NOW for r in rows)


def test_take_next_respects_need_to_know(ctx, desks, cases):
    desks["sue"].assign(cases["alice"], None)  # unassigned confidential cases: free and alice's
    before = len(access_rows(ctx))
    taken = desks["alice"].take_next()
    assert taken is not None and taken.ref == cases["public"]
    assert desks["alice"].take_next() is None
    assert desks["bob"].take_next() is None
    got = desks["sue"].take_next()
    assert got is not None and got.ref == cases["free"]
    assert got.summary.assignee == "sue"
    rows = access_rows(ctx)[before:]
    assert [(r.actor, r.action, r.case_ref, r.allowed) for r in rows] == [
        ("alice", "view", cases["public"], True),
        ("sue", "view", cases["free"], True),
    ]


def test_agent_refused_actions_are_logged_and_change_nothing(ctx, desks, cases):
    alice = desks["alice"]
    bobs = cases["bob"]
    assert_denied(ctx, lambda: alice.note(bobs, "peek"), actor="alice", what="note", ref=bobs)
    assert_denied(ctx, lambda: alice.start(bobs), actor="alice", what="start", ref=bobs)
    assert_denied(ctx, lambda: alice.assign(bobs, "alice"), actor="alice", what="assign", ref=bobs)
    att_id = desks["sue"].get(bobs).attachments[0].id
    assert_denied(
        ctx, lambda: alice.attachment_data(bobs, att_id), actor="alice", what="attachment", ref=bobs
    )
    # Agents may take or release cases only for themselves.
    public = cases["public"]
    assert_denied(
        ctx, lambda: alice.assign(public, "bob"), actor="alice", what="assign", ref=public
    )
    desks["bob"].assign(public, "bob")
    assert_denied(
        ctx, lambda: alice.assign(public, "alice"), actor="alice", what="assign", ref=public
    )
    assert_denied(ctx, lambda: alice.assign(public, None), actor="alice", what="assign", ref=public)
    assert alice.assign(cases["alice"], None).summary.assignee is None  # releasing her own


def test_admin_sees_no_case_contents(ctx, desks, cases):
    ada = desks["ada"]
    ref = cases["public"]
    err = assert_denied(ctx, lambda: ada.get(ref), actor="ada", what="view", ref=ref)
    assert "dmin" in str(err)
    assert_denied(ctx, lambda: ada.list(), actor="ada", what="list", ref=None)
    assert_denied(ctx, lambda: ada.take_next(), actor="ada", what="take_next", ref=None)
    assert_denied(ctx, lambda: ada.note(ref, "hello"), actor="ada", what="note", ref=ref)
    assert_denied(ctx, lambda: ada.create(draft()), actor="ada", what="create", ref=None)
    att = desks["sue"].get(cases["bob"]).attachments[0].id
    assert_denied(
        ctx,
        lambda: ada.attachment_data(cases["bob"], att),
        actor="ada",
        what="attachment",
        ref=cases["bob"],
    )
    assert ada.count() == 0


def test_escalation_decisions_by_role_are_logged(ctx, desks, cases):
    ref = cases["public"]
    desks["alice"].assign(ref, "alice")
    desks["sue"].start(ref)
    desks["sue"].resolve(ref, "Fixed.", "Configuration error")
    desks["alice"].escalate(ref, "Customer asks for a supervisor")
    error = assert_denied(
        ctx,
        lambda: desks["alice"].decide(ref, "confirm", "x"),
        actor="alice",
        what="decide",
        ref=ref,
    )
    assert "Only a supervisor or manager" in str(error)
    with pytest.raises(PermissionDenied):
        desks["ada"].decide(ref, "confirm", "x")
    assert (
        desks["sue"].decide(ref, "confirm", "Policy followed.").summary.escalation_pending is False
    )


def test_admin_queue_and_lookups_are_refused_and_logged(ctx, agents):
    from sqlalchemy import select

    from complaint_tui.services.cases import CaseDesk
    from complaint_tui.services.errors import PermissionDenied
    from complaint_tui.services.lookups import assignable_agents
    from complaint_tui.services.queue import QueueQuery, QueueService
    from complaint_tui.store.models import AccessLog

    desk = CaseDesk(ctx, agents["ada"])
    for attempt in (
        lambda: QueueService(desk).first(QueueQuery(), 10),
        lambda: QueueService(desk).counts(QueueQuery()),
        lambda: assignable_agents(desk),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    with ctx.db.session() as s:
        refused = s.scalars(
            select(AccessLog).where(AccessLog.actor == "ada", AccessLog.allowed.is_(False))
        ).all()
    assert [r.action for r in refused] == ["queue", "queue", "lookup"]
