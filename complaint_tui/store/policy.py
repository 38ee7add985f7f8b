"""Policy versions in the store: which one is in force, and how many cases each one stamped."""

from __future__ import annotations

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from complaint_tui.store.models import Case, PolicyVersion


def in_force() -> Select:
    """The policy version in force: the one published last, i.e. the highest id (the rule is
    stated in complaint_tui/domain/policy.py). Cases are stamped with it when recorded."""
    return select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1)


def in_force_id() -> Select:
    return in_force().with_only_columns(PolicyVersion.id)


def case_counts(session: Session) -> dict[int, int]:
    """Version id -> the number of cases stamped with it, counted by the database. On
    PostgreSQL through ct_policy_case_counts() (the 0006 migration): admins may not read cases,
    and an agent's row-level security would count only the cases they see."""
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text("SELECT policy_version_id, cases FROM ct_policy_case_counts()"))
    else:
        rows = session.execute(
            select(Case.policy_version_id, func.count())
            .where(Case.policy_version_id.is_not(None))
            .group_by(Case.policy_version_id)
        )
    return {version_id: count for version_id, count in rows}
