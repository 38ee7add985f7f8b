"""Issue 9 item 4, the queue's services: the "Next update due" view (open cases whose
customer-update clock has passed), a search over every case one may see, and "go to ref".
On SQLite and PostgreSQL, with a frozen clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaint_tui.domain.enums import Urgency
from complaint_tui.domain.labels import priority_glyph, priority_label
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import NotFound
from complaint_tui.services.queue import VIEW_ORDER, QueueQuery, QueueService, QueueView
from tests.helpers_db import assert_denied, assert_unchanged, draft

NEXT = QueueQuery(view=QueueView.NEXT_UPDATE)
SECOND = timedelta(seconds=1)


def listed(service: QueueService, query: QueueQuery = NEXT) -> list[str]:
    return [r.ref for r in service.first(query, 50).rows]


def acknowledged(desk: CaseDesk, **kw) -> tuple[str, object]:
    """A new case, acknowledged now: its update clock runs from here."""
    ref = desk.create(draft(**kw)).ref
    detail = desk.acknowledge(ref)
    assert detail.next_update_due_at is not None
    return ref, detail.next_update_due_at


@pytest.mark.parametrize(
    ("offset", "shown"),
    [(-SECOND, False), (timedelta(0), True), (SECOND, True)],
    ids=["one-second-before", "exactly-due", "one-second-after"],
)
def test_a_case_enters_the_view_when_its_update_clock_is_due(ctx, clock, agents, offset, shown):
    desk = CaseDesk(ctx, agents["sue"])
    ref, due = acknowledged(desk)
    clock.set(due + offset)
    service = QueueService(desk)
    assert listed(service) == ([ref] if shown else [])
    counts = service.counts(NEXT)
    assert counts.views[QueueView.NEXT_UPDATE] == counts.total == (1 if shown else 0)
    # The summary counts the update clock, as the rows' badges show it: all of it breached.
    assert counts.bands[Urgency.BREACHED] == counts.total
    assert sum(counts.bands.values()) == counts.total
    if shown:
        (row,) = service.first(NEXT, 5).rows
        badge = row.update_badge(ctx.sla, clock.now())
        assert badge.band is Urgency.BREACHED and badge.text.startswith("✖")


def test_only_open_cases_not_waiting_on_the_customer_are_owed_an_update(ctx, clock, agents):
    desk = CaseDesk(ctx, agents["sue"])
    late, due = acknowledged(desk, subject="owed an update")
    waiting, _ = acknowledged(desk, subject="waiting")
    desk.start(waiting)
    desk.wait(waiting, "Please send the server logs.")
    resolved, _ = acknowledged(desk, subject="resolved")
    desk.resolve(resolved, "Fixed the host.", "Hardware failure")
    updated, _ = acknowledged(desk, subject="updated in time")
    fresh = desk.create(draft(subject="never acknowledged")).ref  # its ack clock runs instead
    clock.set(due - timedelta(hours=1))
    desk.update(updated, "We are still on it.")  # restarts its update clock
    clock.set(due + timedelta(hours=2))
    service = QueueService(desk)
    assert listed(service) == [late]  # not the waiting, resolved, updated or new case
    assert fresh not in listed(service)
    assert service.counts(NEXT).views[QueueView.NEXT_UPDATE] == 1
    # An update takes it out of the view; a later one restarts the clock from then.
    desk.update(late, "Our engineers have replaced the disk.")
    assert listed(service) == []


def test_the_view_pages_by_keyset_longest_overdue_first(ctx, clock, agents):
    desk = CaseDesk(ctx, agents["sue"])
    refs = []
    for i in range(13):
        refs.append(acknowledged(desk, subject=f"case {i}")[0])
        clock.advance(timedelta(minutes=30 if i % 3 else 0))  # some share a due instant
    clock.advance(timedelta(days=10))
    service = QueueService(desk)
    seen = []
    page = service.first(NEXT, 4)
    assert page.at_start
    seen += page.rows
    while not page.at_end:
        page = service.after(NEXT, service.key_of(NEXT, page.rows[-1]), 4)
        seen += page.rows
    assert sorted(r.ref for r in seen) == sorted(refs) and len(seen) == len(refs)
    keys = [(r.next_update_due_at, r.id) for r in seen]
    assert keys == sorted(keys) == [service.key_of(NEXT, r) for r in seen]
    last = service.last(NEXT, 4)
    assert [r.id for r in last.rows] == [r.id for r in seen[-4:]]
    before = service.before(NEXT, service.key_of(NEXT, last.rows[0]), 4)
    assert [r.id for r in before.rows] == [r.id for r in seen[-8:-4]]


def test_agents_never_see_others_confidential_cases_in_the_view(ctx, clock, agents):
    sue = CaseDesk(ctx, agents["sue"])
    secret, due = acknowledged(sue, confidential=True, subject="secret")
    sue.assign(secret, "bob")
    public, _ = acknowledged(sue, subject="public")
    clock.set(due + timedelta(days=3))
    alice, bob = (QueueService(CaseDesk(ctx, agents[n])) for n in ("alice", "bob"))
    assert listed(alice) == [public]
    assert alice.view_counts()[QueueView.NEXT_UPDATE] == 1
    assert set(listed(bob)) == {secret, public}


def test_the_view_is_the_last_of_the_queue_views():
    assert VIEW_ORDER[-1] is QueueView.NEXT_UPDATE
    assert QueueView.NEXT_UPDATE.title == "Next update due"


# ---- search everywhere ------------------------------------------------------------------------
def test_a_search_everywhere_covers_every_case_one_may_see(ctx, clock, agents):
    sue = CaseDesk(ctx, agents["sue"])
    mine = sue.create(draft(subject="Backup restore failed")).ref
    sue.assign(mine, "alice")
    others = sue.create(draft(subject="Backup quota exceeded")).ref
    sue.assign(others, "bob")
    done = sue.create(draft(subject="Backup window moved")).ref
    sue.acknowledge(done)
    sue.resolve(done, "Moved the window.", "Configuration error")
    secret = sue.create(draft(subject="Backup leaked", confidential=True)).ref
    sue.assign(secret, "bob")
    alice = QueueService(CaseDesk(ctx, agents["alice"]))
    here = QueueQuery(view=QueueView.MINE, search="backup")
    everywhere = QueueQuery(view=QueueView.MINE, search="backup", everywhere=True)
    assert listed(alice, here) == [mine]
    found = listed(alice, everywhere)
    assert set(found) == {mine, others, done}  # never bob's confidential case
    # Sorted like the queue: running clocks first, the resolved case last.
    assert found[-1] == done
    counts = alice.counts(everywhere)
    assert counts.total == 3 and counts.bands[Urgency.DONE] == 1
    # Everywhere means nothing without a search: the view lists its own cases.
    assert listed(alice, QueueQuery(view=QueueView.MINE, everywhere=True)) == [mine]
    # From the "Resolved" view or "Next update due", the same three, in the same order.
    for view in (QueueView.RESOLVED, QueueView.NEXT_UPDATE):
        query = QueueQuery(view=view, search="backup", everywhere=True)
        assert listed(alice, query) == found
        page = alice.first(query, 2)
        rest = alice.after(query, alice.key_of(query, page.rows[-1]), 2)
        assert [r.ref for r in (*page.rows, *rest.rows)] == found


# ---- go to ref --------------------------------------------------------------------------------
def test_go_to_ref_finds_a_visible_case_and_refuses_the_rest_in_one_sentence(ctx, agents):
    sue = CaseDesk(ctx, agents["sue"])
    public = sue.create(draft()).ref
    secret = sue.create(draft(confidential=True)).ref
    sue.assign(secret, "bob")
    alice = CaseDesk(ctx, agents["alice"])
    assert alice.locate(f"  {public.lower()} ") == public
    assert sue.locate(secret) == secret
    unknown = assert_unchanged(ctx, lambda: alice.locate("C-2026-99999"), NotFound)
    assert str(unknown) == "No case 'C-2026-99999'."
    hidden = assert_denied(
        ctx, lambda: alice.locate(secret), actor="alice", what="view", ref=secret
    )
    assert str(hidden).count(".") >= 1 and "\n" not in str(hidden)
    assert_denied(
        ctx,
        lambda: CaseDesk(ctx, agents["ada"]).locate(public),
        actor="ada",
        what="view",
        ref=public,
    )


def test_priority_reads_without_colour():
    assert [priority_label(p) for p in ("critical", "high", "normal", "low")] == [
        "⇈ critical",
        "↑ high",
        "· normal",
        "↓ low",
    ]
    assert priority_glyph("bogus") == "?"


def test_the_update_clock_is_kept_only_while_it_runs(ctx, clock, agents):
    """The view is one index range on the clock's column: every status in which the clock does
    not run must leave it NULL, through every transition that reaches it."""
    from complaint_tui.domain.enums import Status

    desk = CaseDesk(ctx, agents["sue"])
    ref = desk.create(draft()).ref

    def running(status: Status) -> bool:
        return status in (Status.ACKNOWLEDGED, Status.INVESTIGATING)

    steps = [
        lambda: None,
        lambda: desk.acknowledge(ref),
        lambda: desk.start(ref),
        lambda: desk.wait(ref, "Logs, please."),
        lambda: desk.resume(ref),
        lambda: desk.update(ref, "Still on it."),
        lambda: desk.resolve(ref, "Fixed.", "Hardware failure"),
        lambda: desk.close(ref, "rejected"),
        lambda: desk.escalate(ref, "I disagree."),
        lambda: desk.decide(ref, "reopen", "We look again."),
        lambda: desk.resolve(ref, "Fixed for good.", "Hardware failure"),
        lambda: desk.reopen(ref, "It came back."),
    ]
    for step in steps:
        step()
        clock.advance(timedelta(hours=1))
        detail = desk.get(ref)
        assert (detail.next_update_due_at is not None) == running(detail.status), detail.status
