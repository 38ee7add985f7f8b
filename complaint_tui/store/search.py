"""Accent-insensitive full-text search, one index per dialect, both fed by the program's fold.

A case's search document is the words of "ref customer subject description" as
``complaint_tui.domain.text.search_words`` gives them, joined by single spaces; queries are
reduced by the same function, so both databases find the same cases.

- SQLite: a contentless FTS5 table ``case_search`` (rowid = case id) holding the document.
- PostgreSQL: a ``search_tsv`` column, ``to_tsvector('simple', document)``, under a GIN index.
  Stored, not an expression index: re-checking a match then reads the vector instead of
  reducing a 20,000-character description again for every candidate row.

Case text never changes after intake, so a case is indexed once, when it is created.
"""

from __future__ import annotations

from sqlalchemy import text

from complaint_tui.domain.text import search_words

SEARCH_TABLE = "case_search"
PG_SEARCH_COLUMN = "search_tsv"
DESCRIPTION_CHARS = 20_000  # words past this in a huge description are not indexed
PG_VECTOR = "to_tsvector('simple'::regconfig, {})"


def case_document(
    ref: str = "", customer: str = "", subject: str = "", description: str = ""
) -> str:
    """The words a case is found by, joined by single spaces.

    The document of the whole case is the documents of its parts joined by a space (with empty
    ones left out): the demo loader relies on that to reduce each distinct part only once."""
    return " ".join(search_words(f"{ref} {customer} {subject} {description[:DESCRIPTION_CHARS]}"))


def create_search_index(connection) -> None:
    """Create the dialect's search index (at the current schema: PostgreSQL's needs the column)."""
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


def index_case(
    session, case_id: int, ref: str, customer: str, subject: str, description: str
) -> None:
    """Index one new case (in the transaction that creates it)."""
    document = case_document(ref, customer, subject, description)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text(f"INSERT INTO {SEARCH_TABLE} (rowid, body) VALUES (:id, :body)"),
            {"id": case_id, "body": document},
        )
    else:
        session.execute(
            text(
                f"UPDATE cases SET {PG_SEARCH_COLUMN} = {PG_VECTOR.format(':body')} WHERE id = :id"
            ),
            {"id": case_id, "body": document},
        )
