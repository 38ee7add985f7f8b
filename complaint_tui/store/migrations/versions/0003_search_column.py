"""PostgreSQL search: a stored generated tsvector column under the GIN index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

The expression index of 0002 made PostgreSQL re-fold each candidate row's whole description when
it re-checked a match (2.3 s for a common word at 1M cases); the stored vector is read instead.
SQLite's FTS5 table is unchanged.
"""

import sqlalchemy as sa
from alembic import op

from complaint_tui.store.search import PG_SEARCH_COLUMN, pg_document_sql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    bind.execute(sa.text("DROP INDEX IF EXISTS ix_cases_search"))
    bind.execute(
        sa.text(
            f"ALTER TABLE cases ADD COLUMN {PG_SEARCH_COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({pg_document_sql()}) STORED"
        )
    )
    bind.execute(sa.text(f"CREATE INDEX ix_cases_search ON cases USING gin ({PG_SEARCH_COLUMN})"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    bind.execute(sa.text("DROP INDEX IF EXISTS ix_cases_search"))
    bind.execute(sa.text(f"ALTER TABLE cases DROP COLUMN {PG_SEARCH_COLUMN}"))
    bind.execute(sa.text(f"CREATE INDEX ix_cases_search ON cases USING gin ({pg_document_sql()})"))
