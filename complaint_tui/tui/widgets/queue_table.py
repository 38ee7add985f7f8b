"""The queue list: renders only a bounded window of rows that the screen pages in with keyset
queries, so it behaves the same at ten cases and at a million."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from complaint_tui.domain.sla import Sla
from complaint_tui.domain.text import one_line
from complaint_tui.services.queue import QueuePage
from complaint_tui.services.views import CaseSummary
from complaint_tui.tui.widgets.badges import BAND_CLASSES, COMPONENT_CLASSES

MAX_WINDOW = 400  # rows kept in memory, whatever the number of cases
STATUS_SHORT = {
    "new": "new",
    "acknowledged": "acknowledged",
    "investigating": "investigating",
    "waiting_on_customer": "waiting",
    "resolved": "resolved",
    "closed": "closed",
}


@dataclass(frozen=True)
class Column:
    name: str
    width: int
    priority: int  # lower survives longer when the terminal is narrow
    get: Callable[[CaseSummary, datetime], str]


def _age(row: CaseSummary, now: datetime) -> str:
    seconds = max(0, int((now - row.received_at).total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400}d"
    if seconds >= 3600:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


COLUMNS = (
    Column("Ref", 13, 0, lambda r, n: r.ref),
    Column("Customer", 16, 2, lambda r, n: r.customer),
    Column("Services", 14, 5, lambda r, n: ", ".join(r.services)),
    Column("Subject", 0, 1, lambda r, n: ("🔒 " if r.confidential else "") + r.subject),
    Column("Status", 13, 1, lambda r, n: STATUS_SHORT.get(r.status.value, r.status.value)),
    Column("Assignee", 11, 3, lambda r, n: r.assignee or "—"),
    Column("Channel", 7, 6, lambda r, n: r.channel),
    Column("Age", 4, 4, _age),
)
BADGE_WIDTH = 13
MIN_SUBJECT = 16


def layout(width: int) -> list[tuple[Column, int]]:
    """Columns that fit, dropped by priority, with the subject taking what is left."""
    chosen = sorted(COLUMNS, key=lambda c: c.priority)
    while True:
        fixed = BADGE_WIDTH + sum(c.width + 1 for c in chosen if c.width) + 1
        if width - fixed >= MIN_SUBJECT or len(chosen) <= 3:
            break
        chosen.pop()  # the least important column goes first
    subject = max(MIN_SUBJECT, width - fixed)
    ordered = [c for c in COLUMNS if c in chosen]
    return [(c, c.width or subject) for c in ordered]


def cell(value: str, width: int) -> str:
    """Exactly ``width`` terminal cells: wide characters and emoji are measured, not counted."""
    flat = one_line(value)
    if cell_len(flat) > width:
        return set_cell_size(flat, max(0, width - 1)) + "…"
    return set_cell_size(flat, width)


class QueueTable(Widget, can_focus=True):
    """A cursor over a window of rows; asks for more through ``needs`` when near an edge."""

    COMPONENT_CLASSES = COMPONENT_CLASSES | {"queue--header", "queue--cursor", "queue--empty"}
    DEFAULT_CSS = """
    QueueTable { height: 1fr; }
    """

    cursor = reactive(0, always_update=True)

    def __init__(self, sla: Sla, now: Callable[[], datetime], **kw) -> None:
        super().__init__(**kw)
        self.sla = sla
        self.now = now
        self.rows: list[CaseSummary] = []
        self.top = 0
        self.at_start = True
        self.at_end = True
        self.base_index: int | None = 0
        self.total: int | None = None
        self.loaded = False
        self.empty_text = "No cases in this view."

    # ---- window --------------------------------------------------------------------------------
    @property
    def page_height(self) -> int:
        return max(1, self.size.height - 1)

    def current(self) -> CaseSummary | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def replace(
        self, page: QueuePage, *, at_end_cursor: bool = False, keep_id: int | None = None
    ) -> None:
        self.rows = list(page.rows)
        self.at_start, self.at_end = page.at_start, page.at_end
        self.base_index = (
            0
            if page.at_start
            else (self.total - len(self.rows) if page.at_end and self.total is not None else None)
        )
        self.loaded = True
        target = len(self.rows) - 1 if at_end_cursor else 0
        if keep_id is not None:
            target = next(
                (i for i, r in enumerate(self.rows) if r.id == keep_id),
                min(self.cursor, len(self.rows) - 1),
            )
        self._place(max(0, target))

    def reload(self, page: QueuePage) -> None:
        """Same window position, fresh contents (another agent changed something)."""
        keep = self.current()
        base = self.base_index
        old_cursor = self.cursor
        self.rows = list(page.rows)
        self.at_end = page.at_end
        self.base_index = base
        self.loaded = True
        target = min(old_cursor, len(self.rows) - 1)
        if keep is not None:
            target = next((i for i, r in enumerate(self.rows) if r.id == keep.id), target)
        self._place(max(0, target))

    def append(self, page: QueuePage) -> None:
        self.rows.extend(page.rows)
        self.at_end = page.at_end
        overflow = len(self.rows) - MAX_WINDOW
        if overflow > 0:
            del self.rows[:overflow]
            self.at_start = False
            self.cursor -= overflow
            self.top = max(0, self.top - overflow)
            if self.base_index is not None:
                self.base_index += overflow
        self.refresh()

    def prepend(self, page: QueuePage) -> None:
        added = len(page.rows)
        self.rows[:0] = page.rows
        self.at_start = page.at_start
        if self.base_index is not None:
            self.base_index -= added
        if page.at_start:
            self.base_index = 0
        self.cursor += added
        self.top += added
        overflow = len(self.rows) - MAX_WINDOW
        if overflow > 0:
            del self.rows[-overflow:]
            self.at_end = False
        self.refresh()

    def set_total(self, total: int) -> None:
        self.total = total
        if self.base_index is None and self.at_end:
            self.base_index = total - len(self.rows)
        self.refresh()

    def move(self, delta: int) -> None:
        if not self.rows:
            return
        self._place(max(0, min(len(self.rows) - 1, self.cursor + delta)))

    def _place(self, index: int) -> None:
        self.cursor = index
        height = self.page_height
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + height:
            self.top = self.cursor - height + 1
        self.top = max(0, min(self.top, max(0, len(self.rows) - height)))
        self.refresh()

    def needs(self) -> str | None:
        """'after' or 'before' when the cursor is within a page and a half of a window edge."""
        margin = self.page_height + self.page_height // 2 + 5
        if not self.at_end and len(self.rows) - self.cursor <= margin:
            return "after"
        if not self.at_start and self.cursor <= margin:
            return "before"
        return None

    def position_text(self) -> str:
        if not self.rows:
            return "0 / 0"
        total = f"{self.total:,}" if self.total is not None else "…"
        if self.base_index is None:
            return f"? / {total}"
        return f"{self.base_index + self.cursor + 1:,} / {total}"

    def on_resize(self) -> None:
        self._place(self.cursor)

    # ---- rendering ---------------------------------------------------------------------------
    def render(self) -> Text:
        width = self.size.width
        cols = layout(width)
        header_style = self.get_component_rich_style("queue--header")
        out = Text(no_wrap=True, overflow="crop")
        out.append(cell("Due", BADGE_WIDTH) + " ", header_style)
        out.append(" ".join(cell(c.name, w) for c, w in cols), header_style)
        if not self.rows:
            out.append("\n")
            text = self.empty_text if self.loaded else "Loading…"
            out.append(text, self.get_component_rich_style("queue--empty"))
            return out
        now = self.now()
        cursor_style = (
            self.get_component_rich_style("queue--cursor")
            if self.has_focus
            else Style(reverse=True)
        )
        for index in range(self.top, min(len(self.rows), self.top + self.page_height)):
            row = self.rows[index]
            badge = row.badge(self.sla, now)
            line = Text(no_wrap=True, overflow="crop")
            line.append(
                cell(badge.text, BADGE_WIDTH),
                self.get_component_rich_style(BAND_CLASSES[badge.band]),
            )
            line.append(" ")
            line.append(" ".join(cell(c.get(row, now), w) for c, w in cols))
            pad = width - line.cell_len
            if pad > 0:
                line.append(" " * pad)
            if index == self.cursor:
                line.stylize(cursor_style)
            out.append("\n")
            out.append_text(line)
        return out
