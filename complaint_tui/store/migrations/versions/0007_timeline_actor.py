"""audit trail: one person's timeline events by time

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

`complaint-tui audit --actor NAME` pages through one person's access-log rows, case changes and
timeline events in time order. The first two have an (actor, at) index already; this gives the
timeline one, so each page is an index range read instead of a scan of every event.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_timeline_actor ON timeline_events (actor, at)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_timeline_actor")
