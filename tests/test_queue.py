"""Queue views, keyset paging, counts and accent-insensitive search, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaint_tui.domain.enums import Status, Urgency
from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.services import search as search_service
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.queue import QueueFilter, QueueQuery, QueueService, QueueView


def make(desk: CaseDesk, clock, n: int, **kw) -> list[str]:
    refs = []
    for i in range(n):
        base = dict(
            customer=f"cust{i:03d}",
            services=["VPS"],
            channel="email",
            subject=f"Case number {i}",
            description="Plain description",
        )
        base.update(kw)
        refs.append(desk.create(IntakeDraft(**base)).ref)
        clock.advance(timedelta(minutes=7))  # distinct receipt instants
    return refs


def test_paging_forward_and_backward_cover_the_view_in_order(ctx, clock, agents):
    desk = CaseDesk(ctx, agents["alice"])
    make(desk, clock, 23)
    q = QueueService(desk)
    query = QueueQuery(view=QueueView.ALL_OPEN)
    seen = []
    page = q.first(query, 5)
    assert page.at_start
    seen += page.rows
    while not page.at_end:
        page = q.after(query, q.key_of(query, page.rows[-1]), 5)
        seen += page.rows
    assert len(seen) == 23 == len({r.id for r in seen})
    keys = [q.key_of(query, r) for r in seen]
    assert keys == sorted(keys)
    last = q.last(query, 5)
    assert last.at_end and [r.id for r in last.rows] == [r.id for r in seen[-5:]]
    before = q.before(query, q.key_of(query, last.rows[0]), 5)
    assert [r.id for r in before.rows] == [r.id for r in seen[-10:-5]]
    assert not before.at_start


def test_views_and_counts(ctx, clock, agents):
    alice = CaseDesk(ctx, agents["alice"])
    refs = make(alice, clock, 6)
    alice.assign(refs[0], "alice")
    sue = CaseDesk(ctx, agents["sue"])  # works the others, leaving them unassigned
    sue.start(refs[1])
    sue.wait(refs[1], "Please send the logs.")
    sue.acknowledge(refs[2])
    sue.resolve(refs[2], "Fixed the host.", "Hardware failure")
    q = QueueService(alice)
    counts = q.counts(QueueQuery(view=QueueView.ALL_OPEN))
    assert counts.views[QueueView.MINE] == 1
    assert counts.views[QueueView.UNASSIGNED] == 4  # refs[1..5] minus the resolved refs[2]
    assert counts.views[QueueView.ALL_OPEN] == 5
    assert counts.views[QueueView.WAITING] == 1
    assert counts.views[QueueView.RESOLVED] == 1
    assert counts.total == 5
    assert counts.bands[Urgency.PAUSED] == 1
    assert (
        sum(counts.bands[b] for b in (Urgency.BREACHED, Urgency.URGENT, Urgency.SOON, Urgency.OK))
        == 4
    )
    waiting = q.first(QueueQuery(view=QueueView.WAITING), 10).rows
    assert [r.ref for r in waiting] == [refs[1]]
    filtered = q.first(
        QueueQuery(view=QueueView.ALL_OPEN, filter=QueueFilter(status=Status.NEW)), 10
    ).rows
    assert {r.ref for r in filtered} == {refs[0], refs[3], refs[4], refs[5]}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("nguyen", {"vi"}),
        ("NGUYỄN", {"vi"}),
        ("duc", {"vi"}),
        ("đức", {"vi"}),
        ("ổ cứng", {"vi"}),
        ("o cung", {"vi"}),
        ("disk", {"en"}),
        ("cust", {"vi", "en"}),
        ("nomatch", set()),
    ],
)
def test_search_is_accent_insensitive(ctx, clock, agents, typed, expected):
    desk = CaseDesk(ctx, agents["alice"])
    vi = desk.create(
        IntakeDraft(
            customer="cust-vi",
            services=["VPS"],
            channel="phone",
            subject="Nguyễn Đức báo lỗi",
            description="Ổ cứng VPS bị hỏng từ sáng.",
        )
    ).ref
    en = desk.create(
        IntakeDraft(
            customer="cust-en",
            services=["VPS"],
            channel="email",
            subject="Disk failure",
            description="Disk died.",
        )
    ).ref
    names = {vi: "vi", en: "en"}
    rows = QueueService(desk).first(QueueQuery(view=QueueView.ALL_OPEN, search=typed), 10).rows
    assert {names[r.ref] for r in rows} == expected


def test_search_by_ref(ctx, clock, agents):
    desk = CaseDesk(ctx, agents["alice"])
    refs = make(desk, clock, 12)
    rows = QueueService(desk).first(QueueQuery(view=QueueView.ALL_OPEN, search=refs[10]), 10).rows
    assert [r.ref for r in rows] == [refs[10]]


@pytest.mark.parametrize("view", [QueueView.ALL_OPEN, QueueView.RESOLVED])
def test_search_pages_the_same_whether_matches_are_few_or_many(
    ctx, clock, agents, monkeypatch, view
):
    """The page query runs differently for a search matching few cases (from the search index,
    then sorted) and many (the view's index in order); both must give the same pages."""
    desk = CaseDesk(ctx, agents["alice"])
    refs = make(desk, clock, 14, subject="Mất kết nối máy chủ")
    make(desk, clock, 5, subject="Billing question", description="Invoice")
    if view is QueueView.RESOLVED:
        sue = CaseDesk(ctx, agents["sue"])
        for ref in refs:
            sue.acknowledge(ref)
            sue.resolve(ref, "Reconnected the host.", "Network or upstream outage")
    query = QueueQuery(view=view, search="ket noi")

    def walk() -> tuple[list[str], list[str]]:
        q = QueueService(desk)  # a fresh one: a service decides a search's plan once
        forward, page = [], q.first(query, 4)
        forward += [r.ref for r in page.rows]
        while not page.at_end:
            page = q.after(query, q.key_of(query, page.rows[-1]), 4)
            forward += [r.ref for r in page.rows]
        backward, page = [], q.last(query, 4)
        backward = [r.ref for r in page.rows]
        while not page.at_start:
            page = q.before(query, q.key_of(query, page.rows[0]), 4)
            backward = [r.ref for r in page.rows] + backward
        return forward, backward

    monkeypatch.setattr(search_service, "COMMON_MATCHES", 1_000)  # 14 matches: few
    few = walk()
    monkeypatch.setattr(search_service, "COMMON_MATCHES", 3)  # 14 matches: many
    many = walk()
    assert few == many
    assert few[0] == few[1]
    assert sorted(few[0]) == sorted(refs)
    if view is QueueView.RESOLVED:  # resolved at one instant: the id breaks the tie, newest first
        assert few[0] == refs[::-1]
