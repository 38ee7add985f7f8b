"""Need-to-know (policy §4): who may see and change which case, applied to stored cases.

The rules themselves are the domain's (domain/ownership.py), over plain values; here they meet
the database: the SQL filter of every read path, the facts of a stored case, and the refusals,
each written to the access log.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import Session

from complaint_tui.domain.enums import EventKind, Role
from complaint_tui.domain.ownership import ADMIN_HANDLES_NO_CASES, CaseHold, Holder, case_refusal
from complaint_tui.domain.ownership import view_refusal as view_problem
from complaint_tui.domain.workflow import Action, action_refusal
from complaint_tui.services.audit import record_refusal
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import PermissionDenied
from complaint_tui.services.identity import Actor
from complaint_tui.services.views import CaseDetail
from complaint_tui.store.models import Case, Recusal


def visible_filter(actor: Actor) -> ColumnElement[bool]:
    """SQL condition for the cases this actor may see; applied to every read path."""
    if actor.role is Role.ADMIN:
        return false()
    if actor.sees_all_cases:
        return true()
    return or_(Case.confidential.is_(False), Case.assignee_id == actor.id)


def _holder(actor: Actor, assignee_id: int | None) -> Holder:
    if assignee_id is None:
        return Holder.NOBODY
    return Holder.YOU if assignee_id == actor.id else Holder.SOMEONE_ELSE


def hold_of(s: Session, actor: Actor, case: Case) -> CaseHold:
    """The facts of a stored case the ownership rules judge, for this actor. Whether they
    recused matters only to an agent (supervisors and managers change any case), so only an
    agent's action reads the recusals."""
    recused = actor.role is Role.AGENT and s.get(Recusal, (case.id, actor.id)) is not None
    holder = _holder(actor, case.assignee_id)
    return CaseHold(case.ref, case.confidential, holder, recused, case.escalation_level)


def hold_in(actor: Actor, detail: CaseDetail) -> CaseHold:
    """The same facts of a case as a screen shows it: who holds it, by name, and the actor's
    recusal, from the timeline (the recusal's event is theirs)."""
    s = detail.summary
    if not s.assignee:
        holder = Holder.NOBODY
    else:
        holder = Holder.YOU if s.assignee == actor.name else Holder.SOMEONE_ELSE
    recused = any(e.kind is EventKind.RECUSAL and e.actor == actor.name for e in detail.timeline)
    return CaseHold(s.ref, s.confidential, holder, recused, s.escalation_level)


def action_refusal_for(actor: Actor, action: Action, detail: CaseDetail) -> str | None:
    """Why ``actor`` cannot apply ``action`` to the case as shown, in the sentence the service
    would refuse it with (who they are first, then the case's state); None if they may. What
    a case screen asks before offering an action, or a footer for each action."""
    who = case_refusal(actor, action, hold_in(actor, detail))
    return who if who is not None else action_refusal(action, detail.state)


def can_view(actor: Actor, case: Case) -> bool:
    hold = CaseHold(case.ref, case.confidential, _holder(actor, case.assignee_id))
    return view_problem(actor, hold) is None


def view_refusal(actor: Actor, ref: str) -> PermissionDenied:
    """The refusal of a case this actor may not see (an admin, or an agent and a confidential
    case not assigned to them; only a case they may not see is refused)."""
    problem = view_problem(actor, CaseHold(ref, True, Holder.SOMEONE_ELSE))
    return PermissionDenied(problem or f"{ref} is not shown to {actor.name}.")


def require_case_handler(actor: Actor) -> None:
    if not actor.handles_cases:
        raise PermissionDenied(ADMIN_HANDLES_NO_CASES)


def require_case_handler_logged(ctx: AppContext, actor: Actor, action: str) -> None:
    """require_case_handler, writing a refusal to the access log (policy §4)."""
    try:
        require_case_handler(actor)
    except PermissionDenied as exc:
        raise record_refusal(ctx, actor.name, action, None, exc) from None


# The one line an agent reads on the team screen, and the refusal of the team's figures.
TEAM_VIEW_IS_FOR = "The team view is for supervisors and managers"


def team_refusal(actor: Actor) -> str | None:
    """Why ``actor`` may not read the team's workload, in one sentence; None if they may."""
    if actor.sees_all_cases:
        return None
    article = "an" if actor.role.value[0] in "aeiou" else "a"
    return f"{TEAM_VIEW_IS_FOR}; {actor.name} is {article} {actor.role.value}."


def require_team_reader_logged(ctx: AppContext, actor: Actor, action: str = "team") -> None:
    """Supervisors and managers read the team's workload; a refusal goes to the access log."""
    problem = team_refusal(actor)
    if problem is not None:
        raise record_refusal(ctx, actor.name, action, None, PermissionDenied(problem))


def require_admin(actor: Actor, what: str) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(f"Only an admin may {what}.")


F = TypeVar("F", bound=Callable[..., Any])


def refusals_logged(action: str) -> Callable[[F], F]:
    """For a use case called as ``fn(ctx, actor, ...)``: a permission refusal it raises (its
    own check, or the database's) is written to the access log, once, under ``action``."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def logged(ctx: AppContext, actor: Actor, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(ctx, actor, *args, **kwargs)
            except PermissionDenied as exc:
                raise record_refusal(ctx, actor.name, action, None, exc) from None

        return logged  # type: ignore[return-value]

    return decorate
