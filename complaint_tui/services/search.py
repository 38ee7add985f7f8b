"""Turning what an agent types into an indexed search condition (never a table scan).

The queue (services/queue.py) and ``case list --search`` (CaseDesk.list) both search through
these functions, so a query finds the same cases in the TUI and the CLI, on either database.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam, func, literal_column, text

from complaint_tui.domain.text import search_words
from complaint_tui.store.db import Database
from complaint_tui.store.models import Case
from complaint_tui.store.search import PG_SEARCH_COLUMN, SEARCH_TABLE

MAX_TERMS = 8
# A search matching many cases (a common word: 20k of 1M) is best served by walking the
# listing's index in order and testing each row, which stops after a page; one matching few is
# best served from the search index, then sorted. SQLite picks the latter by default,
# PostgreSQL the former; a capped count of matches decides (is_common).
COMMON_MATCHES = 5_000
# PostgreSQL: the ids of the cases matching a tsquery that the calling login may see, read from
# the GIN index whatever its row-level security (migration 0013).
PG_SEARCH_IDS = "ct_search_ids"


def search_terms(query: str) -> list[list[str]]:
    """Words of the query, each the list of its search words ("C-2026-00042" -> ["c", "2026",
    "00042"]): reduced by the same function as the indexed documents."""
    words = [tokens for tokens in map(search_words, query.split()) if tokens]
    return words[:MAX_TERMS]


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
    else:  # the GIN index, under row-level security too (migration 0013)
        inner = f"SELECT 1 FROM {PG_SEARCH_IDS}(:q, :cap)"
        q = tsquery(words)
    return session.execute(
        text(f"SELECT count(*) FROM ({inner}) AS m"), {"q": q, "cap": cap}
    ).scalar_one()


def is_common(db: Database, session, query: str) -> bool:
    """Whether the search matches more than COMMON_MATCHES cases (see there)."""
    return match_count(db, session, query, COMMON_MATCHES + 1) > COMMON_MATCHES


def search_condition(
    db: Database, query: str, *, common: bool = False, sees_all: bool = False
) -> ColumnElement[bool]:
    """The cases matching ``query``; ``common``: it matches many (is_common), so on SQLite test
    membership while walking the listing's index in order, instead of fetching every match and
    sorting them. ``sees_all``: the reader's row-level security policy on PostgreSQL is
    ``true`` (supervisors, managers), which leaves the GIN index to the match itself."""
    words = search_terms(query)
    if not words:
        return literal_column("1") == literal_column("1")
    if db.is_sqlite:
        matches = text(
            f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :fts"
        ).bindparams(bindparam("fts", fts5_query(words)))
        # "id + 0" keeps SQLite from driving the query by the match list (and then sorting it).
        target = (Case.id + literal_column("0")) if common else Case.id
        return target.in_(matches.columns(rowid=Case.id.type))
    if common or sees_all:  # common: tested on each row while walking the listing's index
        return literal_column(f"cases.{PG_SEARCH_COLUMN}").op("@@")(
            text("to_tsquery('simple'::regconfig, :tsq)").bindparams(
                bindparam("tsq", tsquery(words))
            )
        )
    # The few matches, from the GIN index: row-level security keeps PostgreSQL from using an
    # index for a condition that is not leakproof (``@@`` is not), so an agent's login would
    # read every case; the function reads the index as the owner and returns the ids the login
    # may see (migration 0013), and the cases are then read by their key, under the policies.
    # (Twice the heap reads of a bitmap scan: a supervisor's match keeps the index directly.)
    matches = text(f"SELECT {PG_SEARCH_IDS}(:tsq, NULL)").bindparams(
        bindparam("tsq", tsquery(words))
    )
    return Case.id.in_(matches.columns(id=Case.id.type))


def search_order(db: Database, columns, *, common: bool) -> list:
    """The listing's sort columns for a search: on PostgreSQL, a search matching few cases
    (not ``common``) is misjudged, and PostgreSQL walks the listing's whole index in order,
    testing each row (2 s at 1M for a word nothing matches). coalesce(x, x) sorts as x but
    matches no index, which leaves it the GIN bitmap of the matches and a small sort."""
    order = list(columns)
    if not common and db.is_postgres:
        order[0] = func.coalesce(order[0], order[0])
    return order
