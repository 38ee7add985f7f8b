"""Fill the report figures (migration 0011) of cases acknowledged or resolved before the
workflow kept them: business seconds computed with the configured calendar. Run by
``complaint-tui init`` after the upgrade; a case whose figures are set is never touched, so
a second run finds nothing to do."""

from __future__ import annotations

from sqlalchemy import Connection, and_, bindparam, or_, select, update

from complaint_tui.domain.calendar import BusinessCalendar
from complaint_tui.store.models import Case

BATCH = 5_000


def _seconds(calendar: BusinessCalendar, start, end) -> float | None:
    if end is None:
        return None
    return max(0.0, calendar.business_time_between(start, end).total_seconds())


def fill_report_figures(conn: Connection, calendar: BusinessCalendar) -> int:
    """Set the missing figures in batches (each committed by the caller's transaction);
    returns how many cases were filled."""
    missing = or_(
        and_(Case.acknowledged_at.is_not(None), Case.ack_business_s.is_(None)),
        and_(Case.resolved_at.is_not(None), Case.resolve_business_s.is_(None)),
    )
    table = Case.__table__
    filled, last = 0, 0
    while True:
        rows = conn.execute(
            select(Case.id, Case.received_at, Case.acknowledged_at, Case.resolved_at)
            .where(Case.id > last, missing)
            .order_by(Case.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return filled
        conn.execute(
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(ack_business_s=bindparam("ack"), resolve_business_s=bindparam("res")),
            [
                {
                    "cid": r.id,
                    "ack": _seconds(calendar, r.received_at, r.acknowledged_at),
                    "res": _seconds(calendar, r.received_at, r.resolved_at),
                }
                for r in rows
            ],
        )
        filled += len(rows)
        last = rows[-1].id
