"""The audit trail list: a PagedTable of entries, so a case with thousands of access-log rows
shows as quickly as one with ten."""

from __future__ import annotations

from datetime import tzinfo

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from complaint_tui.domain.labels import show_instant
from complaint_tui.services.audit_trail import OUTSIDE_APP, AuditEntry
from complaint_tui.tui.widgets.paged_table import PagedTable
from complaint_tui.tui.widgets.queue_table import cell

# (title, width); the detail takes what is left, the ref column shows in one person's trail.
COLUMNS = (("When", 20), ("Who", 12), ("What", 15), ("Kind", 15))
REF_COLUMN = ("Case", 13)
MIN_DETAIL = 10


class AuditTable(PagedTable[AuditEntry], can_focus=True):
    """One line per entry: when, who, what, its kind, (the case,) the detail."""

    COMPONENT_CLASSES = {"audit--header", "audit--cursor", "audit--refused", "audit--outside"}
    # Refusals and changes made outside the program stand out without colour as well (bold,
    # and their Kind says so in words).
    DEFAULT_CSS = """
    AuditTable { height: 1fr; }
    AuditTable > .audit--header { text-style: bold; color: $text-muted; }
    AuditTable > .audit--cursor { background: $primary 40%; text-style: bold; }
    AuditTable > .audit--refused { color: $error; text-style: bold; }
    AuditTable > .audit--outside { color: $warning; text-style: bold reverse; }
    """

    def __init__(self, tz: tzinfo, *, show_ref: bool = False, **kw) -> None:
        super().__init__(**kw)
        self.tz = tz
        self.show_ref = show_ref

    # ---- rendering (Line API) ------------------------------------------------------------------
    def _columns(self, width: int) -> list[tuple[str, int]]:
        columns = list(COLUMNS) + ([REF_COLUMN] if self.show_ref else [])
        fixed = sum(w + 1 for _, w in columns)
        return [*columns, ("Detail", max(MIN_DETAIL, width - fixed))]

    def _strip(self, segments: list[Segment], width: int, style: Style) -> Strip:
        return Strip(segments).adjust_cell_length(width, style).crop(0, width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if width <= 0:
            return Strip.blank(0)
        if y == 0:
            return self._header(width)
        index = self.top + y - 1
        if not self.rows:
            if y == 1:
                text = "Nothing in this trail." if self.loaded else "Loading…"
                return self._strip([Segment(text, base)], width, base)
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        return self._row(self.rows[index], width, index == self.cursor)

    def _header(self, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("audit--header")
        text = " ".join(cell(name, w) for name, w in self._columns(width))
        more = " ".join(
            part
            for part, shown in (("↑ older", not self.at_start), ("↓ newer", not self.at_end))
            if shown
        )
        if more:
            text = cell(text, max(0, width - len(more) - 1)) + " " + more
        return self._strip([Segment(text, style)], width, style)

    def _row(self, entry: AuditEntry, width: int, selected: bool) -> Strip:
        base = self.rich_style
        if selected:
            base = base + (
                self.get_component_rich_style("audit--cursor")
                if self.has_focus
                else Style(reverse=True)
            )
        kind = base
        if not entry.allowed:
            kind = base + self.get_component_rich_style("audit--refused")
        elif entry.via == OUTSIDE_APP:
            kind = base + self.get_component_rich_style("audit--outside")
        columns = self._columns(width)
        values = [
            show_instant(entry.at, self.tz),
            entry.actor,
            entry.action,
            entry.mark,
            *([entry.ref or "—"] if self.show_ref else []),
            entry.detail,
        ]
        segments = []
        for i, ((name, w), value) in enumerate(zip(columns, values, strict=True)):
            if i:
                segments.append(Segment(" ", base))
            segments.append(Segment(cell(value, w), kind if name == "Kind" else base))
        return self._strip(segments, width, base)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def entry_text(entry: AuditEntry, tz: tzinfo) -> Text:
    """The selected entry in full: what, who, when, then each changed field on its own line."""
    text = Text(no_wrap=False)
    text.append(f"{show_instant(entry.at, tz)} · ", "dim")
    text.append(entry.actor, "bold")
    text.append(f" · {entry.action} · {entry.mark}")
    if entry.ref:
        text.append(f" · {entry.ref}", "dim")
    lines = [change.text for change in entry.changes] or [entry.detail or "—"]
    for line in lines:
        text.append("\n" + line)
    return text
