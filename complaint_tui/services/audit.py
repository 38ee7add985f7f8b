"""The append-only access log (policy §4): every case view and every refused attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from complaint_tui.domain.text import has_unstorable, storable
from complaint_tui.services.context import INSUFFICIENT_PRIVILEGE, AppContext, sqlstate
from complaint_tui.services.errors import Refused
from complaint_tui.store.models import AccessLog

MAX_DETAIL = 500
UNDEFINED_FUNCTION = "42883"


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
    detail = storable(detail)[:MAX_DETAIL]
    session.execute(
        insert(AccessLog)
        .values(at=at, actor=actor, action=action, case_ref=ref, allowed=allowed, detail=detail)
        .inline()
    )


def logged_ref(ref: str | None) -> str | None:
    """A ref as typed, the way refs are stored (trimmed, upper case), or None when it cannot be
    one: the log then finds a refused attempt under the case it was about."""
    if ref is None or has_unstorable(ref):
        return None
    return ref.strip().upper()[:20] or None


def log_refusal(ctx: AppContext, actor: str, action: str, ref: str | None, detail: str) -> None:
    """Record a refused attempt in its own transaction, since the attempt's own rolled back.

    On PostgreSQL through ct_log_refusal (the refusal_log migration): whoever was refused may
    not be in any of the desk's groups (an unknown or deactivated login), so may not insert into
    the log themselves; the function writes the row in their own login's name, refused."""
    ref, detail, actor = logged_ref(ref), storable(detail)[:MAX_DETAIL], actor[:64]
    at = ctx.now()
    if not ctx.db.is_postgres:
        with ctx.db.session(write=True) as s:
            log_access(s, at, actor, action[:32], ref, False, detail)
        return
    try:
        with ctx.db.session(write=True) as s:
            s.execute(
                text("SELECT ct_log_refusal(:actor, :at, :action, :ref, :detail)"),
                {"actor": actor, "at": at, "action": action[:32], "ref": ref, "detail": detail},
            )
    except DBAPIError as exc:
        # A login that may not even use the desk's schema, or a database with no schema yet
        # (`init`): the refusal it gets is all there is (PostgreSQL's own log has the statement).
        if sqlstate(exc) not in (INSUFFICIENT_PRIVILEGE, UNDEFINED_FUNCTION):
            raise


def record_refusal(
    ctx: AppContext, actor: str, action: str, ref: str | None, refusal: Refused
) -> Refused:
    """Log ``refusal`` unless it already is (a refusal passing through two entry points is one
    attempt); returns it, to be raised."""
    if not refusal.logged:
        log_refusal(ctx, actor, action, ref, str(refusal))
        refusal.logged = True
    return refusal
