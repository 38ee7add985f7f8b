"""Form widgets that honour the app's cursor_blink setting (off in snapshot tests), never send
typed or pasted control characters to the terminal, and show a checked box without colour."""

from __future__ import annotations

import re

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, Input, SelectionList, TextArea

# C0 (tab included), DEL, C1, and the bidi overrides/isolates.
# All are zero cells wide, so dropping them from a rendered line leaves the layout unchanged;
# the value itself keeps them (stored verbatim), only the screen never sees them.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert(strip: Strip) -> Strip:
    """A rendered line without terminal control characters ("\\x1b[31m" shows as "[31m")."""
    if not any(_INVISIBLE.search(seg.text) for seg in strip if not seg.control):
        return strip
    return Strip(
        [seg if seg.control else Segment(_INVISIBLE.sub("", seg.text), seg.style) for seg in strip],
        strip.cell_length,
    )


class FormInput(Input):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    def render_line(self, y: int) -> Strip:
        return inert(super().render_line(y))


class FormTextArea(TextArea):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)

    def render_line(self, y: int) -> Strip:
        return inert(super().render_line(y))


# Textual draws a checked and an unchecked box alike ("▐X▌") and tells them apart by colour
# only; with NO_COLOR, in 16 colours or for a colour-blind agent that is no difference at all.
# An unchecked box is drawn empty instead.
UNCHECKED = " "


class FormCheckbox(Checkbox):
    @property
    def _button(self) -> Content:
        if self.value:
            return super()._button
        self.BUTTON_INNER = UNCHECKED  # this instance only; the class keeps "X"
        try:
            return super()._button
        finally:
            del self.BUTTON_INNER


class FormSelectionList(SelectionList):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        index = self.scroll_offset.y + y
        if not 0 <= index < self.option_count:
            return strip
        if self.get_option_at_index(index).value in self.selected:
            return strip
        segments = list(strip)
        # The box is the first three segments: left edge, inner mark, right edge.
        if len(segments) < 3 or segments[1].text != Checkbox.BUTTON_INNER:
            return strip
        segments[1] = Segment(UNCHECKED, segments[1].style)
        return Strip(segments, strip.cell_length)
