"""Keyset pages: a list (the queue, the escalation screen, an audit trail) read one page at a
time, at either end or strictly after or before a row's position in the list's order, so a
screen asks SQL only for the rows it shows, at ten rows as at a million.

A position (``Key``) is the row's values of the order's columns, ending with a unique integer
id. Each list is a ``KeysetPages``: it says how to read one page (``_page``), a row's position
(``key_of``) and whether its order runs newest first (``descending``); the ends, the steps and
the position just before a row follow from those, the same for every list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import tuple_

# A position in a list's order; a list pages strictly after or before one.
Key = tuple
Row = TypeVar("Row")
Query = TypeVar("Query")


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: Sequence[Row]
    at_start: bool  # nothing comes before rows[0]
    at_end: bool  # nothing comes after rows[-1]


def keyset(stmt, cols, key: Key | None, ascending: bool, order=None):
    """``stmt`` from just after ``key`` in the order of ``cols`` (SQL's direction of this fetch),
    sorted by ``order`` (default: ``cols``)."""
    if key is not None:
        row_value, key_value = tuple_(*cols), tuple_(*key)
        stmt = stmt.where(row_value > key_value if ascending else row_value < key_value)
    return stmt.order_by(*[c.asc() if ascending else c.desc() for c in (order or cols)])


def page_of(rows: list, limit: int, key: Key | None, *, forward: bool) -> Page:
    """A page from up to ``limit + 1`` rows read after (or, backwards, before) ``key`` in SQL's
    order of that read."""
    return read_page(rows[:limit], len(rows) > limit, key, forward=forward)


def read_page(rows: list, more: bool, key: Key | None, *, forward: bool) -> Page:
    """A page from the rows read after (or, backwards, before) ``key`` in SQL's order of that
    read, and whether ``more`` follow them in that direction."""
    if not forward:
        return Page(rows[::-1], at_start=not more, at_end=key is None)
    return Page(rows, at_start=key is None, at_end=not more)


class KeysetPages(Generic[Query, Row]):
    """A page at either end of the list ``query`` names, or just after or before a position."""

    def _page(self, query: Query, key: Key | None, limit: int, *, forward: bool) -> Page[Row]:
        raise NotImplementedError

    def key_of(self, query: Query, row: Row) -> Key:
        """The row's position in the list's order."""
        raise NotImplementedError

    def descending(self, query: Any) -> bool:
        """Whether the list's keys run from high to low (newest first)."""
        return False

    def first(self, query: Query, limit: int) -> Page[Row]:
        return self._page(query, None, limit, forward=True)

    def last(self, query: Query, limit: int) -> Page[Row]:
        return self._page(query, None, limit, forward=False)

    def after(self, query: Query, key: Key, limit: int) -> Page[Row]:
        return self._page(query, key, limit, forward=True)

    def before(self, query: Query, key: Key, limit: int) -> Page[Row]:
        return self._page(query, key, limit, forward=False)

    def key_just_before(self, query: Query, row: Row) -> Key:
        """A position that sorts immediately before ``row``: paging "after" it reads again from
        ``row`` on (a screen's refresh in place)."""
        key = self.key_of(query, row)
        step = 1 if self.descending(query) else -1
        return key[:-1] + (key[-1] + step,)
