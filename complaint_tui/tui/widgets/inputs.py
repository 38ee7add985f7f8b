"""Form widgets that honour the app's cursor_blink setting (off in snapshot tests)."""

from __future__ import annotations

from textual.widgets import Input, TextArea


class FormInput(Input):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)


class FormTextArea(TextArea):
    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)
