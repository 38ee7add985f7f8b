"""The queue list: a PagedTable of cases, one line each, a badge first and then the columns that
fit the width. The escalation screen uses it too, with its own columns (ESCALATION_COLUMNS):
any row with an id, a version and a ``badge(sla, now)`` will do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from complaint_tui.domain.labels import (
    level_label,
    outcome_short,
    priority_glyph,
    priority_label,
    status_short,
)
from complaint_tui.domain.sla import Badge, Sla
from complaint_tui.domain.text import first_line, one_line
from complaint_tui.services.paging import Page
from complaint_tui.services.views import CaseSummary
from complaint_tui.tui.widgets.badges import BAND_CLASSES, COMPONENT_CLASSES
from complaint_tui.tui.widgets.paged_table import MAX_WINDOW, PagedTable


@dataclass(frozen=True)
class Column:
    name: str
    width: int  # 0: the one column that takes the width left over
    priority: float  # lower survives longer when the terminal is narrow
    get: Callable[[Any, datetime], str]
    # What the column becomes, rather than disappear, when it is the next to go (the priority's
    # glyph without its word); it then goes by its own priority.
    narrow: Column | None = None


def _age(row: CaseSummary, now: datetime) -> str:
    seconds = max(0, int((now - row.received_at).total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400}d"
    if seconds >= 3600:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


PRIORITY = Column(
    "Priority",
    10,
    4.5,
    lambda r, n: priority_label(r.priority),
    narrow=Column("P", 1, 1.5, lambda r, n: priority_glyph(r.priority)),
)
COLUMNS = (
    Column("Ref", 13, 0, lambda r, n: r.ref),
    PRIORITY,
    Column("Customer", 16, 2, lambda r, n: r.customer),
    Column("Services", 14, 5, lambda r, n: ", ".join(r.services)),
    Column("Subject", 0, 1, lambda r, n: ("🔒 " if r.confidential else "") + r.subject),
    Column("Status", 13, 1, lambda r, n: status_short(r.status)),
    Column("Assignee", 11, 3, lambda r, n: r.assignee or "—"),
    Column("Channel", 7, 6, lambda r, n: r.channel),
    Column("Age", 4, 4, _age),
)
# The escalation screen (services/escalations.py EscalationRow); its badge is the review clock.
ESCALATION_COLUMNS = (
    Column("Ref", 13, 0, lambda r, n: r.ref),
    Column("Lv", 2, 0, lambda r, n: level_label(r.level)),
    Column("Customer", 16, 2, lambda r, n: r.customer),
    Column("Request", 0, 1, lambda r, n: first_line(r.request)),
    Column("Agent", 11, 4, lambda r, n: r.assignee or "—"),
    Column("Status", 13, 3, lambda r, n: status_short(r.status)),
)
# The "Decided" view: what was decided and by whom, in place of who handles the case.
DECISION_COLUMNS = (
    *ESCALATION_COLUMNS[:4],
    Column("Decision", 10, 1, lambda r, n: outcome_short(r.outcome) if r.outcome else "—"),
    Column("By", 11, 4, lambda r, n: r.decided_by or "—"),
    ESCALATION_COLUMNS[5],
)
BADGE_WIDTH = 13
MIN_SUBJECT = 16


def min_subject(width: int) -> int:
    """The subject's (the width-0 column's) least width: 16 cells at 80 columns, a fifth of a
    wider terminal (24 at 120), so extra columns do not squeeze what the agent reads first."""
    return max(MIN_SUBJECT, width // 5)


@lru_cache(maxsize=16)
def layout(width: int, columns: tuple[Column, ...] = COLUMNS) -> tuple[tuple[Column, int], ...]:
    """Columns that fit, dropped (or narrowed) by priority, with the subject (the column of
    width 0) taking what is left."""
    chosen = sorted(columns, key=lambda c: c.priority)
    least = min_subject(width)
    while True:
        fixed = BADGE_WIDTH + sum(c.width + 1 for c in chosen if c.width) + 1
        if width - fixed >= least or len(chosen) <= 3:
            break
        last = chosen.pop()  # the least important column goes first …
        if last.narrow is not None:  # … or shrinks, and then goes by its narrow priority
            chosen.append(last.narrow)
            chosen.sort(key=lambda c: c.priority)
    subject = max(least, width - fixed)
    ordered = [
        c if c in chosen else c.narrow
        for c in columns
        if c in chosen or (c.narrow is not None and c.narrow in chosen)
    ]
    return tuple((c, c.width or subject) for c in ordered)


def default_badge(row: Any, sla: Sla, now: datetime) -> Badge:
    return row.badge(sla, now)


def update_badge(row: CaseSummary, sla: Sla, now: datetime) -> Badge:
    """The customer-update clock's badge (the queue's "Next update due" view)."""
    return row.update_badge(sla, now)


def cell(value: str, width: int) -> str:
    """Exactly ``width`` terminal cells: wide characters and emoji are measured, not counted."""
    flat = one_line(value)
    if cell_len(flat) > width:
        return set_cell_size(flat, max(0, width - 1)) + "…"
    return set_cell_size(flat, width)


class QueueTable(PagedTable[Any], can_focus=True):
    """A window of cases (or escalation rows) in ``columns`` after a badge column titled
    ``badge_title``; knows where its window sits in the list once the total is known."""

    COMPONENT_CLASSES = COMPONENT_CLASSES | {"queue--header", "queue--cursor", "queue--empty"}
    DEFAULT_CSS = """
    QueueTable { height: 1fr; }
    """

    def __init__(
        self,
        sla: Sla,
        now: Callable[[], datetime],
        *,
        columns: tuple[Column, ...] = COLUMNS,
        badge_title: str = "Due",
        **kw,
    ) -> None:
        super().__init__(**kw)
        self.sla = sla
        self.now = now
        self.columns = columns
        self.badge_title = badge_title
        # Which clock the badge shows: the case's own unless a list says otherwise ("Update"
        # in the queue's "Next update due" view); ``badge_title`` names it.
        self.badge_of: Callable[[Any, Sla, datetime], Badge] = default_badge
        self.base_index: int | None = 0  # the list's index of rows[0]; None: not known yet
        self.total: int | None = None
        self.empty_text = "No cases in this view."
        self._lines: dict[tuple, Strip] = {}
        self._now = now()

    # ---- window --------------------------------------------------------------------------------
    def cleared(self) -> None:
        self.total = None

    def replace(self, page: Page, *, at_end_cursor: bool = False) -> None:
        if page.at_start:
            self.base_index = 0
        elif page.at_end and self.total is not None:
            self.base_index = self.total - len(page.rows)
        else:
            self.base_index = None
        super().replace(page, at_end_cursor=at_end_cursor)

    def append(self, page: Page) -> None:
        dropped = self._append_rows(page.rows, page.at_end)
        if self.base_index is not None:
            self.base_index += dropped
        self.refresh()

    def prepend(self, page: Page) -> None:
        self._prepend_rows(page.rows, page.at_start)
        if page.at_start:
            self.base_index = 0
        elif self.base_index is not None:
            self.base_index -= len(page.rows)
        self.refresh()

    def set_total(self, total: int) -> None:
        self.total = total
        if self.base_index is None and self.at_end:
            self.base_index = total - len(self.rows)
        self.refresh()

    def position_text(self) -> str:
        if not self.rows:
            return "0 / 0"
        total = f"{self.total:,}" if self.total is not None else "…"
        if self.base_index is None:
            return f"? / {total}"
        return f"{self.base_index + self.cursor + 1:,} / {total}"

    # ---- rendering (Line API) ----------------------------------------------------------------
    # Each visible line is rendered on its own and cached, so a cursor move repaints two lines
    # and a page move only the lines it brings in; nothing here touches the database.

    def refresh_rows(self) -> None:
        """Repaint every line, reading the clock once (tick, new rows, scroll)."""
        self._now = self.now()
        self._lines.clear()
        self.refresh()

    def refresh(self, *regions, **kw):  # type: ignore[override]
        if not regions:
            self._now = self.now()
        return super().refresh(*regions, **kw)

    def on_focus(self) -> None:
        self._lines.clear()
        super().refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        super().refresh()

    def _to_strip(self, text: Text, width: int) -> Strip:
        console = self.app.console
        options = console.options.update_width(width)
        segments = console.render_lines(text, options, pad=True, new_lines=False)[0]
        return Strip(segments, width).apply_style(self.rich_style)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width <= 0:
            return Strip.blank(0)
        if y == 0:
            key = (
                "header",
                width,
                self.position_text(),
                self.app.theme,
                self.columns,
                self.badge_title,
            )
            strip = self._lines.get(key)
            if strip is None:
                strip = self._to_strip(self._header_text(width), width)
                self._lines[key] = strip
            return strip
        index = self.top + y - 1
        if not self.rows:
            if y == 1:
                text = self.empty_text if self.loaded else "Loading…"
                return self._to_strip(
                    Text(text, self.get_component_rich_style("queue--empty")), width
                )
            return Strip.blank(width, self.rich_style)
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        selected = index == self.cursor
        minute = int(self._now.timestamp() // 60)  # badges move on with the clock
        key = (
            row.id,
            row.version,
            width,
            selected,
            self.has_focus,
            self.app.theme,
            minute,
            self.columns,
            self.badge_title,
        )
        strip = self._lines.get(key)
        if strip is None:
            strip = self._row_strip(row, width, selected)
            if len(self._lines) > 4 * MAX_WINDOW:
                self._lines.clear()
            self._lines[key] = strip
        return strip

    def _header_text(self, width: int) -> Text:
        style = self.get_component_rich_style("queue--header")
        out = Text(no_wrap=True, overflow="crop")
        out.append(cell(self.badge_title, BADGE_WIDTH) + " ", style)
        out.append(" ".join(cell(c.name, w) for c, w in layout(width, self.columns)), style)
        position = f" {self.position_text()} "
        pad = width - out.cell_len - len(position)
        if pad > 0:
            out.append(" " * pad)
            out.append(position, style)
        return out

    def _row_strip(self, row: CaseSummary, width: int, selected: bool) -> Strip:
        """Segments built directly (no Rich layout pass): a PgDn repaints ~40 of these."""
        now = self._now
        badge = self.badge_of(row, self.sla, now)
        base = self.rich_style
        if selected:
            base = base + (
                self.get_component_rich_style("queue--cursor")
                if self.has_focus
                else Style(reverse=True)
            )
        band = base + self.get_component_rich_style(BAND_CLASSES[badge.band])
        if selected:
            band = band + (
                self.get_component_rich_style("queue--cursor")
                if self.has_focus
                else Style(reverse=True)
            )
        rest = " " + " ".join(cell(c.get(row, now), w) for c, w in layout(width, self.columns))
        segments = [Segment(cell(badge.text, BADGE_WIDTH), band), Segment(rest, base)]
        return Strip(segments).adjust_cell_length(width, base)
