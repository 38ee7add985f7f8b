"""PagedScreen: a screen around one QueueTable filled by keyset pages from a service (the
queue's, the escalation screen's), one page in a worker at a time, never every row."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.screen import Screen

from complaint_tui.services.errors import Refused
from complaint_tui.services.queue import Key
from complaint_tui.tui.messages import QueueLoadFailed, QueuePageLoaded
from complaint_tui.tui.widgets.queue_table import QueueTable

FETCH = 120  # rows per keyset page


class PagedScreen(Screen):
    """Subclasses say where pages come from (``page_source``, ``page_query``, ``page_view``) and
    what to do once one has arrived (``page_loaded``)."""

    def __init__(self) -> None:
        super().__init__()
        self.generation = 0  # a new view, filter or search starts a new one
        self.loading: str | None = None

    @property
    def backend(self):
        return self.app.backend

    # ---- what a subclass provides -------------------------------------------------------------
    @property
    def page_source(self) -> Any:
        """first/last/after/before(query, [key,] limit), key_of and key_just_before(view, row)."""
        raise NotImplementedError

    @property
    def page_query(self) -> Any:
        """What the pages are asked for (a QueueQuery, an EscalationView)."""
        raise NotImplementedError

    @property
    def page_view(self) -> Any:
        """What orders the rows (the key_of argument)."""
        raise NotImplementedError

    def page_loaded(self) -> None:
        """A page arrived and is in the table."""

    # ---- loading -----------------------------------------------------------------------------
    def fetch(self, mode: str, key: Key | None = None) -> None:
        self.loading = mode
        self._fetch(self.generation, self.page_query, mode, key)

    @work(thread=True, group="queue-pages")
    def _fetch(self, generation: int, query: Any, mode: str, key: Key | None) -> None:
        source = self.page_source
        try:
            if mode == "first":
                page = source.first(query, FETCH)
            elif mode == "last":
                page = source.last(query, FETCH)
            elif mode == "after":
                page = source.after(query, key, FETCH)
            elif mode == "before":
                page = source.before(query, key, FETCH)
            else:  # reload: from the first visible row onward
                page = (
                    source.after(query, key, FETCH * 2)
                    if key is not None
                    else source.first(query, FETCH * 2)
                )
        except Refused as exc:
            self.post_message(QueueLoadFailed(generation, str(exc)))
            return
        self.post_message(QueuePageLoaded(generation, mode, page))

    @on(QueuePageLoaded)
    def _page_loaded(self, message: QueuePageLoaded) -> None:
        if message.generation != self.generation:
            return  # a result for a view the agent has already left
        self.loading = None
        table = self.query_one(QueueTable)
        if message.mode == "first":
            table.replace(message.page)
        elif message.mode == "last":
            table.replace(message.page, at_end_cursor=True)
        elif message.mode == "after":
            table.append(message.page)
        elif message.mode == "before":
            table.prepend(message.page)
        else:
            table.reload(message.page)
        self.page_loaded()
        self._maybe_fetch_more()

    @on(QueueLoadFailed)
    def _load_failed(self, message: QueueLoadFailed) -> None:
        self.loading = None
        if message.generation in (self.generation, -1):
            self.notify(message.error, severity="error", timeout=8)

    def _maybe_fetch_more(self) -> None:
        if self.loading:
            return
        table = self.query_one(QueueTable)
        need = table.needs()
        if need == "after" and table.rows:
            self.fetch("after", self.page_source.key_of(self.page_view, table.rows[-1]))
        elif need == "before" and table.rows:
            self.fetch("before", self.page_source.key_of(self.page_view, table.rows[0]))

    def refresh_in_place(self) -> None:
        """Re-read the rows on screen, keeping the agent's place."""
        table = self.query_one(QueueTable)
        if self.loading:
            return
        key = None
        if table.rows and not table.at_start:
            key = self.page_source.key_just_before(self.page_view, table.rows[0])
        self.fetch("reload", key)

    def action_refresh(self) -> None:
        self.refresh_in_place()

    def action_open(self) -> None:
        row = self.query_one(QueueTable).current()
        if row is not None:
            self.app.open_case(row.ref)

    # ---- moving ------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        table = self.query_one(QueueTable)
        table.move(delta)
        self._maybe_fetch_more()

    def action_page(self, direction: int) -> None:
        table = self.query_one(QueueTable)
        self.action_move(direction * table.page_height)

    def action_first(self) -> None:
        table = self.query_one(QueueTable)
        if table.at_start and table.rows:
            table.move(-len(table.rows))
            return
        self.generation += 1
        self.fetch("first")

    def action_last(self) -> None:
        table = self.query_one(QueueTable)
        if table.at_end and table.rows:
            table.move(len(table.rows))
            return
        self.generation += 1
        self.fetch("last")
