"""accent-insensitive search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Every statement is spelled out here, so that later changes to the program's search cannot alter
what this step does. Migration 0004 indexes every case again with the program's fold.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# PostgreSQL's search document at this revision: Vietnamese letters folded by translate(), every
# other character that is not a-z or 0-9 turned into a space.
PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, regexp_replace(lower(translate("
    "ref || ' ' || customer || ' ' || subject || ' ' || left(description, 20000), "
    "'àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ', "
    "'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
    "AAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYYD'"
    ")), '[^a-z0-9]+', ' ', 'g'))"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        bind.execute(sa.text(f"CREATE INDEX ix_cases_search ON cases USING gin ({PG_DOCUMENT})"))
        return
    bind.execute(
        sa.text(
            "CREATE VIRTUAL TABLE case_search USING fts5("
            "body, content='', tokenize='unicode61 remove_diacritics 2')"
        )
    )
    # The cases that existed before this migration: đ/Đ replaced here (they do not decompose),
    # the tokenizer removes the other diacritics.
    bind.execute(
        sa.text(
            "INSERT INTO case_search (rowid, body) SELECT id, replace(replace("
            "ref || ' ' || customer || ' ' || subject || ' ' || substr(description, 1, 20000), "
            "'đ', 'd'), 'Đ', 'D') FROM cases"
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text("DROP TABLE IF EXISTS case_search"))
    else:
        bind.execute(sa.text("DROP INDEX IF EXISTS ix_cases_search"))
