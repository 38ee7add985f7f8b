"""Every refusal of permission or identity, at every service entry point, is in the access log
exactly once: who tried, what, the case if any, refused, and the sentence they were shown
(issue 8 item 5). On SQLite and PostgreSQL; tests/test_pg_refusal_log.py does it again as real
logins, those who may not even use the desk included.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from complaint_tui.domain.enums import Role
from complaint_tui.domain.intake import AttachmentInput
from complaint_tui.services import admin, demo, lookups, policy
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import Refused
from complaint_tui.services.files import save_attachment
from complaint_tui.services.identity import actor_named, resolve_actor
from complaint_tui.services.queue import QueueQuery, QueueService
from tests.helpers_db import access_rows, assert_denied, draft, dump

EVIDENCE = AttachmentInput("evidence.txt", "text/plain", b"ping timeout")


@pytest.fixture
def desk_of(ctx, agents):
    return lambda name: CaseDesk(ctx, agents[name])


@pytest.fixture
def cases(ctx, agents, desk_of) -> dict[str, str]:
    sue, bob = desk_of("sue"), desk_of("bob")
    secret = sue.create(draft(confidential=True, attachments=[EVIDENCE])).ref
    sue.assign(secret, "bob")
    public = sue.create(draft(attachments=[EVIDENCE])).ref
    sue.assign(public, "alice")
    desk_of("alice").recuse(public, "My cousin's company.")  # alice recused; it is free again
    escalated = sue.create(draft()).ref
    bob.assign(escalated, "bob")
    bob.start(escalated)
    bob.resolve(escalated, "Fixed.", "Configuration error")  # a first outcome to review
    bob.escalate(escalated, "A supervisor, please.")
    gone = admin.add_agent(ctx, agents["ada"], "gone", "agent")
    admin.set_agent_active(ctx, agents["ada"], gone.name, False)
    return {
        "secret": secret,
        "secret_attachment": sue.get(secret).attachments[0].id,
        "recused": public,
        "escalated": escalated,
    }


def attempts(ctx, agents, desk_of, cases, folder: Path):
    """(actor, action, ref, attempt): one refused attempt per entry point and kind of refusal."""
    alice, bob, sue, ada = desk_of("alice"), desk_of("bob"), desk_of("sue"), desk_of("ada")
    secret, recused, escalated = cases["secret"], cases["recused"], cases["escalated"]
    att = cases["secret_attachment"]
    today = ctx.now().date()
    rows: list[tuple[str, str, str | None, Callable[[], object]]] = [
        # identity: an unknown name, a deactivated agent
        ("mallory", "login", None, lambda: actor_named(ctx, "mallory")),
        ("gone", "login", None, lambda: actor_named(ctx, "gone")),
        # admin-only use cases, by people who are not admins; an admin on their own record
        ("alice", "agent_add", None, lambda: admin.add_agent(ctx, agents["alice"], "x", "agent")),
        (
            "sue",
            "agent_role",
            None,
            lambda: admin.set_agent_role(ctx, agents["sue"], "bob", "manager"),
        ),
        (
            "ada",
            "agent_role",
            None,
            lambda: admin.set_agent_role(ctx, agents["ada"], "ada", "agent"),
        ),
        (
            "max",
            "agent_active",
            None,
            lambda: admin.set_agent_active(ctx, agents["max"], "bob", False),
        ),
        (
            "ada",
            "agent_active",
            None,
            lambda: admin.set_agent_active(ctx, agents["ada"], "ada", False),
        ),
        ("alice", "agent_list", None, lambda: admin.list_agents(ctx, agents["alice"])),
        (
            "sue",
            "policy_publish",
            None,
            lambda: policy.publish_policy(ctx, agents["sue"], "2", "t", today),
        ),
        # cases: admins handle none, in every entry point
        ("ada", "create", None, lambda: ada.create(draft())),
        ("ada", "list", None, lambda: ada.list()),
        ("ada", "take_next", None, lambda: ada.take_next()),
        ("ada", "queue", None, lambda: QueueService(ada).first(QueueQuery(), 10)),
        ("ada", "lookup", None, lambda: lookups.assignable_agents(ada)),
        ("ada", "lookup", None, lambda: lookups.case_version(ada, secret)),
        ("ada", "note", secret, lambda: ada.note(secret, "hello")),
        # need-to-know, ownership, a refused self-assignment, a recused target, a decision
        ("alice", "view", secret, lambda: alice.get(secret)),
        ("alice", "view", secret, lambda: alice.get(f" {secret.lower()} ")),  # logged as stored
        ("alice", "attachment", secret, lambda: alice.attachment_data(secret, att)),
        ("alice", "save_attachment", secret, lambda: save_attachment(alice, secret, att, folder)),
        ("alice", "note", secret, lambda: alice.note(secret, "peek")),
        ("alice", "assign", recused, lambda: alice.assign(recused, "alice")),
        ("sue", "assign", recused, lambda: sue.assign(recused, "alice")),
        ("alice", "note", recused, lambda: alice.note(recused, "still here")),
        ("alice", "note", escalated, lambda: alice.note(escalated, "not mine")),
        ("bob", "decide", escalated, lambda: bob.decide(escalated, "confirm", "I agree with me.")),
    ]
    if ctx.db.is_sqlite:
        # Demo data is an admin's to load (on PostgreSQL the schema owner's, which the test's
        # own role is: tests/test_pg_refusal_log.py refuses the others).
        rows.append(("alice", "demo", None, lambda: demo.seed_demo(ctx, agents["alice"], 5, 1)))
        # Acting as a name that is no agent's: that name is who tried.
        rows.append(("mallory", "login", None, lambda: resolve_actor(ctx, "mallory")))
    else:
        # Acting as someone else than one's database role: the role is who tried.
        who = ctx.database_login()
        rows.append((who, "login", None, lambda: resolve_actor(ctx, "mallory")))
    return rows


def test_every_refusal_is_logged_once_with_the_sentence_shown(
    ctx, agents, desk_of, cases, tmp_path
):
    rows = attempts(ctx, agents, desk_of, cases, tmp_path)
    for actor, action, ref, attempt in rows:
        error = assert_denied(ctx, attempt, actor=actor, what=action, ref=ref)
        assert error.logged
    assert len({action for _, action, _, _ in rows}) >= 17


def test_a_refusal_passing_two_entry_points_is_logged_once(ctx, agents):
    """The CLI resolves who you are, then acts: an unknown name is refused (and logged) once."""
    from complaint_tui.services.permissions import refusals_logged

    @refusals_logged("outer")
    def outer(ctx, actor):
        actor_named(ctx, "mallory")

    before = len(access_rows(ctx))
    with pytest.raises(Refused):
        outer(ctx, agents["alice"])
    new = access_rows(ctx)[before:]
    assert [(r.actor, r.action) for r in new] == [("mallory", "login")]


# ---- saving an attachment ---------------------------------------------------------------------
def test_a_save_is_logged_as_a_save_and_a_failed_one_as_failed(ctx, agents, desk_of, tmp_path):
    """Saving logs the file written, not a download; a save that fails after the attachment was
    read is logged as a failed save, with the reason, and leaves no file."""
    sue = desk_of("sue")
    ref = sue.create(draft(attachments=[EVIDENCE])).ref
    att_id = sue.get(ref).attachments[0].id
    folder = tmp_path / "inbox"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    before = len(access_rows(ctx))
    saved = save_attachment(sue, ref, att_id, folder)
    row = access_rows(ctx)[before]
    assert (row.actor, row.action, row.case_ref, row.allowed) == (
        "sue",
        "save_attachment",
        ref,
        True,
    )
    assert str(saved) in row.detail and "evidence.txt" in row.detail

    # The name to write is a dangling link out of the folder: the write is refused.
    os.symlink(outside / "escaped.txt", folder / "evidence (1).txt")
    before = len(access_rows(ctx))
    state = dump(ctx, exclude={"access_log"})
    with pytest.raises(Refused) as info:
        save_attachment(sue, ref, att_id, folder)
    assert dump(ctx, exclude={"access_log"}) == state
    rows = access_rows(ctx)[before:]
    assert [(r.actor, r.action, r.case_ref, r.allowed) for r in rows] == [
        ("sue", "save_attachment", ref, False)
    ]
    assert str(info.value) in rows[0].detail and "not saved" in rows[0].detail
    assert list(outside.iterdir()) == []

    # A folder whose name is not UTF-8 (file names need not be): saved, and logged legibly.
    odd = tmp_path / os.fsdecode(b"caf\xe9")
    odd.mkdir()
    before = len(access_rows(ctx))
    saved = save_attachment(sue, ref, att_id, odd)
    assert saved.read_bytes() == EVIDENCE.data
    row = access_rows(ctx)[before]
    assert row.allowed and "caf\\udce9" in row.detail

    # A folder that is no folder is refused before anything is read: nothing to log.
    before = len(access_rows(ctx))
    with pytest.raises(Refused):
        save_attachment(sue, ref, att_id, tmp_path / "missing")
    assert len(access_rows(ctx)) == before


def test_a_save_that_cannot_be_logged_leaves_no_file(ctx, agents, desk_of, tmp_path, monkeypatch):
    sue = desk_of("sue")
    ref = sue.create(draft(attachments=[EVIDENCE])).ref
    att_id = sue.get(ref).attachments[0].id

    def no_log(*_a, **_k):
        raise Refused("The database did not answer: database is locked.")

    monkeypatch.setattr(sue, "_log", no_log)
    with pytest.raises(Refused):
        save_attachment(sue, ref, att_id, tmp_path)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("evidence")] == []


def test_an_agent_may_add_cases_but_not_agents(ctx, agents):
    """Intake stays open to agents; the admin-only refusal next to it is logged."""
    alice = CaseDesk(ctx, agents["alice"])
    assert alice.create(draft()).ref
    assert_denied(
        ctx,
        lambda: admin.add_agent(ctx, agents["alice"], "eve", Role.ADMIN),
        actor="alice",
        what="agent_add",
        ref=None,
    )
