"""Turning what an agent types into an indexed search condition (never a table scan)."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, bindparam, literal_column, text

from complaint_tui.domain.text import fold
from complaint_tui.store.db import Database
from complaint_tui.store.models import Case
from complaint_tui.store.search import PG_SEARCH_COLUMN, SEARCH_TABLE

_TOKEN = re.compile(r"[a-z0-9]+")
MAX_TERMS = 8


def search_terms(query: str) -> list[list[str]]:
    """Words of the query, each a list of tokens ("C-2026-00042" -> ["c", "2026", "00042"])."""
    words = []
    for word in fold(query).split()[:MAX_TERMS]:
        tokens = _TOKEN.findall(word)
        if tokens:
            words.append(tokens)
    return words


def fts5_query(words: list[list[str]]) -> str:
    # Each word is a phrase whose last token may be a prefix: "c 2026 00042"* AND "nguyen"*
    return " AND ".join('"' + " ".join(tokens) + '"*' for tokens in words)


def tsquery(words: list[list[str]]) -> str:
    return " & ".join(
        "(" + " <-> ".join(tokens[:-1] + [tokens[-1] + ":*"]) + ")" for tokens in words
    )


def match_count(db: Database, session, query: str, cap: int) -> int:
    """How many cases match, counting no further than ``cap``: a read of the search index alone
    (FTS5 table / GIN bitmap), used to choose how the page query should run."""
    words = search_terms(query)
    if not words:
        return 0
    if db.is_sqlite:
        inner = f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :q LIMIT :cap"
        q = fts5_query(words)
    else:
        inner = (
            f"SELECT 1 FROM cases WHERE {PG_SEARCH_COLUMN} @@ "
            "to_tsquery('simple'::regconfig, :q) LIMIT :cap"
        )
        q = tsquery(words)
    return session.execute(
        text(f"SELECT count(*) FROM ({inner}) AS m"), {"q": q, "cap": cap}
    ).scalar_one()


def search_condition(
    db: Database, query: str, *, ordered_scan: bool = False
) -> ColumnElement[bool]:
    """``ordered_scan`` (SQLite): test membership while walking the view's index in order,
    instead of fetching every match and sorting them; right when matches are many."""
    words = search_terms(query)
    if not words:
        return literal_column("1") == literal_column("1")
    if db.is_sqlite:
        matches = text(
            f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :fts"
        ).bindparams(bindparam("fts", fts5_query(words)))
        # "id + 0" keeps SQLite from driving the query by the match list (and then sorting it).
        target = (Case.id + literal_column("0")) if ordered_scan else Case.id
        return target.in_(matches.columns(rowid=Case.id.type))
    return literal_column(f"cases.{PG_SEARCH_COLUMN}").op("@@")(
        text("to_tsquery('simple'::regconfig, :tsq)").bindparams(bindparam("tsq", tsquery(words)))
    )
