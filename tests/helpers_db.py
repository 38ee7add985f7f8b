"""Test helpers: a full dump of every table, and assertions that a refusal changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import PermissionDenied, Refused
from complaint_tui.store.models import AccessLog, Base

Dump = dict[str, list[tuple[Any, ...]]]


def draft(**overrides: Any) -> IntakeDraft:
    """A complete, valid intake; keyword arguments replace single fields."""
    fields: dict[str, Any] = dict(
        customer="nguyenvana",
        services=["VPS"],
        channel="email",
        subject="VPS unreachable",
        description="Cannot SSH into the VPS since 09:00.",
        desired_outcome="Restore access and credit the downtime.",
    )
    fields.update(overrides)
    return IntakeDraft(**fields)


def dump(ctx: AppContext, *, exclude: frozenset[str] | set[str] = frozenset()) -> Dump:
    """Every row of every table the application owns, in primary-key order."""
    out: Dump = {}
    with ctx.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in exclude:
                continue
            stmt = select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(row) for row in conn.execute(stmt)]
    return out


def access_rows(ctx: AppContext) -> list[AccessLog]:
    with ctx.db.session() as s:
        return list(s.scalars(select(AccessLog).order_by(AccessLog.id)))


def assert_unchanged(
    ctx: AppContext, action: Callable[[], Any], exc_type: type[Refused] = Refused
) -> Refused:
    """The action is refused (not for a permission), with one sentence, and no row changes."""
    before = dump(ctx)
    with pytest.raises(exc_type) as info:
        action()
    assert not isinstance(info.value, PermissionDenied), "use assert_denied for permissions"
    assert dump(ctx) == before, "a refused action changed the database"
    assert_one_sentence(str(info.value))
    return info.value


def assert_denied(
    ctx: AppContext,
    action: Callable[[], Any],
    *,
    actor: str,
    what: str,
    ref: str | None,
) -> PermissionDenied:
    """A refused permission: nothing changes except exactly one access_log row recording it."""
    before = dump(ctx, exclude={"access_log"})
    log_before = access_rows(ctx)
    with pytest.raises(PermissionDenied) as info:
        action()
    assert dump(ctx, exclude={"access_log"}) == before, "a refused attempt changed the database"
    log_after = access_rows(ctx)
    assert [r.id for r in log_after[: len(log_before)]] == [r.id for r in log_before]
    new = log_after[len(log_before) :]
    assert len(new) == 1, f"expected one access_log row for the refusal, got {len(new)}"
    row = new[0]
    assert row.allowed is False
    assert (row.actor, row.action, row.case_ref) == (actor, what, ref)
    assert row.detail == str(info.value)
    assert_one_sentence(str(info.value))
    return info.value


def assert_one_sentence(message: str) -> None:
    assert message.strip(), "a refusal needs a message"
    assert "\n" not in message
    assert message.rstrip().endswith((".", ")")), message


def seed_demo_as_admin(ctx: AppContext, count: int, seed: int):
    """Demo data loaded by the demo's admin (added first, as `init` would have made them)."""
    from complaint_tui.domain.enums import Role
    from complaint_tui.services.demo import DEMO_ADMIN, seed_demo
    from complaint_tui.services.identity import actor_named
    from complaint_tui.store.models import Agent

    with ctx.db.session(write=True) as s:
        if s.scalar(select(Agent).where(Agent.name == DEMO_ADMIN)) is None:
            s.add(Agent(name=DEMO_ADMIN, role=Role.ADMIN.value, active=True, created_at=ctx.now()))
    return seed_demo(ctx, actor_named(ctx, DEMO_ADMIN), count, seed)
