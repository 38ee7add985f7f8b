"""ConfirmScreen: the one yes/no question of the app (dropping a typed complaint or form text,
quitting over one). Only `y` answers yes; `enter` answers no, like `n` and `esc`, so a reflex
`enter` never loses work."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from complaint_tui.tui.commands import keys_for


class ConfirmScreen(ModalScreen[bool]):
    """Ask one question; dismisses with True (yes) or False (no, the safe answer).

    Usage: ``self.app.push_screen(ConfirmScreen("Drop what you typed?"), callback)`` where the
    callback receives the answer. The question is shown as plain text, never as markup.
    """

    SCREEN_NAME = "Confirm"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape,enter", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, *, yes: str = "yes", no: str = "no") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-form"):
            yield Static(Text(self.question), id="confirm-question")
            yield Static(id="confirm-hint", classes="form-hint")

    def on_mount(self) -> None:
        # The keys as bound now: a keymap in the settings may have moved them.
        hint = (
            f"{keys_for(self, 'confirm.yes')}: {self.yes}   ·   "
            f"{keys_for(self, 'confirm.no')}: {self.no}"
        )
        self.query_one("#confirm-hint", Static).update(Text(hint))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
