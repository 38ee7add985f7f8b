"""PagedTable: the one paging mechanism of the lists (the queue, the escalation screen, the audit
trail). A cursor over a bounded window of one list's rows, paged in from its source
(services/paging.py KeysetPages) in a worker, one keyset page at a time as the cursor nears an
edge, so a list behaves the same at ten rows and at a million.

Subclasses render the lines (Line API: line 0 is their header). Their screen says which list to
show (``show_list``), moves the cursor with its keys, and hears ``PageShown`` after each page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual import on, work
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget

from complaint_tui.services.errors import Refused
from complaint_tui.services.paging import Key, KeysetPages, Page

MAX_WINDOW = 400  # rows kept in memory, whatever the length of the list
FETCH = 120  # rows per keyset page

Row = TypeVar("Row")


@dataclass
class _PageRead(Message):
    generation: int
    mode: str  # "first" | "last" | "after" | "before" | "reload"
    page: Page | None  # None: refused, see error
    error: str = ""


class PagedTable(Widget, Generic[Row]):
    """The window (``rows``, ``at_start``, ``at_end``), the cursor in it, the first line shown,
    and the reads that fill it: ``generation`` counts the lists (or jumps) shown, so a page read
    for one left behind is dropped; ``reading`` is the read on its way, if any. (Not
    ``loading`` nor ``query``: Textual's widgets have those.)"""

    @dataclass
    class PageShown(Message):
        """A page is in the window (``mode`` as read: first, last, after, before, reload)."""

        table: PagedTable
        mode: str

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(self, *, fetch: int = FETCH, **kw) -> None:
        super().__init__(**kw)
        self.fetch_size = fetch
        self.source: KeysetPages | None = None
        self.list_query: Any = None
        self.rows: list[Row] = []
        self.cursor = 0
        self.top = 0
        self.at_start = True  # nothing comes before rows[0]
        self.at_end = True  # nothing comes after rows[-1]
        self.loaded = False
        self.generation = 0
        self.reading: str | None = None

    # ---- which list, and reading it ------------------------------------------------------------
    def show_list(self, source: KeysetPages, query: Any, *, from_end: bool = False) -> None:
        """Start over on the list ``query`` names (a new view, filter or search), at its first
        row or, ``from_end``, its last."""
        self.source, self.list_query = source, query
        self.generation += 1
        self.rows = []
        self.cursor = self.top = 0
        self.at_start = self.at_end = True
        self.loaded = False
        self.cleared()
        self.refresh()
        self.fetch("last" if from_end else "first")

    def cleared(self) -> None:
        """The window was emptied for a new list (subclasses forget what belonged to the old)."""

    def fetch(self, mode: str, key: Key | None = None) -> None:
        self.reading = mode
        self._read(self.generation, self.source, self.list_query, mode, key)

    @work(thread=True, group="paged-table", exit_on_error=False)
    def _read(
        self, generation: int, source: KeysetPages, query: Any, mode: str, key: Key | None
    ) -> None:
        size = self.fetch_size
        try:
            if mode == "first":
                page = source.first(query, size)
            elif mode == "last":
                page = source.last(query, size)
            elif mode == "after" and key is not None:
                page = source.after(query, key, size)
            elif mode == "before" and key is not None:
                page = source.before(query, key, size)
            else:  # reload: from the first row shown onward
                page = (
                    source.after(query, key, size * 2)
                    if key is not None
                    else source.first(query, size * 2)
                )
        except Refused as exc:
            self.post_message(_PageRead(generation, mode, None, str(exc)))
            return
        self.post_message(_PageRead(generation, mode, page))

    @on(_PageRead)
    def _page_read(self, message: _PageRead) -> None:
        message.stop()
        if message.generation != self.generation:
            return  # read for a list (or a position) already left
        self.reading = None
        if message.page is None:
            self.notify(message.error, severity="error", timeout=8)
            return
        self.show_page(message.mode, message.page)
        self.post_message(self.PageShown(self, message.mode))
        self._read_more()

    def _key(self, row: Row) -> Key:
        assert self.source is not None
        return self.source.key_of(self.list_query, row)

    def _read_more(self) -> None:
        """Page in beyond the window's edge the cursor is nearing, one page at a time."""
        if self.reading or self.source is None:
            return
        wanted = self.page_wanted()
        if wanted is not None:
            mode, row = wanted
            self.fetch(mode, self._key(row))

    def refresh_in_place(self) -> bool:
        """Read again the rows from the first one in the window on, keeping the cursor's place
        (something changed); False while another read is on its way."""
        if self.reading or self.source is None:
            return False
        key = None
        if self.rows and not self.at_start:
            key = self.source.key_just_before(self.list_query, self.rows[0])
        self.fetch("reload", key)
        return True

    # ---- the window ------------------------------------------------------------------------------
    @property
    def page_height(self) -> int:
        return max(1, self.size.height - 1)

    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def show_page(self, mode: str, page: Page[Row]) -> None:
        """A page read for ``mode``: "first" and "last" replace the window (the cursor on its
        first or last row), "after" and "before" extend it, "reload" renews it in place."""
        if mode == "first":
            self.replace(page)
        elif mode == "last":
            self.replace(page, at_end_cursor=True)
        elif mode == "after":
            self.append(page)
        elif mode == "before":
            self.prepend(page)
        else:
            self.reload(page)

    def replace(self, page: Page[Row], *, at_end_cursor: bool = False) -> None:
        self.rows = list(page.rows)
        self.at_start, self.at_end = page.at_start, page.at_end
        self.loaded = True
        self.top = 0
        self._place(max(0, len(self.rows) - 1) if at_end_cursor else 0)
        self.refresh()

    def reload(self, page: Page[Row]) -> None:
        """Fresh contents from the window's first row on; the cursor stays on its row if it is
        still in the list, else at its place."""
        keep = self.current()
        kept = self._key(keep) if keep is not None else None
        self.rows = list(page.rows)
        self.at_end = page.at_end
        self.loaded = True
        target = min(self.cursor, len(self.rows) - 1)
        if kept is not None:
            target = next((i for i, r in enumerate(self.rows) if self._key(r) == kept), target)
        self._place(max(0, target))
        self.refresh()

    def append(self, page: Page[Row]) -> None:
        self._append_rows(page.rows, page.at_end)
        self.refresh()

    def prepend(self, page: Page[Row]) -> None:
        self._prepend_rows(page.rows, page.at_start)
        self.refresh()

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

    # ---- moving ----------------------------------------------------------------------------------
    def move(self, delta: int) -> None:
        """The cursor ``delta`` rows on (back if negative), reading more as it nears an edge."""
        if self.rows:
            self._place(max(0, min(len(self.rows) - 1, self.cursor + delta)))
        self._read_more()

    def page(self, direction: int) -> None:
        self.move(direction * self.page_height)

    def go_to_edge(self, end: bool) -> None:
        """The first (or last) row of the list: in the window already, or read afresh."""
        if self.rows and (self.at_end if end else self.at_start):
            self.move(len(self.rows) if end else -len(self.rows))
            return
        self.generation += 1  # pages on their way are for the position being left
        self.fetch("last" if end else "first")

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
        """("after", the last row) or ("before", the first one) when the next page beyond it
        should be read; None while the cursor is far enough from both edges."""
        need = self.needs()
        if need == "after" and self.rows:
            return need, self.rows[-1]
        if need == "before" and self.rows:
            return need, self.rows[0]
        return None

    def on_resize(self) -> None:
        self._place(self.cursor)


def moving_bindings(
    screen: str,
    *,
    page_down: str = "pagedown,ctrl+f",
    first: tuple[str, str] | None = None,
    last: tuple[str, str] | None = None,
) -> list[Binding]:
    """The keys that move through a PagedTable (PagedTableKeys' actions), with ids under
    ``screen`` so that each screen's can be remapped on its own ([ui] keys). ``first`` and
    ``last``: (label, tooltip) to show those two in the footer."""

    def edge(keys: str, action: str, label: str, shown: tuple[str, str] | None) -> Binding:
        label, tooltip = shown or (label, "")
        return Binding(
            keys, action, label, show=shown is not None, id=f"{screen}.{action}", tooltip=tooltip
        )

    return [
        Binding("j,down", "move(1)", "Down", show=False, id=f"{screen}.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id=f"{screen}.up"),
        Binding(page_down, "page(1)", "Page down", show=False, id=f"{screen}.page_down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id=f"{screen}.page_up"),
        edge("g,home", "first", "First", first),
        edge("G,end", "last", "Last", last),
    ]


class PagedTableKeys:
    """The keys of a screen around one PagedTable, mixed into the queue, escalation and audit
    trail screens (their bindings, with their own ids, name these actions)."""

    def paged_table(self) -> PagedTable:
        return self.query_one(PagedTable)  # type: ignore[attr-defined]

    def cursor_moved(self) -> None:
        """The cursor may be on another row (a screen showing the row below the list follows)."""

    def action_move(self, delta: int) -> None:
        self.paged_table().move(delta)
        self.cursor_moved()

    def action_page(self, direction: int) -> None:
        self.paged_table().page(direction)
        self.cursor_moved()

    def action_first(self) -> None:
        self.paged_table().go_to_edge(end=False)
        self.cursor_moved()

    def action_last(self) -> None:
        self.paged_table().go_to_edge(end=True)
        self.cursor_moved()

    def action_open(self) -> None:
        """The case of the row under the cursor."""
        row = self.paged_table().current()
        if row is not None:
            self.app.open_case(row.ref)  # type: ignore[attr-defined]

    def action_refresh(self) -> None:
        self.refresh_in_place()

    def refresh_in_place(self) -> None:
        """Read the rows shown again, keeping the place (a screen adds its counts)."""
        self.paged_table().refresh_in_place()
