"""accent-insensitive search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from complaint_tui.store.search import SEARCH_TABLE, pg_document_sql, sqlite_document

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        # This revision's own index (0003 replaces it); spelled out so later changes to the
        # current index cannot alter what this step did.
        bind.execute(
            sa.text(f"CREATE INDEX ix_cases_search ON cases USING gin ({pg_document_sql()})")
        )
        return
    bind.execute(
        sa.text(
            f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
            "body, content='', tokenize='unicode61 remove_diacritics 2')"
        )
    )
    # Index the cases that existed before this migration, in batches.
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, ref, customer, subject, description FROM cases WHERE id > :last ORDER BY id LIMIT 5000"
            ),
            {"last": last},
        ).all()
        if not rows:
            break
        bind.execute(
            sa.text(f"INSERT INTO {SEARCH_TABLE} (rowid, body) VALUES (:id, :body)"),
            [
                {
                    "id": r.id,
                    "body": sqlite_document(r.ref, r.customer, r.subject, r.description),
                }
                for r in rows
            ],
        )
        last = rows[-1].id


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text(f"DROP TABLE IF EXISTS {SEARCH_TABLE}"))
    else:
        bind.execute(sa.text("DROP INDEX IF EXISTS ix_cases_search"))
