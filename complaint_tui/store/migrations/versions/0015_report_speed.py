"""report speed: an index whose leading columns are the report breakdown's group keys

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

The report's breakdown (services/reports.py: by channel, priority, status, category, the
backlog and per agent) is one GROUP BY of the period's cases over channel, priority, status,
category, assignee and root cause. SQLite has no hash aggregation: over ``ix_cases_report`` (receipt first)
it sorted the period's million rows. ``ix_cases_report_groups`` starts with the group keys, in
the GROUP BY's order, then the receipt instant (the period, filtered within each group) and the
columns the counts read, so the groups are read in index order, from the index alone, with no
sort. PostgreSQL hashes the groups either way.

``case_services.received_at``: the case's receipt instant, copied into each of its services'
rows when the case is made (intake, import, the demo loader; it never changes), and
``ix_case_services_received`` (service, received_at): a report's count by service reads the
period's entries of that index, in service order, instead of joining a million cases to their
services and sorting the pairs. Existing rows are filled from their cases here.

``ix_cases_ack_business`` and ``ix_cases_resolve_business`` get the receipt instant after the
business seconds: a report over (most of) every case reads the median and the p90 at their
ranks by walking the index in order, the period filtered from the index alone, instead of
sorting a histogram of the period's rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The same tuple as store/models.py REPORT_GROUP_COLUMNS (a migration spells out its schema).
REPORT_GROUP_COLUMNS = (
    "channel",
    "priority",
    "status",
    "category",
    "assignee_id",
    "root_cause",
    "received_at",
    "confidential",
    "policy_version_id",
    "acknowledged_at",
    "ack_due_at",
    "resolved_at",
    "resolve_due_at",
    "paused_at",
    "paused_remaining_s",
    "queue_bucket",
    "queue_at",
)

BUSINESS_INDEXES = (
    ("ix_cases_ack_business", "ack_business_s"),
    ("ix_cases_resolve_business", "resolve_business_s"),
)


def upgrade() -> None:
    op.create_index("ix_cases_report_groups", "cases", list(REPORT_GROUP_COLUMNS))
    op.add_column(
        "case_services", sa.Column("received_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(
        "UPDATE case_services SET received_at = "
        "(SELECT cases.received_at FROM cases WHERE cases.id = case_services.case_id)"
    )
    op.create_index("ix_case_services_received", "case_services", ["service", "received_at"])
    for name, column in BUSINESS_INDEXES:
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", [column, "received_at"])


def downgrade() -> None:
    for name, column in BUSINESS_INDEXES:
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", [column])
    op.drop_index("ix_case_services_received", table_name="case_services")
    op.drop_column("case_services", "received_at")
    op.drop_index("ix_cases_report_groups", table_name="cases")
