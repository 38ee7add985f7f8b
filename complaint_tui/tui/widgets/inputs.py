"""Form widgets that honour the app's cursor_blink setting (off in snapshot tests) and never
send typed or pasted control characters to the terminal."""

from __future__ import annotations

import re

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Input, TextArea

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
