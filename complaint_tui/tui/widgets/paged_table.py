"""A cursor over a bounded window of rows that its screen pages in with keyset reads, so a list
behaves the same at ten rows and at a million (the queue, the audit trail). Subclasses render the
lines (Line API: line 0 is their header) and say what a page of rows is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from textual.geometry import Region
from textual.widget import Widget

MAX_WINDOW = 400  # rows kept in memory, whatever the length of the list

Row = TypeVar("Row")


class PagedTable(Widget, Generic[Row]):
    """The window (``rows``, ``at_start``, ``at_end``), the cursor in it and the first line shown;
    ``needs`` says when the screen should page more in."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.rows: list[Row] = []
        self.cursor = 0
        self.top = 0
        self.at_start = True  # nothing comes before rows[0]
        self.at_end = True  # nothing comes after rows[-1]
        self.loaded = False

    @property
    def page_height(self) -> int:
        return max(1, self.size.height - 1)

    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def show_page(self, mode: str, page: Any) -> None:
        """A page read for ``mode``: "first" and "last" replace the window (the cursor on its
        first or last row), "after" and "before" extend it."""
        if mode == "first":
            self.replace(page)
        elif mode == "last":
            self.replace(page, at_end_cursor=True)
        elif mode == "after":
            self.append(page)
        else:
            self.prepend(page)

    def replace(self, page: Any, *, at_end_cursor: bool = False) -> None:
        raise NotImplementedError

    def append(self, page: Any) -> None:
        raise NotImplementedError

    def prepend(self, page: Any) -> None:
        raise NotImplementedError

    def _append_rows(self, rows: Sequence[Row], at_end: bool) -> int:
        """Rows after the window, dropping from its front what goes over MAX_WINDOW; returns how
        many were dropped."""
        self.rows.extend(rows)
        self.at_end = at_end
        overflow = len(self.rows) - MAX_WINDOW
        if overflow <= 0:
            return 0
        del self.rows[:overflow]
        self.at_start = False
        self.cursor -= overflow
        self.top = max(0, self.top - overflow)
        return overflow

    def _prepend_rows(self, rows: Sequence[Row], at_start: bool) -> None:
        """Rows before the window (the cursor stays on its row), dropping from its end what goes
        over MAX_WINDOW."""
        self.rows[:0] = rows
        self.at_start = at_start
        self.cursor += len(rows)
        self.top += len(rows)
        overflow = len(self.rows) - MAX_WINDOW
        if overflow > 0:
            del self.rows[-overflow:]
            self.at_end = False

    def move(self, delta: int) -> None:
        if not self.rows:
            return
        self._place(max(0, min(len(self.rows) - 1, self.cursor + delta)))

    def _place(self, index: int) -> None:
        old_cursor, old_top = self.cursor, self.top
        self.cursor = index
        height = self.page_height
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + height:
            self.top = self.cursor - height + 1
        self.top = max(0, min(self.top, max(0, len(self.rows) - height)))
        # Widget.refresh, not a subclass's: repainting a cursor move is not new data.
        if self.top != old_top:
            Widget.refresh(self)  # scrolled: every line changes
        else:
            self._refresh_row(old_cursor)
            self._refresh_row(self.cursor)
            Widget.refresh(self, Region(0, 0, self.size.width, 1))  # the header's position

    def _refresh_row(self, index: int) -> None:
        y = index - self.top + 1
        if 1 <= y <= self.page_height:
            Widget.refresh(self, Region(0, y, self.size.width, 1))

    def needs(self) -> str | None:
        """'after' or 'before' when the cursor is within a page and a half of a window edge."""
        margin = self.page_height + self.page_height // 2 + 5
        if not self.at_end and len(self.rows) - self.cursor <= margin:
            return "after"
        if not self.at_start and self.cursor <= margin:
            return "before"
        return None

    def page_wanted(self) -> tuple[str, Row] | None:
        """("after", the last row) or ("before", the first one) when the screen should read the
        next page beyond it; None while the cursor is far enough from both edges."""
        need = self.needs()
        if need == "after" and self.rows:
            return need, self.rows[-1]
        if need == "before" and self.rows:
            return need, self.rows[0]
        return None

    def go_to_edge(self, end: bool) -> bool:
        """Put the cursor on the first (or last) row if the window holds it; False when that
        edge must be read first."""
        if not self.rows or not (self.at_end if end else self.at_start):
            return False
        self.move(len(self.rows) if end else -len(self.rows))
        return True

    def on_resize(self) -> None:
        self._place(self.cursor)
