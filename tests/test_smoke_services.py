from __future__ import annotations

from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.services.cases import CaseDesk


def draft(**kw) -> IntakeDraft:
    base = dict(
        customer="nguyenvana",
        services=["VPS"],
        channel="email",
        subject="VPS unreachable",
        description="Cannot SSH since 9:00",
    )
    base.update(kw)
    return IntakeDraft(**base)


def test_create_and_take_next(ctx, agents):
    desk = CaseDesk(ctx, agents["alice"])
    created = desk.create(draft())
    assert created.ref.startswith("C-2026-")
    taken = desk.take_next()
    assert taken is not None and taken.ref == created.ref
    assert taken.summary.assignee == "alice"
    assert CaseDesk(ctx, agents["bob"]).take_next() is None
