"""HelpScreen: every binding of the screen underneath, grouped by purpose, with its current keys."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from complaint_tui.tui.commands import keys_for, screen_name

GROUPS = (
    ("Move", ("down", "up", "page_down", "page_up", "first", "last", "scroll_down", "scroll_up")),
    (
        "Views and finding",
        (
            "next_view",
            "prev_view",
            "next_period",
            "prev_period",
            "search",
            "search_scope",
            "clear_search",
            "goto_ref",
            "filter",
            "refresh",
            "queue",
            "escalations",
            "reports",
            "export",
            "team",
            "audit",
        ),
    ),
    (
        # In the order of the workflow (SPEC §3): intake, acknowledgement, investigation, the
        # outcome, closing, then escalation; the help lists them in this order, not by name.
        "Case work",
        (
            "new_case",
            "take",
            "open",
            "acknowledge",
            "investigate",
            "note",
            "update",
            "wait",
            "resolve",
            "close",
            "reopen",
            "escalate",
            "decide",
            "refer",
            "assign",
            "priority",
            "extend",
            "recuse",
            "attachment",
            "save_attachment",
        ),
    ),
    ("Forms", ("save", "cancel", "apply", "clear", "add_event", "remove_event", "add_attachment")),
    ("Application", ("help", "command_palette", "back", "quit")),
)


def _group(binding_id: str | None) -> str:
    name = (binding_id or "").rsplit(".", 1)[-1]
    for title, names in GROUPS:
        if name in names:
            return title
    return "Other"


def _order(group: str, binding_id: str) -> tuple[int, int]:
    """Where a binding sits in the help: its group, then its place in that group's list."""
    titles = [title for title, _names in GROUPS]
    if group not in titles:
        return len(titles), 0
    names = GROUPS[titles.index(group)][1]
    name = binding_id.rsplit(".", 1)[-1]
    return titles.index(group), names.index(name) if name in names else len(names)


def _keys(app, binding: Binding) -> str:
    keys = [app.get_key_display(Binding(k.strip(), "")) for k in binding.key.split(",")]
    return " / ".join(keys)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help.back"),
        Binding("j,down", "scroll_down", "Down", show=False, id="help.scroll_down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="help.scroll_up"),
    ]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="modal-form"):
            yield Static(self._table())

    def _table(self) -> Table:
        # active_bindings reflects the keymap, so remapped keys show as the user set them.
        seen: dict[str, tuple[str, str, str]] = {}
        for active in self.target.active_bindings.values():
            b = active.binding
            if not b.description or b.action in ("help", "close"):
                continue
            ident = b.id or b.action
            if ident in seen:
                k, g, d = seen[ident]
                seen[ident] = (f"{k} / {self.app.get_key_display(b)}", g, d)
            else:
                seen[ident] = (
                    self.app.get_key_display(b),
                    _group(b.id),
                    b.tooltip or b.description,
                )
        palette = self.app.get_key_display(Binding(self.app.COMMAND_PALETTE_BINDING, ""))
        seen["app.command_palette"] = (palette, "Application", "Command palette")
        help_keys = keys_for(self.target, "app.help")
        if help_keys:
            seen["app.help"] = (help_keys, "Application", "This help")
        table = Table(
            title=Text(f"Keys: {screen_name(self.target)}"),
            expand=True,
            show_edge=False,
        )
        table.add_column("Group", style="bold", no_wrap=True)
        table.add_column("Keys", no_wrap=True)
        table.add_column("Action")
        # Python's sort is stable: within one place (e.g. "Other"), the screen's own order stays.
        for _ident, (keys, group, desc) in sorted(
            seen.items(), key=lambda kv: _order(kv[1][1], kv[0])
        ):
            table.add_row(group, Text(keys), Text(desc))
        return table

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up()
