"""FilterScreen: narrow the queue by status, priority, service, channel, category and assignee."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Select, Static

from complaint_tui.domain.enums import Channel, Priority, Status
from complaint_tui.domain.labels import status_label
from complaint_tui.domain.settings import IntakeSettings
from complaint_tui.services.cases import UNASSIGNED
from complaint_tui.services.errors import Refused
from complaint_tui.services.queue import QueueFilter
from complaint_tui.tui.commands import key_hint
from complaint_tui.tui.messages import AgentsLoaded

NOBODY_LABEL = "nobody (unassigned)"


class FilterScreen(ModalScreen[QueueFilter | None]):
    SCREEN_NAME = "Filter"
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="filter.apply"),
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
        Binding("ctrl+x", "clear", "Clear all", id="filter.clear"),
    ]

    def __init__(self, current: QueueFilter, intake: IntakeSettings) -> None:
        super().__init__()
        self.current = current
        self.intake = intake

    def compose(self) -> ComposeResult:
        c = self.current
        with Vertical(id="filter-form", classes="modal-form"):
            yield Static("Filter the queue", classes="form-title")
            # (label, [(shown, value)], current value)
            fields = (
                (
                    "Status",
                    [(status_label(s), s.value) for s in Status],
                    c.status.value if c.status else None,
                ),
                ("Priority", [(p.value, p.value) for p in Priority], c.priority),
                ("Service", [(o, o) for o in self.intake.services], c.service),
                ("Channel", [(ch.value, ch.value) for ch in Channel], c.channel),
                ("Category", [(o, o) for o in self.intake.categories], c.category),
            )
            for label, options, value in fields:
                yield Label(label)
                yield Select(
                    options,
                    value=value or Select.NULL,
                    id=f"f-{label.lower()}",
                    prompt="any",
                )
            # The names come from the database (a worker); until then, the current choice.
            yield Label("Assignee")
            yield Select(
                self._assignee_options(()),
                value=c.assignee or Select.NULL,
                id="f-assignee",
                prompt="anyone",
            )
            yield Static(
                key_hint(
                    self,
                    ("filter.apply", "apply"),
                    ("filter.clear", "clear"),
                    ("filter.cancel", "cancel"),
                ),
                classes="form-hint",
            )

    def on_mount(self) -> None:
        self._load_assignees()

    def _assignee_options(self, names) -> list[tuple[str, str]]:
        names = list(names)
        current = self.current.assignee
        if current is not None and current != UNASSIGNED and current not in names:
            names.append(current)
        return [(NOBODY_LABEL, UNASSIGNED), *((n, n) for n in names)]

    @work(thread=True, group="filter-assignees", exclusive=True, exit_on_error=False)
    def _load_assignees(self) -> None:
        from complaint_tui.services.lookups import assignee_names

        try:
            names = assignee_names(self.app.backend.desk)
        except Refused as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(AgentsLoaded(tuple(names)))

    @on(AgentsLoaded)
    def _show_assignees(self, message: AgentsLoaded) -> None:
        select = self.query_one("#f-assignee", Select)
        value = select.value
        select.set_options(self._assignee_options(message.names))
        if value is not Select.NULL and value is not None:
            select.value = value

    def _value(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return None if value is Select.NULL or value is None else str(value)

    def action_apply(self) -> None:
        status = self._value("#f-status")
        self.dismiss(
            QueueFilter(
                status=Status(status) if status else None,
                priority=self._value("#f-priority"),
                service=self._value("#f-service"),
                channel=self._value("#f-channel"),
                category=self._value("#f-category"),
                assignee=self._value("#f-assignee"),
            )
        )

    def action_clear(self) -> None:
        self.dismiss(QueueFilter())

    def action_cancel(self) -> None:
        self.dismiss(None)
