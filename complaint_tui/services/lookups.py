"""Small read-only look-ups the case screen needs: who a case can be assigned to, and whether a
case changed since it was shown (without reading its contents, so without an access-log entry)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from complaint_tui.domain.enums import Role
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import _first_line
from complaint_tui.services.errors import Unavailable
from complaint_tui.services.permissions import require_case_handler_logged, visible_filter
from complaint_tui.store.models import Agent, Case


def assignable_agents(desk: CaseDesk) -> list[str]:
    """Names this actor may assign a case to: supervisors and managers any active agent,
    supervisor or manager (admins do not handle cases); an agent only themselves."""
    actor = desk.actor
    require_case_handler_logged(desk.ctx, actor, "lookup")
    if not actor.sees_all_cases:
        return [actor.name]
    try:
        with desk.ctx.db.session() as s:
            return list(
                s.scalars(
                    select(Agent.name)
                    .where(Agent.active.is_(True), Agent.role != Role.ADMIN.value)
                    .order_by(Agent.name)
                )
            )
    except OperationalError as exc:
        raise Unavailable(f"The database did not answer: {_first_line(exc)}.") from None


def assignee_names(desk: CaseDesk) -> list[str]:
    """Who the queue can be filtered to (the assignee filter): every active person who handles
    cases, by name, whoever is asking."""
    require_case_handler_logged(desk.ctx, desk.actor, "lookup")
    try:
        with desk.ctx.db.session() as s:
            return list(
                s.scalars(
                    select(Agent.name)
                    .where(Agent.active.is_(True), Agent.role != Role.ADMIN.value)
                    .order_by(Agent.name)
                )
            )
    except OperationalError as exc:
        raise Unavailable(f"The database did not answer: {_first_line(exc)}.") from None


def case_version(desk: CaseDesk, ref: str) -> int | None:
    """The current version of a case this actor may see; None when it is gone or not visible."""
    require_case_handler_logged(desk.ctx, desk.actor, "lookup")
    try:
        with desk.ctx.db.session() as s:
            return s.scalar(
                select(Case.version).where(
                    Case.ref == ref.strip().upper(), visible_filter(desk.actor)
                )
            )
    except OperationalError as exc:
        raise Unavailable(f"The database did not answer: {_first_line(exc)}.") from None
