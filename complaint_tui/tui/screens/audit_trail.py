"""AuditTrailScreen: who saw and who changed a case (`L` on the case screen; supervisors and
managers), the same entries in the same order and words as `complaint-tui audit REF`.

The trail is opened once (the service checks the reader and writes the read to the access log),
then paged through by its PagedTable (keyset pages in a worker; only a bounded window is kept).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from complaint_tui.services.audit_trail import AuditTrail, TrailScope
from complaint_tui.services.errors import Refused
from complaint_tui.tui.widgets.audit_table import AuditTable, entry_text
from complaint_tui.tui.widgets.paged_table import PagedTable, PagedTableKeys, moving_bindings

FETCH = 100  # entries per keyset page


def open_case_trail(screen: Screen, ref: str) -> None:
    """Open a case's trail in a worker and show it; a refusal (agents, admins) is one
    notification, and the service has logged it."""
    app = screen.app
    backend = app.backend

    def opening() -> None:
        trail = AuditTrail(backend.ctx, backend.actor)
        try:
            scope = trail.open_case(ref)
        except Refused as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", timeout=6)
            return
        app.call_from_thread(_show, screen, trail, scope)

    screen.run_worker(opening, thread=True, group="audit-open", exclusive=True, exit_on_error=False)


def _show(opener: Screen, trail: AuditTrail, scope: TrailScope) -> None:
    if opener.app.screen is opener:  # the person has not moved on meanwhile
        opener.app.push_screen(AuditTrailScreen(trail, scope))


class AuditTrailScreen(PagedTableKeys, Screen):
    """Oldest first, opened at the newest entries; j/k/PgDn/g/G page through SQL."""

    SCREEN_NAME = "Audit trail"
    PALETTE = ("audit.first", "audit.last")
    BINDINGS = [
        Binding("escape", "back", "Back", id="audit.back"),
        *moving_bindings(
            "audit",
            page_down="pagedown,ctrl+f,space",
            first=("Oldest", "Oldest entry"),
            last=("Newest", "Newest entry"),
        ),
    ]
    DEFAULT_CSS = """
    AuditTrailScreen #audit-title { height: 1; background: $panel; color: $foreground; }
    AuditTrailScreen #audit-detail {
        height: 6; border-top: solid $primary; padding: 0 1; overflow: hidden;
    }
    """

    def __init__(self, trail: AuditTrail, scope: TrailScope) -> None:
        super().__init__()
        self.trail = trail
        self.scope = scope

    @property
    def palette_subject(self) -> str:
        return self.scope.title

    def compose(self) -> ComposeResult:
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(" Audit trail ", "bold")
        title.append(self.scope.title)
        if self.scope.ref is not None:
            title.append(" · who saw and who changed it, oldest first", "dim")
        yield Static(title, id="audit-title")
        yield AuditTable(
            self.trail.ctx.calendar.tz,
            show_ref=self.scope.ref is None,
            fetch=FETCH,
            id="audit-table",
        )
        yield Static(id="audit-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(AuditTable)
        table.focus()
        table.show_list(self.trail, self.scope, from_end=True)

    @on(PagedTable.PageShown)
    def _page_shown(self, _message: PagedTable.PageShown) -> None:
        self._show_current()

    def cursor_moved(self) -> None:
        self._show_current()

    def _show_current(self) -> None:
        entry = self.query_one(AuditTable).current()
        detail = entry_text(entry, self.trail.ctx.calendar.tz) if entry else Text("")
        self.query_one("#audit-detail", Static).update(detail)

    # ---- actions -----------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()
