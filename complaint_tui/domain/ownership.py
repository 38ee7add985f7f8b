"""Who may read and change which case (SPEC §3 "Roles and need-to-know", policy §4 and §5), over
plain values, each refusal in the one sentence every caller shows.

On PostgreSQL the database holds the same rules (row-level security and the case guard,
store/access.py and the access_control migration); the services ask these first, so a person gets
a clear sentence rather than the database's, and a screen can ask which actions a person may
take on a case now (``case_refusal`` for each action).

- Admins read no case contents and handle no cases.
- Agents read non-confidential cases and confidential ones assigned to them. They change only
  cases assigned to them, or an unassigned one they are taking (take-next, or assigning it to
  themselves); never a case they recused from.
- Supervisors and managers read and change every case (as the database lets them).
- Escalations are decided by a supervisor or manager at level 1 and by a manager at level 2
  (policy §3); an agent who holds the case may not decide it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from complaint_tui.domain.enums import Role
from complaint_tui.domain.workflow import Action

# The actions that only read the case; every other action changes it.
READS = frozenset({Action.SAVE_ATTACHMENT})

ADMIN_HANDLES_NO_CASES = "Admins do not handle cases; ask an agent, supervisor or manager."


class Person(Protocol):
    """Who is acting (services.identity.Actor is one)."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> Role: ...


class Holder(StrEnum):
    """Who holds a case, as seen by the person asking."""

    YOU = "you"
    SOMEONE_ELSE = "someone else"
    NOBODY = "nobody"


@dataclass(frozen=True)
class CaseHold:
    """The facts about a case that decide what the person asking may do with it."""

    ref: str
    confidential: bool
    holder: Holder
    recused: bool = False  # the person asking recused from it (policy §5)
    escalation_level: int = 0  # who may decide depends on it (decider_refusal)


def sees_all_cases(role: Role) -> bool:
    return role in (Role.SUPERVISOR, Role.MANAGER)


def view_refusal(person: Person, case: CaseHold) -> str | None:
    """Why ``person`` may not read the case, in one sentence; None if they may."""
    if person.role is Role.ADMIN:
        return f"Admins do not read case contents; {case.ref} is not shown to {person.name}."
    if sees_all_cases(person.role) or not case.confidential or case.holder is Holder.YOU:
        return None
    return f"{case.ref} is confidential and not assigned to {person.name}; it is not shown."


def case_refusal(person: Person, action: Action, case: CaseHold) -> str | None:
    """Why ``person`` may not apply ``action`` to the case for who they are, in one sentence;
    None if they may. The case's state is the workflow's to judge (workflow.action_refusal);
    for an assignment, so is whom it goes to (assign_refusal)."""
    if person.role is Role.ADMIN and action not in READS:
        return ADMIN_HANDLES_NO_CASES
    seen = view_refusal(person, case)
    if seen is not None or action in READS:
        return seen
    if not sees_all_cases(person.role):
        held = _holder_refusal(action, case)
        if held is not None:
            return held
    if action is Action.DECIDE:
        return decider_refusal(person, case.escalation_level)
    return None


def _holder_refusal(action: Action, case: CaseHold) -> str | None:
    """An agent changes only a case they hold, or an unassigned one they are taking."""
    if case.recused:
        return f"You recused yourself from {case.ref}; you may not change it any more."
    if case.holder is Holder.YOU:
        return None
    if case.holder is Holder.SOMEONE_ELSE:
        return f"{case.ref} is assigned to someone else; ask a supervisor to reassign it."
    if action is Action.ASSIGN:  # taking it
        return None
    return (
        f"{case.ref} is unassigned; assign it to yourself first (or take it with take-next), "
        "then try again."
    )


def decider_refusal(person: Person, level: int) -> str | None:
    """Why ``person`` may not decide an escalation at ``level``, in one sentence; None if they
    may: supervisors and managers decide level 1, only managers level 2 (policy §3)."""
    if level >= 2:
        if person.role is Role.MANAGER:
            return None
        return f"Only a manager may decide a level-{level} escalation."
    if sees_all_cases(person.role):
        return None
    if level < 1:
        return "Only a supervisor or manager may decide an escalation."
    return f"Only a supervisor or manager may decide a level-{level} escalation."


def assign_refusal(
    person: Person, ref: str, target_id: int | None, target_name: str, *, target_recused: bool
) -> str | None:
    """Why ``person`` may not give case ``ref`` to ``target_id`` (None: release it), once
    case_refusal let them assign it at all; None if they may. Nobody is given a case they
    recused from."""
    if target_id is not None and not sees_all_cases(person.role) and target_id != person.id:
        return "Agents may assign cases only to themselves; ask a supervisor."
    if target_recused:
        if target_id == person.id:
            return f"You recused yourself from {ref} and cannot be assigned to it."
        return f"{target_name} recused themselves from {ref} and cannot be assigned to it."
    return None
