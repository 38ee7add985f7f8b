"""report figures: business time to acknowledge and to resolve, kept when it happens

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-30

Reports give the median and p90 of the business hours to acknowledge and to resolve a case.
Business time depends on the calendar (hours, holidays), which SQL does not know, so the
workflow stores it when the event happens (domain/lifecycle.py, one place):

- ``ack_business_s``: business seconds from receipt to the acknowledgement;
- ``paused_business_s``: business seconds the resolution clock has spent paused (waiting on the
  customer), added at each resume (or at a resolution straight from waiting);
- ``resolve_business_s``: business seconds from receipt to the (last) resolution, minus the
  paused time; cleared by a reopen and set again at the next resolution.

The figures of cases acknowledged or resolved before this revision are filled by
``complaint-tui init`` right after the upgrade (store/report_figures.py), with the configured
calendar: a migration spells out its SQL and cannot hold the calendar. Their pauses were not
kept, so their resolution time includes them.

Indexes for the report (services/reports.py), which reads the cases received in a period:

- ``ix_cases_report``: receipt instant first, then every column a report reads, so a report
  scans one range of one index and never the wide case rows (index-only scans on PostgreSQL;
  the same shape on both databases, as the demo loader rebuilds it from the models);
- ``ix_cases_ack_business``, ``ix_cases_resolve_business``: the percentiles fetch the value at
  one position within a narrow range of these.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

# Every column a report reads besides received_at (services/reports.py).
REPORT_COLUMNS = (
    "status",
    "channel",
    "priority",
    "category",
    "assignee_id",
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
    "extension_count",
    "reopen_count",
    "customer_response",
    "ack_business_s",
    "resolve_business_s",
    "referred_to",
    "root_cause",
)


def upgrade() -> None:
    # Plain ALTER TABLE … ADD/DROP COLUMN on both databases (SQLite 3.35+): a batch copy of the
    # cases table would trip the triggers that name it.
    op.add_column("cases", sa.Column("ack_business_s", sa.Float(), nullable=True))
    op.add_column("cases", sa.Column("resolve_business_s", sa.Float(), nullable=True))
    op.add_column(
        "cases", sa.Column("paused_business_s", sa.Float(), nullable=False, server_default="0")
    )
    op.create_index("ix_cases_report", "cases", ["received_at", *REPORT_COLUMNS])
    op.create_index("ix_cases_ack_business", "cases", ["ack_business_s"])
    op.create_index("ix_cases_resolve_business", "cases", ["resolve_business_s"])


def downgrade() -> None:
    for index in ("ix_cases_resolve_business", "ix_cases_ack_business", "ix_cases_report"):
        op.drop_index(index, table_name="cases")
    for column in ("paused_business_s", "resolve_business_s", "ack_business_s"):
        op.drop_column("cases", column)
