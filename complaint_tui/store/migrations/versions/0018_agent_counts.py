"""an agent's counts read indexes only, like a supervisor's

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30

The queue's view and band counts filter by what an agent may see (``NOT confidential OR
assignee_id = me``, in the program and again in the policy on ``cases``, whose last resort also
reads ``id``). No index held those columns beside the queue's keys, so at 1M cases an agent's
counts read the table (0.3–0.6 s each, twice a supervisor's index-only counts). On PostgreSQL the
queue's indexes (by bucket, by assignee, by next update) now carry them as included columns: every count is an index-only range scan
(10–70 ms at 1M cases, with the policy or without). SQLite has no included columns and no
row-level security; its indexes are unchanged.

An agent's "My escalated cases" (their cases with ``escalation_level > 0``, pending first) had no
index of its own and intersected two large ones (0.1 s at 1M cases); ``ix_cases_assignee_escalated``
makes it one range per person, on both databases.
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

QUEUE = ("ix_cases_queue", ["queue_bucket", "queue_at", "id"], ["assignee_id", "confidential"])
NEXT_UPDATE = (
    "ix_cases_next_update",
    ["next_update_due_at", "id"],
    ["assignee_id", "confidential"],
)
ASSIGNEE_QUEUE = (
    "ix_cases_assignee_queue",
    ["assignee_id", "queue_bucket", "queue_at", "id"],
    ["confidential"],
)


def _rebuild(name: str, columns: list[str], include: list[str]) -> None:
    op.drop_index(name, table_name="cases")
    op.create_index(name, "cases", columns, postgresql_include=include)


def upgrade() -> None:
    op.create_index(
        "ix_cases_assignee_escalated",
        "cases",
        ["assignee_id", "escalation_level", "escalation_due_at", "id"],
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, columns, include in (QUEUE, ASSIGNEE_QUEUE, NEXT_UPDATE):
            _rebuild(name, columns, include)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, columns, _ in (QUEUE, ASSIGNEE_QUEUE, NEXT_UPDATE):
            _rebuild(name, columns, [])
    op.drop_index("ix_cases_assignee_escalated", table_name="cases")
