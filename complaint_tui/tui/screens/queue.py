"""QueueScreen: the start screen; most urgent first, one keyset page at a time."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from complaint_tui.domain.enums import Urgency
from complaint_tui.domain.labels import show_instant
from complaint_tui.services.errors import Refused
from complaint_tui.services.queue import VIEW_ORDER, QueueCounts, QueueFilter, QueueQuery, QueueView
from complaint_tui.tui.commands import keys_for
from complaint_tui.tui.messages import CasesChanged, CaseTaken, QueueCountsLoaded
from complaint_tui.tui.widgets.badges import band_summary
from complaint_tui.tui.widgets.inputs import FormInput
from complaint_tui.tui.widgets.paged_table import PagedTable, PagedTableKeys, moving_bindings
from complaint_tui.tui.widgets.queue_table import QueueTable, default_badge, update_badge

SEARCH_PLACEHOLDER = "Search ref, customer, subject, description"
VIEW_NAMES = {view: view.title for view in VIEW_ORDER}
VIEW_SHORT_NAMES = {
    QueueView.MINE: "Mine",
    QueueView.UNASSIGNED: "Unassigned",
    QueueView.ALL_OPEN: "Open",
    QueueView.WAITING: "Waiting",
    QueueView.RESOLVED: "Resolved",
    QueueView.NEXT_UPDATE: "Updates",
}
# (names, tight: only the current view padded, compact: counts of 10,000 and more in thousands)
VIEW_LAYOUTS = (
    (VIEW_NAMES, False, False),
    (VIEW_SHORT_NAMES, False, False),
    (VIEW_SHORT_NAMES, True, False),
    (VIEW_SHORT_NAMES, True, True),
)


def count_text(n: int, compact: bool = False) -> str:
    """1,286; compact: 12k and 1.2M, for the narrowest terminals."""
    if not compact or n < 10_000:
        return f"{n:,}"
    if n < 1_000_000:
        return f"{n // 1000:,}k"
    return f"{n / 1_000_000:.1f}M"


class QueueScreen(PagedTableKeys, Screen):
    """Cases of one view, most urgent first; j/k/PgDn/G page through SQL, never load all."""

    SCREEN_NAME = "Queue"
    BINDINGS = [
        *moving_bindings("queue"),
        Binding("enter", "open", "Open", id="queue.open"),
        Binding("t", "take_next", "Take", id="queue.take"),
        Binding("[", "view(-1)", "Prev view", show=False, id="queue.prev_view"),
        Binding("]", "view(1)", "View", id="queue.next_view"),
        Binding("/", "search", "Search", id="queue.search"),
        Binding(
            "ctrl+t",
            "search_scope",
            "This view / everywhere",
            show=False,
            id="queue.search_scope",
            tooltip="Search this view or everywhere",
        ),
        Binding(
            "escape",
            "clear_search",
            "Clear",
            show=False,
            id="queue.clear_search",
            tooltip="Clear search, then filter",
        ),
        Binding("f", "filter", "Filter", id="queue.filter"),
        Binding("r", "refresh", "Refresh", show=False, id="queue.refresh"),
        Binding("n", "app.new_case", "New", id="queue.new_case"),
        Binding("q", "app.quit", "Quit", id="queue.quit"),
    ]

    def __init__(self, view: QueueView = QueueView.ALL_OPEN) -> None:
        super().__init__()
        self.query_state = QueueQuery(view=view)
        self.counts = None
        self.query_generation = 0  # changes with view, filter or search; counts belong to one
        self._counts_after_page: bool | None = None  # None: none pending; else "views too?"

    @property
    def backend(self):
        return self.app.backend

    def compose(self) -> ComposeResult:
        yield Static(id="queue-title")
        yield Static(id="queue-views")
        yield Static(id="queue-bands")
        with Horizontal(id="search-bar"):
            yield Static(id="search-scope")
            yield FormInput(placeholder=SEARCH_PLACEHOLDER, id="search")
        yield QueueTable(self.backend.ctx.sla, self.backend.now, id="queue-table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#search-bar").display = False
        self.query_one(QueueTable).focus()
        self.reload_all()

    # ---- loading -----------------------------------------------------------------------------
    def reload_all(self) -> None:
        """New view, filter or search: start over from the top."""
        self.query_generation += 1
        # Counts wait for the first page: on a busy machine they would slow the rows down.
        self._counts_after_page = False if self.counts is not None else True
        table = self.query_one(QueueTable)
        if self.query_state.lists_view is QueueView.NEXT_UPDATE:
            # The rows are there for their update clock: the badge shows it, and the counts
            # (QueueService.band_counts) count it.
            table.badge_title, table.badge_of = "Update", update_badge
        else:
            table.badge_title, table.badge_of = "Due", default_badge
        table.show_list(self.backend.queue, self.query_state)
        self._render_header()

    def fetch_counts(self, *, views: bool = True) -> None:
        """Band counts of the current query; the per-view counts only when data may have changed
        (they do not depend on the view, filter or search)."""
        previous = self.counts.views if self.counts is not None and not views else None
        self._fetch_counts(self.query_generation, self.query_state, previous)

    @work(thread=True, group="queue-counts", exclusive=True)
    def _fetch_counts(self, generation: int, query: QueueQuery, views: dict | None) -> None:
        service = self.backend.queue
        try:
            if views is None:
                counts = service.counts(query)
            else:
                bands, total = service.band_counts(query)
                counts = QueueCounts(views, bands, total)
        except Refused as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        self.post_message(QueueCountsLoaded(generation, counts))

    @on(PagedTable.PageShown)
    def _page_shown(self, _message: PagedTable.PageShown) -> None:
        self._render_header()
        if self._counts_after_page is not None:
            views, self._counts_after_page = self._counts_after_page, None
            self.fetch_counts(views=views)

    @on(QueueCountsLoaded)
    def _counts_loaded(self, message: QueueCountsLoaded) -> None:
        if message.generation != self.query_generation:
            return
        self.counts = message.counts
        self.query_one(QueueTable).set_total(message.counts.total)
        self._render_header()

    def refresh_in_place(self) -> None:
        """Re-read the rows on screen and the counts, keeping the agent's place."""
        if self.query_one(QueueTable).refresh_in_place():
            self._counts_after_page = True

    # ---- header ------------------------------------------------------------------------------
    def _render_header(self) -> None:
        q = self.query_state
        table = self.query_one(QueueTable)
        counts = self.counts
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(" Everywhere" if q.searching_everywhere else f" {q.view.title}", "bold")
        if q.search.strip():
            title.append("  search: ")
            title.append(q.search.strip())  # typed text: appended as plain Text, never markup
        if q.filter.active:
            title.append(f"  filter: {q.filter.describe()}")
        # Who is working and the business-calendar time the badges are measured against.
        actor = self.backend.actor
        now = show_instant(self.backend.now(), self.backend.ctx.calendar.tz)
        right = f"{actor.name} ({actor.role.value}) · {now} "
        gap = self.size.width - title.cell_len - len(right)
        if gap > 1:
            title.append(" " * gap)
            title.append(right, "dim")
        self._set("#queue-title", title)

        # Searching everywhere lists no view's cases: none is highlighted.
        self._set("#queue-views", self._views_line(q.lists_view, counts))

        if counts and q.lists_view is QueueView.NEXT_UPDATE:
            # Every row's update clock has passed: one count, said as what it means.
            bands = band_summary(
                counts.bands,
                table.get_component_rich_style,
                words={Urgency.BREACHED: "updates overdue"},
                always=(Urgency.BREACHED,),
            )
        elif counts:
            bands = band_summary(counts.bands, table.get_component_rich_style)
        else:
            bands = Text(" counting…", "dim")
        self._set("#queue-bands", bands)

    def _views_line(self, current: QueueView | None, counts: QueueCounts | None) -> Text:
        """Every view with its count; the first layout that fits the width, so the last count
        is not cut at 80 columns: full names, short names, unpadded, then counts in thousands."""
        for names, tight, compact in VIEW_LAYOUTS:
            views = Text(no_wrap=True, overflow="ellipsis")
            if tight and VIEW_ORDER[0] is not current:
                views.append(" ")  # the other lines start one column in
            for i, view in enumerate(VIEW_ORDER):
                if i:
                    views.append("│", "dim")
                n = f" {count_text(counts.views[view], compact)}" if counts else ""
                pad = "" if tight and view is not current else " "
                views.append(
                    f"{pad}{names[view]}{n}{pad}", "reverse bold" if view is current else ""
                )
            if views.cell_len <= self.size.width:
                break
        return views

    def _set(self, selector: str, text: Text) -> None:
        """Update a one-line header only when it changed, without a layout pass."""
        widget = self.query_one(selector, Static)
        if getattr(widget, "_shown", None) != text.plain + str(text.spans):
            widget._shown = text.plain + str(text.spans)
            widget.update(text, layout=False)

    def on_cases_changed(self, _message: CasesChanged) -> None:
        self.refresh_in_place()

    def tick(self) -> None:
        """Time passed: badges re-colour from the clock, no reload."""
        self.query_one(QueueTable).refresh()
        self._render_header()

    def on_resize(self) -> None:
        self._render_header()

    # ---- actions -----------------------------------------------------------------------------
    def action_view(self, step: int) -> None:
        index = VIEW_ORDER.index(self.query_state.view)
        self.show_view(VIEW_ORDER[(index + step) % len(VIEW_ORDER)])

    def show_view(self, view: QueueView) -> None:
        self.query_state = self.query_state.with_view(view)
        self.reload_all()

    def action_take_next(self) -> None:
        self._take_next()

    @work(thread=True, group="take-next", exclusive=True)
    def _take_next(self) -> None:
        try:
            detail = self.backend.desk.take_next()
        except Refused as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(CaseTaken(detail))

    @on(CaseTaken)
    def _taken(self, message: CaseTaken) -> None:
        if message.detail is None:
            self.notify("No unassigned open case is waiting for you.", severity="warning")
            return
        self.notify(f"You took {message.detail.ref}.")
        self.refresh_in_place()
        self.app.open_case(message.detail.ref)

    def action_search(self) -> None:
        bar = self.query_one("#search-bar")
        bar.display = True
        self._render_scope()
        search = self.query_one("#search", Input)
        # The key that clears it as bound now (a keymap in the settings may have moved it).
        clear = keys_for(self, "queue.clear_search")
        search.placeholder = SEARCH_PLACEHOLDER + (f" ({clear} clears)" if clear else "")
        search.value = self.query_state.search
        search.focus()

    def action_search_scope(self) -> None:
        """Search this view or every case one may see; a search already applied runs again."""
        self.query_state = replace(self.query_state, everywhere=not self.query_state.everywhere)
        if not self.query_one("#search-bar").display:
            self.action_search()
        self._render_scope()
        if self.query_state.search.strip():
            self.reload_all()

    def _render_scope(self) -> None:
        """Where the search looks, in words (not only a colour), and the key that switches it."""
        everywhere = self.query_state.everywhere
        key = keys_for(self, "queue.search_scope")
        text = Text(no_wrap=True)
        text.append(" Everywhere" if everywhere else " This view", "bold")
        if key:
            text.append(f" ({key}: {'this view' if everywhere else 'everywhere'}) ", "dim")
        self.query_one("#search-scope", Static).update(text)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.query_state = replace(self.query_state, search=event.value.strip())
        if not event.value.strip():
            self.query_one("#search-bar").display = False
        self.query_one(QueueTable).focus()
        self.reload_all()

    def action_clear_search(self) -> None:
        """Clear the search (and close its bar); with no search, clear the filter."""
        search = self.query_one("#search", Input)
        if search.has_focus or self.query_state.search:
            search.value = ""
            self.query_one("#search-bar").display = False
            self.query_one(QueueTable).focus()
            if self.query_state.search:
                self.query_state = replace(self.query_state, search="")
                self.reload_all()
        elif self.query_state.filter.active:
            self.apply_filter(QueueFilter())

    def action_filter(self) -> None:
        from complaint_tui.tui.screens.filter import FilterScreen

        self.app.push_screen(
            FilterScreen(self.query_state.filter, self.backend.ctx.settings.intake),
            self.apply_filter,
        )

    def apply_filter(self, new: QueueFilter | None) -> None:
        if new is None:
            return
        self.query_state = replace(self.query_state, filter=new)
        self.reload_all()
