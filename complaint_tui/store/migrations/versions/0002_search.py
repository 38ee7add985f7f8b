"""accent-insensitive search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from complaint_tui.store.search import (
    SEARCH_TABLE,
    create_search_index,
    drop_search_index,
    sqlite_document,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    create_search_index(bind)
    if bind.dialect.name == "sqlite":
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
    drop_search_index(op.get_bind())
