"""report figures: business time to acknowledge and to resolve, kept when it happens

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-30

Reports give the median and p90 of the business hours to acknowledge and to resolve a case.
Business time depends on the calendar (hours, holidays), which SQL does not know, so the
workflow stores it when the event happens (services/cases.py, one place):

- ``ack_business_s``: business seconds from receipt to the acknowledgement;
- ``paused_business_s``: business seconds the resolution clock has spent paused (waiting on the
  customer), added at each resume (or at a resolution straight from waiting);
- ``resolve_business_s``: business seconds from receipt to the (last) resolution, minus the
  paused time; cleared by a reopen and set again at the next resolution.

The figures of cases acknowledged or resolved before this revision are filled by
``complaint-tui init`` right after the upgrade (store/report_figures.py), with the configured
calendar: a migration spells out its SQL and cannot hold the calendar. Their pauses were not
kept, so their resolution time includes them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD/DROP COLUMN on both databases (SQLite 3.35+): a batch copy of the
    # cases table would trip the triggers that name it.
    op.add_column("cases", sa.Column("ack_business_s", sa.Float(), nullable=True))
    op.add_column("cases", sa.Column("resolve_business_s", sa.Float(), nullable=True))
    op.add_column(
        "cases", sa.Column("paused_business_s", sa.Float(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    for column in ("paused_business_s", "resolve_business_s", "ack_business_s"):
        op.drop_column("cases", column)
