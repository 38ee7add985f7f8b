"""GotoRefScreen: `:` and a ref typed in full; `enter` opens the case, `esc` cancels.

The ref is looked up first (CaseDesk.locate): an unknown ref, or a case not shown to this
person, gets one sentence under the input and changes nothing; the case screen opens only for a
case that will show.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from complaint_tui.domain.text import one_line
from complaint_tui.services.errors import Refused
from complaint_tui.tui.commands import keys_for
from complaint_tui.tui.messages import RefLocated, RefNotLocated
from complaint_tui.tui.widgets.inputs import FormInput

EXAMPLE = "C-2026-00042"
EMPTY = f"Type a case ref in full, e.g. {EXAMPLE}."


class GotoRefScreen(ModalScreen[str | None]):
    """Dismisses with the stored ref of the case to open, or None (cancelled)."""

    SCREEN_NAME = "Go to ref"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-box", classes="modal-form"):
            yield Static("Go to a case", classes="form-title")
            yield FormInput(placeholder=EXAMPLE, id="goto-ref", max_length=40)
            yield Static(id="goto-error", classes="field-error")
            yield Static(id="goto-hint", classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#goto-error", Static).display = False
        cancel = keys_for(self, "goto.cancel")
        self.query_one("#goto-hint", Static).update(
            Text(f"enter: open the case   ·   {cancel}: cancel")
        )
        self.query_one("#goto-ref", Input).focus()

    @on(Input.Submitted, "#goto-ref")
    def _submitted(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if not typed:
            self._show_error(EMPTY)
            return
        self._locate(typed)

    @work(thread=True, group="goto-ref", exclusive=True, exit_on_error=False)
    def _locate(self, typed: str) -> None:
        try:
            ref = self.app.backend.desk.locate(typed)
        except Refused as exc:
            self.post_message(RefNotLocated(typed, str(exc)))
            return
        self.post_message(RefLocated(ref))

    @on(RefLocated)
    def _located(self, message: RefLocated) -> None:
        self.dismiss(message.ref)

    @on(RefNotLocated)
    def _not_located(self, message: RefNotLocated) -> None:
        self._show_error(message.error)

    def _show_error(self, error: str) -> None:
        shown = self.query_one("#goto-error", Static)
        shown.update(Text(one_line(error)))  # it may quote what was typed: plain text
        shown.display = True

    @on(Input.Changed, "#goto-ref")
    def _typing(self) -> None:
        self.query_one("#goto-error", Static).display = False

    def action_cancel(self) -> None:
        self.dismiss(None)
