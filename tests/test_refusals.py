"""Hostile values at the service layer, on SQLite and PostgreSQL alike: one gate for stored text
(NUL removed, undecodable bytes refused), ids past any column, unusable database URLs and an
empty name to act as, each refused in one sentence with nothing changed."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from complaint_tui.domain.intake import EventDate
from complaint_tui.domain.settings import Settings
from complaint_tui.services.admin import add_agent as admin_add_agent
from complaint_tui.services.admin import set_agent_active
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import NotFound, Refused, Unavailable, ValidationFailed
from complaint_tui.services.identity import login_name
from complaint_tui.store.models import Case, Recusal, ReportedEvent, TimelineEvent
from tests.conftest import VN
from tests.helpers_db import assert_one_sentence, assert_unchanged, draft

NUL = "\x00"
SURROGATE = os.fsdecode(b"\xff")


@pytest.fixture
def desk(ctx, agents) -> CaseDesk:
    return CaseDesk(ctx, agents["sue"])


def stored_texts(ctx) -> list[str]:
    with ctx.db.session() as s:
        texts = list(s.scalars(select(TimelineEvent.text)))
        texts += list(s.scalars(select(ReportedEvent.note)))
        texts += list(s.scalars(select(Recusal.reason)))
        for case in s.scalars(select(Case)).unique():
            texts += [case.customer, case.subject, case.description, case.desired_outcome]
            texts += [case.outcome or "", case.root_cause or ""]
    return texts


def test_nul_is_removed_from_every_stored_text_on_both_databases(ctx, agents, desk, clock):
    """SQLite used to keep NUL and PostgreSQL to refuse the whole action over it."""
    boss = CaseDesk(ctx, agents["max"])
    ref = desk.create(
        draft(
            subject=f"VPS{NUL} down",
            description=f"Cannot{NUL} SSH",
            events=[EventDate(clock.now() - timedelta(days=1), f"ti{NUL}meout")],
        )
    ).ref
    desk.acknowledge(ref, f"Recei{NUL}ved.")
    desk.start(ref, f"Check{NUL}ing")
    desk.note(ref, f"in{NUL}ternal")
    desk.update(ref, f"up{NUL}date")
    desk.wait(ref, f"Send{NUL} logs")
    desk.resume(ref, f"got{NUL} them")
    desk.extend(ref, 2, f"slow{NUL} upstream")
    desk.resolve(ref, f"fix{NUL}ed", f"Hardware fail{NUL}ure")
    desk.escalate(ref, f"super{NUL}visor")
    boss.decide(ref, "confirm", f"per{NUL} policy", f"no{NUL}te")
    desk.close(ref, "rejected")
    desk.refer(ref, f"VC{NUL}CA")
    desk.reopen(ref, f"ba{NUL}ck")
    desk.recuse(ref, f"rela{NUL}tive")
    texts = stored_texts(ctx)
    assert not [t for t in texts if NUL in t]
    for word in (
        "timeout",
        "Cannot SSH",
        "Received.",
        "Checking",
        "internal",
        "update",
        "Send logs",
        "got them",
    ):
        assert any(word in t for t in texts), word
    for word in ("slow upstream", "supervisor", "per policy", "VCCA", "fixed", "Hardware failure"):
        assert any(word in t for t in texts), word
    assert any("back" in t for t in texts) and any("relative" in t for t in texts)
    assert desk.get(ref).summary.subject == "VPS down"


@pytest.mark.parametrize(
    "action",
    [
        lambda d, r: d.note(r, f"ok{SURROGATE}"),
        lambda d, r: d.start(r, f"note{SURROGATE}"),
        lambda d, r: d.acknowledge(r, SURROGATE),
        lambda d, r: d.create(draft(subject=f"x{SURROGATE}")),
        lambda d, r: d.create(draft(description=SURROGATE)),
        lambda d, r: d.note(r, NUL),  # empty once NUL is removed
    ],
    ids=["note", "start-note", "ack-message", "subject", "description", "nul-only-note"],
)
def test_text_that_cannot_be_stored_is_refused(ctx, desk, action):
    ref = desk.create(draft()).ref
    err = assert_unchanged(ctx, lambda: action(desk, ref), ValidationFailed)
    assert "UTF-8" in str(err) or "empty" in str(err)


@pytest.mark.parametrize("ref", [f"C-2026-00001{NUL}", f"C-{SURROGATE}", NUL])
def test_a_ref_holding_nul_or_undecodable_bytes_is_not_found(ctx, desk, ref):
    desk.create(draft())
    err = assert_unchanged(ctx, lambda: desk.note(ref, "x"), NotFound)
    assert "No case" in str(err)
    with pytest.raises(NotFound):
        desk.get(ref)


def test_assigning_to_a_name_holding_nul_finds_no_agent(ctx, desk):
    ref = desk.create(draft()).ref
    err = assert_unchanged(ctx, lambda: desk.assign(ref, f"bob{NUL}"), NotFound)
    assert "No active agent" in str(err)


def test_agent_names_holding_nul_are_refused(ctx, agents):
    ada = agents["ada"]
    assert_unchanged(ctx, lambda: admin_add_agent(ctx, ada, f"carol{NUL}", "agent"))
    assert_unchanged(ctx, lambda: set_agent_active(ctx, ada, f"bob{NUL}", False))


@pytest.mark.parametrize("attachment_id", [10**30, 2**63, -(10**30), 0])
def test_an_attachment_id_past_any_column_is_not_found(ctx, desk, attachment_id):
    """A 31-digit id used to overflow SQLite's driver with a traceback."""
    ref = desk.create(draft()).ref
    err = assert_unchanged(ctx, lambda: desk.attachment_data(ref, attachment_id), NotFound)
    assert f"has no attachment {attachment_id}" in str(err)


@pytest.mark.parametrize(
    "url",
    [
        "notaurl",
        "postgresql+foo://x/y",
        "postgresql+psycopg://u@h:notaport/x",
        "mysql://u@h/x",
    ],
)
def test_an_unusable_database_url_is_one_sentence(url):
    with pytest.raises(Unavailable) as info:
        AppContext.build(Settings(), url)
    assert_one_sentence(str(info.value))
    assert "URL" in str(info.value) or "scheme" in str(info.value)


@pytest.mark.parametrize("name", ["", "   ", f"al{NUL}ice", f"{SURROGATE}", "a\x1b[2Jb"])
def test_an_empty_or_unprintable_name_to_act_as_is_refused(ctx, agents, name):
    """`--as ""` used to mean "no --as": the OS login (or on PostgreSQL the role) acted."""
    with pytest.raises(Refused) as info:
        login_name(ctx, name)
    assert_one_sentence(str(info.value))


def test_year_one_and_far_future_instants_are_refused_at_intake(ctx, desk, clock):
    for bad in (
        draft(received_at=datetime(1, 1, 1, tzinfo=VN)),
        draft(received_at=datetime(1999, 12, 31, 23, 59, tzinfo=VN)),
        draft(events=[EventDate(datetime(1, 1, 1, tzinfo=VN), "long ago")]),
    ):
        err = assert_unchanged(ctx, lambda b=bad: desk.create(b), ValidationFailed)
        assert "outside the years 2000 to 2099" in str(err)
    ok = desk.create(draft(received_at=clock.now() - timedelta(days=1)))
    assert ok.summary.received_at == clock.now() - timedelta(days=1)
