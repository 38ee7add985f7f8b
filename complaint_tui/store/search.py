"""Accent-insensitive full-text search, one index per dialect.

- SQLite: a contentless FTS5 table ``case_search`` (rowid = case id) with the unicode61
  tokenizer removing diacritics; rows are written when a case is created (case text never changes).
- PostgreSQL: a stored generated ``search_tsv`` column (the document folded with translate(), so
  no extension such as unaccent or pg_trgm is required of the server) under a GIN index. Stored,
  not an expression index: re-checking a match then reads the vector instead of re-folding a
  20,000-character description for every candidate row.
Both index "ref customer subject description" and are queried with prefix terms.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import text

SEARCH_TABLE = "case_search"
DESCRIPTION_CHARS = 20_000  # words past this in a huge description are not indexed

_VI_LOWER = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"


def _plain(ch: str) -> str:
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


VI_ACCENTED = _VI_LOWER + _VI_LOWER.upper()
VI_PLAIN = "".join(_plain(c) for c in VI_ACCENTED)
assert len(VI_ACCENTED) == len(VI_PLAIN)


PG_SEARCH_COLUMN = "search_tsv"


def pg_document_sql() -> str:
    """The folded document PostgreSQL indexes (the expression of the generated column)."""
    return (
        "to_tsvector('simple'::regconfig, regexp_replace(lower(translate("
        f"ref || ' ' || customer || ' ' || subject || ' ' || left(description, {DESCRIPTION_CHARS}), "
        f"'{VI_ACCENTED}', '{VI_PLAIN}')), '[^a-z0-9]+', ' ', 'g'))"
    )


def create_search_index(connection) -> None:
    """Create the dialect's search index (at the current schema: PostgreSQL's needs 0003's column)."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            text(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
                "body, content='', tokenize='unicode61 remove_diacritics 2')"
            )
        )
    else:
        connection.execute(
            text(
                f"CREATE INDEX IF NOT EXISTS ix_cases_search ON cases USING gin ({PG_SEARCH_COLUMN})"
            )
        )


def drop_search_index(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DROP TABLE IF EXISTS {SEARCH_TABLE}"))
    else:
        connection.execute(text("DROP INDEX IF EXISTS ix_cases_search"))


def sqlite_document(ref: str, customer: str, subject: str, description: str) -> str:
    from complaint_tui.domain.text import fold

    return fold(f"{ref} {customer} {subject} {description[:DESCRIPTION_CHARS]}")


def index_case_sqlite(
    session, case_id: int, ref: str, customer: str, subject: str, description: str
) -> None:
    session.execute(
        text(f"INSERT INTO {SEARCH_TABLE} (rowid, body) VALUES (:id, :body)"),
        {"id": case_id, "body": sqlite_document(ref, customer, subject, description)},
    )


def rebuild_search_index(connection) -> None:
    """Index every case at once (after a bulk load): SQL-side folding of đ/Đ, the tokenizer
    removes the other diacritics; PostgreSQL rebuilds the GIN index over its generated column."""
    if connection.dialect.name == "sqlite":
        create_search_index(connection)
        connection.execute(
            text(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('delete-all')")
        )
        connection.execute(
            text(
                f"INSERT INTO {SEARCH_TABLE} (rowid, body) SELECT id, replace(replace("
                f"ref || ' ' || customer || ' ' || subject || ' ' || substr(description, 1, {DESCRIPTION_CHARS}),"
                " 'đ', 'd'), 'Đ', 'D') FROM cases"
            )
        )
    else:
        drop_search_index(connection)
        create_search_index(connection)
