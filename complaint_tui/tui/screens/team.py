"""TeamScreen (key 4): who holds what. One row per active person who handles cases: open cases,
breached, urgent, waiting on the customer, escalations pending and the oldest open case, as
`complaint-tui team` prints them (services/team.py). Enter opens the queue filtered to that
person. Agents read one line saying whom the view is for.
"""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from complaint_tui.domain.enums import Urgency
from complaint_tui.domain.labels import show_instant
from complaint_tui.domain.sla import GLYPHS
from complaint_tui.services.errors import Refused
from complaint_tui.services.permissions import TEAM_VIEW_IS_FOR, team_refusal
from complaint_tui.services.queue import QueueFilter, QueueQuery, QueueView
from complaint_tui.services.team import TeamRow
from complaint_tui.tui.commands import keys_for
from complaint_tui.tui.messages import CasesChanged, TeamLoaded
from complaint_tui.tui.widgets.badges import BAND_CLASSES, COMPONENT_CLASSES
from complaint_tui.tui.widgets.paged_table import moving_bindings

WIDE = 100  # from this width the role column is shown too


class TeamTable(DataTable, inherit_bindings=False):
    """The team's rows; breached and urgent counts in their band's style (and glyph). Its keys
    are the screen's (with ids, so they can be remapped, and named in the help)."""

    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | COMPONENT_CLASSES


class TeamScreen(Screen):
    SCREEN_NAME = "Team"
    PALETTE = ("team.open", "team.refresh")
    BINDINGS = [
        Binding("escape", "back", "Back", id="team.back"),
        *moving_bindings("team"),
        Binding(
            "enter", "open", "Their queue", tooltip="Open the queue of this person", id="team.open"
        ),
        Binding("r", "refresh", "Refresh", show=False, id="team.refresh"),
        Binding("1", "app.queue", "Queue", id="team.queue"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[TeamRow] | None = None
        self.generation = 0

    @property
    def backend(self):
        return self.app.backend

    @property
    def allowed(self) -> bool:
        return team_refusal(self.backend.actor) is None

    def compose(self) -> ComposeResult:
        yield Static(id="team-title")
        yield Static(id="team-summary")
        yield TeamTable(id="team-table", cursor_type="row", zebra_stripes=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(TeamTable)
        if not self.allowed:
            table.display = False
        else:
            table.focus()
            self.load()
        self.render_header()

    # ---- loading -----------------------------------------------------------------------------
    def load(self) -> None:
        if self.allowed:
            self.generation += 1
            self._load(self.generation)

    @work(thread=True, group="team", exclusive=True)
    def _load(self, generation: int) -> None:
        try:
            rows = self.backend.team.rows()
        except Refused as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        self.post_message(TeamLoaded(generation, tuple(rows)))

    @on(TeamLoaded)
    def _loaded(self, message: TeamLoaded) -> None:
        if message.generation != self.generation:
            return
        self.rows = list(message.rows)
        self.fill()
        self.render_header()

    def fill(self) -> None:
        """The rows into the table, keeping the cursor on the same person."""
        table = self.query_one(TeamTable)
        current = self.current_name()
        table.clear(columns=True)
        wide = self.size.width >= WIDE
        columns = ["Agent", *(["Role"] if wide else []), "Open", "Breached", "Urgent", "Waiting"]
        columns += ["Escal.", "Oldest open"]
        for name in columns:
            table.add_column(name, key=name)
        tz = self.backend.ctx.calendar.tz
        for row in self.rows or ():
            cells: list[Text | str] = [Text(row.name)]
            if wide:
                cells.append(row.role.value)
            cells += [
                Text(f"{row.open:,}"),
                self._band(row.breached, Urgency.BREACHED),
                self._band(row.urgent, Urgency.URGENT),
                Text(f"{row.waiting:,}"),
                Text(f"{row.escalations:,}"),
                _oldest(row, tz),
            ]
            table.add_row(*cells, key=row.name)
        names = [r.name for r in self.rows or ()]
        if current in names:
            table.move_cursor(row=names.index(current), animate=False)

    def _band(self, n: int, band: Urgency) -> Text:
        """A breached or urgent count with the band's glyph and style, so it reads without
        colour; zero plain."""
        if not n:
            return Text("0")
        style = self.query_one(TeamTable).get_component_rich_style(BAND_CLASSES[band], partial=True)
        return Text.assemble((f"{GLYPHS[band]} {n:,}", style))

    def current_name(self) -> str | None:
        table = self.query_one(TeamTable)
        if not self.rows or table.row_count == 0:
            return None
        index = table.cursor_row
        return self.rows[index].name if 0 <= index < len(self.rows) else None

    def on_cases_changed(self, _message: CasesChanged) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.rows is not None:
            self.load()

    def tick(self) -> None:
        """Time passed: a case may have turned urgent or breached."""
        self.render_header()
        self.load()

    def on_resize(self) -> None:
        self.render_header()
        if self.rows is not None:
            self.fill()

    # ---- header ------------------------------------------------------------------------------
    def render_header(self) -> None:
        actor = self.backend.actor
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(" Team", "bold")
        now = show_instant(self.backend.now(), self.backend.ctx.calendar.tz)
        right = f"{actor.name} ({actor.role.value}) · {now} "
        gap = self.size.width - title.cell_len - len(right)
        if gap > 1:
            title.append(" " * gap)
            title.append(right, "dim")
        self.query_one("#team-title", Static).update(title)
        self.query_one("#team-summary", Static).update(self._summary())

    def _summary(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        if not self.allowed:
            keys = keys_for(self, "team.queue")
            line.append(f" {TEAM_VIEW_IS_FOR}; your cases: the queue")
            line.append(f" ({keys})." if keys else ".")
            return line
        if self.rows is None:
            return Text(" counting…", "dim")
        people = len(self.rows)
        total = sum(r.open for r in self.rows)
        line.append(f" {people:,} {'person' if people == 1 else 'people'} · {total:,} open cases")
        keys = keys_for(self, "team.open")
        if keys:
            line.append(f" · {keys}: their queue", "dim")
        return line

    # ---- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "move", "page", "first", "last", "refresh") and not self.allowed:
            return False
        return True

    def action_move(self, step: int) -> None:
        table = self.query_one(TeamTable)
        if step > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_page(self, step: int) -> None:
        table = self.query_one(TeamTable)
        if step > 0:
            table.action_page_down()
        else:
            table.action_page_up()

    def action_first(self) -> None:
        self.query_one(TeamTable).move_cursor(row=0)

    def action_last(self) -> None:
        table = self.query_one(TeamTable)
        table.move_cursor(row=max(0, table.row_count - 1))

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.action_queue()

    def action_open(self) -> None:
        name = self.current_name()
        if name is not None:
            self.app.show_queue_of(name)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()


def _oldest(row: TeamRow, tz: tzinfo) -> Text:
    if row.oldest_open is None:
        return Text("—", "dim")
    return Text(show_instant(row.oldest_open, tz))


def queue_query_of(name: str) -> QueueQuery:
    """The queue as the team screen opens it for one person: their open cases."""
    return QueueQuery(QueueView.ALL_OPEN, QueueFilter(assignee=name))
