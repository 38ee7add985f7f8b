"""Need-to-know (policy §4): who may see and change which case."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from complaint_tui.domain.enums import Role
from complaint_tui.services.errors import PermissionDenied
from complaint_tui.services.identity import Actor
from complaint_tui.store.models import Case


def visible_filter(actor: Actor) -> ColumnElement[bool]:
    """SQL condition for the cases this actor may see; applied to every read path."""
    if actor.role is Role.ADMIN:
        return false()
    if actor.sees_all_cases:
        return true()
    return or_(Case.confidential.is_(False), Case.assignee_id == actor.id)


def can_view(actor: Actor, case: Case) -> bool:
    if actor.role is Role.ADMIN:
        return False
    if actor.sees_all_cases:
        return True
    return not case.confidential or case.assignee_id == actor.id


def view_refusal(actor: Actor, ref: str) -> PermissionDenied:
    if actor.role is Role.ADMIN:
        return PermissionDenied(
            f"Admins do not read case contents; {ref} is not shown to {actor.name}."
        )
    return PermissionDenied(
        f"{ref} is confidential and not assigned to {actor.name}; it is not shown."
    )


def require_case_handler(actor: Actor) -> None:
    if not actor.handles_cases:
        raise PermissionDenied("Admins do not handle cases; ask an agent, supervisor or manager.")


def require_case_handler_logged(ctx, actor: Actor, action: str) -> None:
    """require_case_handler, writing a refusal to the access log (policy §4)."""
    try:
        require_case_handler(actor)
    except PermissionDenied as exc:
        from complaint_tui.services.audit import log_refusal

        log_refusal(ctx, actor.name, action, None, str(exc))
        raise


def require_admin(actor: Actor, what: str) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(f"Only an admin may {what}.")


def may_decide(actor: Actor, level: int) -> bool:
    if level <= 1:
        return actor.role in (Role.SUPERVISOR, Role.MANAGER)
    return actor.role is Role.MANAGER
