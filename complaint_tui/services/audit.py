"""The append-only access log (policy §4): every case view and every refused attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from complaint_tui.services.context import AppContext
from complaint_tui.store.models import AccessLog


def log_access(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    ref: str | None,
    allowed: bool,
    detail: str = "",
) -> None:
    # inline(): no RETURNING of the new id, so on PostgreSQL writing the log does not require
    # being allowed to read it.
    session.execute(
        insert(AccessLog)
        .values(at=at, actor=actor, action=action, case_ref=ref, allowed=allowed, detail=detail)
        .inline()
    )


def log_refusal(ctx: AppContext, actor: str, action: str, ref: str | None, detail: str) -> None:
    """Record a refused attempt in its own transaction, since the attempt's own rolled back."""
    with ctx.db.session(write=True) as s:
        log_access(s, ctx.now(), actor, action, ref, False, detail[:500])
