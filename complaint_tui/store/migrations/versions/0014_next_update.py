"""next update: an index for the "Next update due" view of the queue

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

The queue's "Next update due" view lists the open cases whose customer-update clock has passed,
the longest overdue first: ``next_update_due_at <= now ORDER BY next_update_due_at, id``, paged
by keyset. The column has been kept since 0001 (set when a case is acknowledged, updated,
resumed or reopened; NULL while it waits on the customer and once it is resolved); this index
makes the view, its count and its pages one range scan at any number of cases.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_next_update", "cases", ["next_update_due_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_next_update", table_name="cases")
