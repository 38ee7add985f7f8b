"""EscalationScreen (key 2): the reviews waiting for a decision and the decisions taken.

Supervisors and managers switch between "Mine to decide" (their level), "All pending" and
"Decided"; an agent reads who reviews escalations and sees their own escalated cases. Each row's
badge is the review clock, and so is the summary line above it. Enter opens the case, whose
escalation panel holds the request, the decisions and the decision key.
"""

from __future__ import annotations

from functools import cached_property

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from complaint_tui.domain.enums import Urgency
from complaint_tui.domain.labels import show_instant
from complaint_tui.services.errors import Refused
from complaint_tui.services.escalations import (
    WHO_REVIEWS,
    EscalationCounts,
    EscalationService,
    EscalationView,
    views_for,
)
from complaint_tui.tui.commands import keys_elsewhere
from complaint_tui.tui.messages import CasesChanged, EscalationCountsLoaded
from complaint_tui.tui.screens.case_detail import CaseDetailScreen
from complaint_tui.tui.widgets.badges import band_summary
from complaint_tui.tui.widgets.paged_table import PagedTable, PagedTableKeys, moving_bindings
from complaint_tui.tui.widgets.queue_table import (
    DECISION_COLUMNS,
    ESCALATION_COLUMNS,
    QueueTable,
)

EMPTY = {
    EscalationView.MINE: "Nothing awaits your decision.",
    EscalationView.PENDING: "No escalation awaits a decision.",
    EscalationView.DECIDED: "No escalation was decided in the last 90 days.",
    EscalationView.MY_CASES: "None of your cases is escalated.",
}


class EscalationScreen(PagedTableKeys, Screen):
    """Escalations by review deadline, one keyset page at a time."""

    SCREEN_NAME = "Escalations"
    PALETTE = ("escalations.open", "escalations.next_view", "escalations.refresh")
    BINDINGS = [
        Binding("escape", "back", "Back", id="escalations.back"),
        *moving_bindings("escalations"),
        Binding("enter", "open", "Open", id="escalations.open"),
        Binding("[", "view(-1)", "Prev view", show=False, id="escalations.prev_view"),
        Binding("]", "view(1)", "View", id="escalations.next_view"),
        Binding("r", "refresh", "Refresh", show=False, id="escalations.refresh"),
        Binding("1", "app.queue", "Queue", id="escalations.queue"),
    ]

    def __init__(self, view: EscalationView | None = None) -> None:
        super().__init__()
        self.views: tuple[EscalationView, ...] = ()
        self.view: EscalationView = EscalationView.MINE
        self._first_view = view
        self.counts: EscalationCounts | None = None
        self.counts_generation = 0  # the view the counts belong to

    @property
    def backend(self):
        return self.app.backend

    @property
    def service(self) -> EscalationService:
        return self.backend.escalations

    def compose(self) -> ComposeResult:
        yield Static(id="esc-title")
        yield Static(id="esc-views")
        yield Static(id="esc-bands")
        yield QueueTable(
            self.backend.ctx.sla,
            self.backend.now,
            columns=ESCALATION_COLUMNS,
            badge_title="Review due",
            id="esc-table",
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.views = views_for(self.backend.actor)
        self.view = self._first_view if self._first_view in self.views else self.views[0]
        self.query_one(QueueTable).focus()
        self.show_view(self.view)

    def on_screen_resume(self) -> None:
        # Back from a case: a decision there may have moved rows between the views.
        if self.counts is not None:
            self.refresh_in_place()

    # ---- loading -----------------------------------------------------------------------------
    def show_view(self, view: EscalationView) -> None:
        self.view = view
        self.counts_generation += 1
        table = self.query_one(QueueTable)
        decided = view is EscalationView.DECIDED
        table.columns = DECISION_COLUMNS if decided else ESCALATION_COLUMNS
        table.badge_title = "Review" if decided else "Review due"
        table.empty_text = EMPTY[view]
        self.counts = None
        table.refresh_rows()
        table.show_list(self.service, view)
        self.render_header()

    @on(PagedTable.PageShown)
    def _page_shown(self, _message: PagedTable.PageShown) -> None:
        if self.counts is None:  # the view's first page: its counts follow, not before it
            self.fetch_counts()

    def refresh_in_place(self) -> None:
        self.query_one(QueueTable).refresh_in_place()
        self.fetch_counts()

    def fetch_counts(self) -> None:
        self._fetch_counts(self.counts_generation, self.view)

    @work(thread=True, group="escalation-counts", exclusive=True)
    def _fetch_counts(self, generation: int, view: EscalationView) -> None:
        try:
            counts = self.service.counts(view)
        except Refused as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        self.post_message(EscalationCountsLoaded(generation, counts))

    @on(EscalationCountsLoaded)
    def _counts_loaded(self, message: EscalationCountsLoaded) -> None:
        if message.generation != self.counts_generation:
            return
        self.counts = message.counts
        self.query_one(QueueTable).set_total(message.counts.total)
        self.render_header()

    def on_cases_changed(self, _message: CasesChanged) -> None:
        self.refresh_in_place()

    def tick(self) -> None:
        """Time passed: badges re-colour from the clock; the counts follow them."""
        self.query_one(QueueTable).refresh()
        self.render_header()
        self.fetch_counts()

    def on_resize(self) -> None:
        self.render_header()

    # ---- header ------------------------------------------------------------------------------
    def render_header(self) -> None:
        actor = self.backend.actor
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f" Escalations · {self.view.title}", "bold")
        now = show_instant(self.backend.now(), self.backend.ctx.calendar.tz)
        right = f"{actor.name} ({actor.role.value}) · {now} "
        gap = self.size.width - title.cell_len - len(right)
        if gap > 1:
            title.append(" " * gap)
            title.append(right, "dim")
        self.query_one("#esc-title", Static).update(title)
        self.query_one("#esc-views", Static).update(self._views_line())
        self.query_one("#esc-bands", Static).update(self._bands_line())

    def _views_line(self) -> Text:
        if len(self.views) < 2:
            return Text(f" {self._who_reviews}", no_wrap=True, overflow="ellipsis")
        line = Text(no_wrap=True, overflow="ellipsis")
        for i, view in enumerate(self.views):
            if i:
                line.append("│", "dim")
            n = f" {self.counts.views[view]:,}" if self.counts else ""
            line.append(f" {view.title}{n} ", "reverse bold" if view is self.view else "")
        return line

    @cached_property
    def _who_reviews(self) -> str:
        """Who reviews escalations, and the case screen's key that records one (as bound; the
        keymap is the settings', fixed while the program runs)."""
        keymap = self.backend.ctx.settings.ui.keys
        key = keys_elsewhere(self.app, CaseDetailScreen, "case.escalate", keymap)
        if not key:
            return WHO_REVIEWS
        return f"{WHO_REVIEWS.removesuffix('.')}; record one with {key}."

    def _bands_line(self) -> Text:
        counts = self.counts
        if counts is None:
            return Text(" counting…", "dim")
        style_of = self.query_one(QueueTable).get_component_rich_style
        if self.view is EscalationView.DECIDED:
            line = band_summary(
                {Urgency.DONE: counts.total},
                style_of,
                {Urgency.DONE: "decided"},
                always=(Urgency.DONE,),
            )
            line.append(f" of which {counts.late:,} late (after the review deadline)", "dim")
            return line
        line = Text(" Review clock:", no_wrap=True, overflow="ellipsis")
        line.append_text(band_summary(counts.bands, style_of, {Urgency.DONE: "decided"}))
        return line

    # ---- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view" and len(self.views) < 2:
            return False  # an agent has one list
        return True

    def action_view(self, step: int) -> None:
        index = self.views.index(self.view)
        self.show_view(self.views[(index + step) % len(self.views)])

    def action_back(self) -> None:
        self.app.action_queue()
