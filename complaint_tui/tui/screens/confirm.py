"""ConfirmScreen: a yes/no question in a small modal; y/enter answer yes, n/esc answer no."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    """Ask one question; dismisses with True (yes) or False (no).

    Usage: ``self.app.push_screen(ConfirmScreen("Drop what you typed?"), callback)`` where the
    callback receives the answer. The question is shown as plain text, never as markup.
    """

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-form"):
            yield Static(Text(self.question), id="confirm-question")
            yield Static("y / enter: yes   ·   n / esc: no", classes="form-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
