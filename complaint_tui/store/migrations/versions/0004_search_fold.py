"""Search: one fold for both databases, the program's

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Until now PostgreSQL folded the search document in SQL, and only Vietnamese letters ("Müller"
was indexed as "m ller"), while SQLite indexed a case created in the program with the program's
fold and a bulk-loaded one with the tokenizer's ("Straße" stayed "straße"). From here both index
the words of the program's fold (complaint_tui.store.search.case_document, built on
complaint_tui.domain.text.search_words), the function that also reduces every query.

- PostgreSQL: ``search_tsv`` stops being a generated column (it keeps its values; no table
  rewrite) and becomes a plain one that the program fills when it creates a case.
- Both: every case is indexed again, in batches. PostgreSQL writes only the rows whose vector
  changes; Vietnamese and English text, the usual, gives the same vector as before.

Unlike the SQL, which is spelled out, this migration calls the program's fold on purpose: the
index must hold exactly the words the program's queries are reduced to, and a copy of the fold
frozen here would be a second one that disagrees with them as soon as the fold changes. Should
the fold change, that change comes with a new migration that indexes the cases again, like this
one.
"""

import sqlalchemy as sa
from alembic import op

from complaint_tui.store.search import DESCRIPTION_CHARS, case_document

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 5_000

# 0003's generated column, restored by the downgrade.
PG_DOCUMENT_0003 = (
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
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        bind.execute(sa.text("INSERT INTO case_search (case_search) VALUES ('delete-all')"))
        write = sa.text("INSERT INTO case_search (rowid, body) VALUES (:id, :body)")
    else:
        bind.execute(sa.text("ALTER TABLE cases ALTER COLUMN search_tsv DROP EXPRESSION"))
        write = sa.text(
            "UPDATE cases SET search_tsv = d.vector FROM ("
            "SELECT id, to_tsvector('simple'::regconfig, body) AS vector "
            "FROM unnest(CAST(:ids AS bigint[]), CAST(:bodies AS text[])) AS u(id, body)) AS d "
            "WHERE cases.id = d.id AND cases.search_tsv IS DISTINCT FROM d.vector"
        )
    read = sa.text(
        "SELECT id, ref, customer, subject, substr(description, 1, :chars) AS description "
        "FROM cases WHERE id > :last ORDER BY id LIMIT :batch"
    )
    last = 0
    while True:
        rows = bind.execute(read, {"last": last, "batch": BATCH, "chars": DESCRIPTION_CHARS}).all()
        if not rows:
            break
        bodies = [case_document(r.ref, r.customer, r.subject, r.description) for r in rows]
        if sqlite:
            bind.execute(
                write, [{"id": r.id, "body": b} for r, b in zip(rows, bodies, strict=True)]
            )
        else:
            bind.execute(write, {"ids": [r.id for r in rows], "bodies": bodies})
        last = rows[-1].id


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # The same FTS5 table; the words in it are those 0003's program looked for too, except
        # for the letters its fold did not know (œ, ı, ...), which it could not find anyway.
        return
    bind.execute(sa.text("DROP INDEX IF EXISTS ix_cases_search"))
    bind.execute(sa.text("ALTER TABLE cases DROP COLUMN search_tsv"))
    bind.execute(
        sa.text(
            "ALTER TABLE cases ADD COLUMN search_tsv tsvector "
            f"GENERATED ALWAYS AS ({PG_DOCUMENT_0003}) STORED"
        )
    )
    bind.execute(sa.text("CREATE INDEX ix_cases_search ON cases USING gin (search_tsv)"))
