"""AuditTrailScreen: who saw and who changed a case (`L` on the case screen; supervisors and
managers), the same entries in the same order and words as `complaint-tui audit REF`.

The trail is opened once (the service checks the reader and writes the read to the access log),
then paged through in keyset pages by worker threads; only a bounded window is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from complaint_tui.services.audit_trail import AuditKey, AuditPage, AuditTrail, TrailScope
from complaint_tui.services.errors import Refused
from complaint_tui.tui.widgets.audit_table import AuditTable, entry_text

FETCH = 100  # entries per keyset page


@dataclass
class AuditPageLoaded(Message):
    generation: int
    mode: str  # "first" | "last" | "after" | "before"
    page: AuditPage


@dataclass
class AuditLoadFailed(Message):
    error: str


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


class AuditTrailScreen(Screen):
    """Oldest first, opened at the newest entries; j/k/PgDn/g/G page through SQL."""

    SCREEN_NAME = "Audit trail"
    PALETTE = ("audit.first", "audit.last")
    BINDINGS = [
        Binding("escape", "back", "Back", id="audit.back"),
        Binding("j,down", "move(1)", "Down", show=False, id="audit.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="audit.up"),
        Binding("pagedown,ctrl+f,space", "page(1)", "Page down", show=False, id="audit.page_down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="audit.page_up"),
        Binding("g,home", "first", "Oldest", id="audit.first", tooltip="Oldest entry"),
        Binding("G,end", "last", "Newest", id="audit.last", tooltip="Newest entry"),
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
        self.generation = 0
        self.loading: str | None = None

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
            self.trail.ctx.calendar.tz, show_ref=self.scope.ref is None, id="audit-table"
        )
        yield Static(id="audit-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(AuditTable).focus()
        self.fetch("last")

    # ---- loading -----------------------------------------------------------------------------
    def fetch(self, mode: str, key: AuditKey | None = None) -> None:
        self.loading = mode
        self._fetch(self.generation, mode, key)

    @work(thread=True, group="audit-pages", exit_on_error=False)
    def _fetch(self, generation: int, mode: str, key: AuditKey | None) -> None:
        trail, scope = self.trail, self.scope
        try:
            if mode == "first":
                page = trail.first(scope, FETCH)
            elif mode == "last":
                page = trail.last(scope, FETCH)
            elif mode == "after" and key is not None:
                page = trail.after(scope, key, FETCH)
            elif key is not None:
                page = trail.before(scope, key, FETCH)
            else:
                return
        except Refused as exc:
            self.post_message(AuditLoadFailed(str(exc)))
            return
        self.post_message(AuditPageLoaded(generation, mode, page))

    @on(AuditPageLoaded)
    def _page_loaded(self, message: AuditPageLoaded) -> None:
        if message.generation != self.generation:
            return  # a page for a position the person has jumped away from
        self.loading = None
        self.query_one(AuditTable).show_page(message.mode, message.page)
        self._show_current()
        self._maybe_fetch_more()

    @on(AuditLoadFailed)
    def _load_failed(self, message: AuditLoadFailed) -> None:
        self.loading = None
        self.notify(message.error, severity="error", timeout=8)

    def _maybe_fetch_more(self) -> None:
        if self.loading:
            return
        wanted = self.query_one(AuditTable).page_wanted()
        if wanted is not None:
            mode, entry = wanted
            self.fetch(mode, entry.key)

    def _show_current(self) -> None:
        entry = self.query_one(AuditTable).current()
        detail = entry_text(entry, self.trail.ctx.calendar.tz) if entry else Text("")
        self.query_one("#audit-detail", Static).update(detail)

    # ---- actions -----------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def action_move(self, delta: int) -> None:
        self.query_one(AuditTable).move(delta)
        self._show_current()
        self._maybe_fetch_more()

    def action_page(self, direction: int) -> None:
        self.action_move(direction * self.query_one(AuditTable).page_height)

    def action_first(self) -> None:
        self._edge(end=False)

    def action_last(self) -> None:
        self._edge(end=True)

    def _edge(self, *, end: bool) -> None:
        if self.query_one(AuditTable).go_to_edge(end):
            self._show_current()
            return
        self.generation += 1  # pages on their way are for the position being left
        self.fetch("last" if end else "first")
