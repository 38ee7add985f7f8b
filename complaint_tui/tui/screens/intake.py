"""IntakeScreen: a new complaint with every detail policy §1 asks for, validated next to each field.

Presentation only: the draft is checked live with domain.intake.validate_intake (the same check the
service runs) and saved by CaseDesk.create in a worker thread. Customer text is shown as plain
rich Text (never markup) with terminal control sequences stripped.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import (
    Checkbox,
    Footer,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.selection_list import Selection

from complaint_tui.domain.enums import Channel, Priority
from complaint_tui.domain.intake import (
    AttachmentInput,
    EventDate,
    FieldError,
    IntakeDraft,
    event_problem,
    validate_intake,
)
from complaint_tui.domain.labels import show_instant
from complaint_tui.domain.parsing import ParseError, parse_event, parse_instant
from complaint_tui.domain.text import one_line
from complaint_tui.services.errors import Refused, ValidationFailed
from complaint_tui.services.files import read_attachment
from complaint_tui.tui.commands import keys_for
from complaint_tui.tui.messages import CaseSaved, CaseSaveFailed
from complaint_tui.tui.screens.confirm import ConfirmScreen
from complaint_tui.tui.widgets.inputs import (
    FormCheckbox,
    FormInput,
    FormSelectionList,
    FormTextArea,
)

# Every field of the form, in screen order; each has a Static "#err-<field>" under it.
FIELDS = (
    "customer",
    "channel",
    "received_at",
    "services",
    "subject",
    "description",
    "events",
    "attachments",
    "desired_outcome",
    "priority",
    "category",
    "confidential",
)
# The widget that takes the focus when its field has an error.
FOCUS_OF = {
    "customer": "#in-customer",
    "channel": "#in-channel",
    "received_at": "#in-received",
    "services": "#in-services",
    "subject": "#in-subject",
    "description": "#in-description",
    "events": "#in-event",
    "attachments": "#in-attach",
    "desired_outcome": "#in-desired",
    "priority": "#in-priority",
    "category": "#in-category",
    "confidential": "#in-confidential",
}
# Widget id -> the field it belongs to (lists belong to their input's field).
FIELD_OF = {sel[1:]: name for name, sel in FOCUS_OF.items()} | {
    "in-events": "events",
    "in-attachments": "attachments",
}


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size:,} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size:,} B"  # pragma: no cover


def complete_path(value: str, limit: int = 2000) -> str | None:
    """The typed path completed from the filesystem: the one match, the longest part all matches
    share, or else the first match in name order. Directories end with "/"."""
    if not value or "\x00" in value:
        return None
    if value == "~":
        return "~/"
    head, sep, prefix = value.rpartition("/")
    directory = Path(head or "/").expanduser() if sep else Path(".")
    show_hidden = prefix.startswith(".")
    matches: list[str] = []
    try:
        with os.scandir(directory) as entries:
            for n, entry in enumerate(entries):
                if n >= limit:
                    break
                name = entry.name
                if not name.startswith(prefix) or (name.startswith(".") and not show_hidden):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                matches.append(name + "/" if is_dir else name)
    except OSError:
        return None
    if not matches:
        return None
    matches.sort()
    common = os.path.commonprefix(matches)
    pick = matches[0] if len(matches) == 1 or len(common) <= len(prefix) else common
    completed = f"{head}{sep}{pick}"
    return completed if completed != value else None


def _not_saved(n: int) -> str:
    return f"Not saved: {n} field{'s' if n != 1 else ''} need{'s' if n == 1 else ''} fixing."


class PathSuggester(Suggester):
    """Suggests the rest of a file path from the filesystem (accept it with →)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value)


# ---- messages from the workers (past tense) ---------------------------------------------------
@dataclass
class FileRead(Message):
    path: Path
    attachment: AttachmentInput


@dataclass
class FileRefused(Message):
    error: str


class IntakeScreen(Screen):
    """A new complaint: tab between fields, ctrl+s save, esc cancel (asks before dropping text)."""

    SCREEN_NAME = "New complaint"
    PALETTE = (
        "intake.save",
        "intake.cancel",
        "intake.add_event",
        "intake.remove_event",
        "intake.add_attachment",
        "intake.remove_attachment",
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="intake.save"),
        Binding("escape", "cancel", "Cancel", id="intake.cancel"),
        Binding("ctrl+t", "add_event", "Add event", id="intake.add_event"),
        Binding("ctrl+r", "remove_event", "Remove event", show=False, id="intake.remove_event"),
        Binding(
            "ctrl+o", "add_attachment", "Attach", id="intake.add_attachment", tooltip="Attach file"
        ),
        Binding(
            "ctrl+l",
            "remove_attachment",
            "Remove attachment",
            show=False,
            id="intake.remove_attachment",
        ),
        # The app's one-letter keys would drop the form from a Select or list: ask first.
        Binding("q", "leave('back')", "Back", show=False, id="intake.back"),
        Binding("1", "leave('queue')", "Queue", show=False, id="intake.queue"),
        Binding("2", "leave('escalations')", "Escalations", show=False, id="intake.escalations"),
        Binding("4", "leave('team')", "Team", show=False, id="intake.team"),
        Binding("n", "nothing", "New", show=False, id="intake.new_case"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.events_list: list[EventDate] = []
        self.attachments: list[tuple[Path, AttachmentInput]] = []
        self.touched: set[str] = set()
        self.input_errors: dict[str, str] = {}  # unparsable event / time, unreadable file
        self.server_errors: dict[str, str] = {}  # from the service's ValidationFailed
        self.saving = False
        self.closing = False
        self._rendered: dict[str, str | None] = {}  # the message each error line shows
        self._status: tuple[str, bool] = ("", True)

    @property
    def backend(self):
        return self.app.backend

    # ---- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        ctx = self.backend.ctx
        intake = ctx.settings.intake
        tz_name = str(ctx.calendar.tz)
        yield Static(Text(" New complaint", "bold"), id="intake-title")
        with VerticalScroll(id="intake-form"):
            with self._row("Customer"):
                yield FormInput(placeholder="account username or customer ID", id="in-customer")
            yield self._error("customer")
            with self._row("Channel"):
                yield Select(
                    [(Text(c.value), c.value) for c in Channel],
                    prompt="how it came in",
                    id="in-channel",
                )
            yield self._error("channel")
            with self._row("Received"):
                yield FormInput(
                    placeholder=f"now, or YYYY-MM-DD HH:MM ({tz_name})", id="in-received"
                )
            yield self._error("received_at")
            with self._row("Services"):
                with Vertical(classes="intake-stack"):
                    yield FormSelectionList(
                        *[Selection(Text(s), s) for s in intake.services], id="in-services"
                    )
                    yield Static("space toggles the highlighted service", classes="form-hint")
            yield self._error("services")
            with self._row("Subject"):
                yield FormInput(placeholder="one line", id="in-subject")
            yield self._error("subject")
            with self._row("Description"):
                yield FormTextArea(
                    placeholder="the issue and what happened", soft_wrap=True, id="in-description"
                )
            yield self._error("description")
            with self._row("Events"):
                with Vertical(classes="intake-stack"):
                    yield FormInput(placeholder="YYYY-MM-DD HH:MM what happened", id="in-event")
                    yield Static(
                        f"enter/{keys_for(self, 'intake.add_event')} add · "
                        f"{keys_for(self, 'intake.remove_event')} removes the highlighted one",
                        id="events-hint",
                        classes="form-hint",
                    )
                    yield OptionList(markup=False, id="in-events", classes="intake-list")
            yield self._error("events")
            with self._row("Attachments"):
                with Vertical(classes="intake-stack"):
                    yield FormInput(
                        placeholder="path of a file (→ completes)",
                        suggester=PathSuggester(),
                        id="in-attach",
                    )
                    yield Static(
                        f"enter/{keys_for(self, 'intake.add_attachment')} attach · "
                        f"{keys_for(self, 'intake.remove_attachment')} removes · max "
                        f"{human_size(intake.max_attachment_bytes)}",
                        classes="form-hint",
                    )
                    yield OptionList(markup=False, id="in-attachments", classes="intake-list")
            yield self._error("attachments")
            with self._row("Outcome"):
                yield FormTextArea(
                    placeholder="the customer's desired outcome", soft_wrap=True, id="in-desired"
                )
            yield self._error("desired_outcome")
            with self._row("Priority"):
                yield Select(
                    [(Text(p.value), p.value) for p in Priority],
                    value=Priority.NORMAL.value,
                    allow_blank=False,
                    id="in-priority",
                )
            yield self._error("priority")
            with self._row("Category"):
                yield Select(
                    [(Text(c), c) for c in intake.categories], prompt="none", id="in-category"
                )
            yield self._error("category")
            with self._row(""):
                yield FormCheckbox("Confidential (need-to-know only)", id="in-confidential")
            yield self._error("confidential")
        yield Static(id="intake-status", classes="form-error")
        yield Footer()

    @staticmethod
    def _row(label: str) -> Horizontal:
        row = Horizontal(classes="intake-row")
        row.compose_add_child(Label(label, classes="intake-label"))
        return row

    @staticmethod
    def _error(field: str) -> Static:
        return Static("", id=f"err-{field}", classes="field-error")

    def on_mount(self) -> None:
        for name in FIELDS:
            self.query_one(f"#err-{name}").display = False
            self._rendered[name] = None
        self.query_one("#intake-status").display = False
        self._render_events()
        self._render_attachments()
        self.query_one("#in-customer").focus()

    # ---- reading the form --------------------------------------------------------------------
    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def _select(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return None if value is Select.NULL or value is None else str(value)

    def _draft(self) -> tuple[IntakeDraft, list[FieldError]]:
        """The draft as typed, plus the errors of what could not even be parsed."""
        problems: list[FieldError] = []
        received = None
        raw = self._value("#in-received").strip()
        if raw:
            try:
                received = parse_instant(raw, self.backend.ctx.calendar.tz)
            except ParseError as exc:
                problems.append(
                    FieldError("received_at", f"received at: {exc}; leave it empty for now.")
                )
        draft = IntakeDraft(
            customer=self._value("#in-customer"),
            services=list(self.query_one("#in-services", SelectionList).selected),
            channel=self._select("#in-channel") or "",
            subject=self._value("#in-subject"),
            description=self.query_one("#in-description", TextArea).text,
            desired_outcome=self.query_one("#in-desired", TextArea).text,
            priority=self._select("#in-priority") or Priority.NORMAL.value,
            category=self._select("#in-category"),
            confidential=self.query_one("#in-confidential", Checkbox).value,
            received_at=received,
            events=list(self.events_list),
            attachments=[att for _path, att in self.attachments],
        )
        return draft, problems

    def _live_problems(self) -> dict[str, str]:
        """The first message per field of the draft as it stands."""
        draft, problems = self._draft()
        problems += validate_intake(draft, self.backend.ctx.settings.intake, self.backend.now())
        live: dict[str, str] = {}
        for problem in problems:
            live.setdefault(problem.field, problem.message)
        return live

    def _problems(self, names: tuple[str, ...] = FIELDS) -> dict[str, str]:
        """The first message per field (of ``names``) that should show now. A field the agent
        has not left yet shows no live message, so typing into one is not validated at all."""
        live: dict[str, str] | None = None
        shown: dict[str, str] = {}
        for name in names:
            message = self.input_errors.get(name) or self.server_errors.get(name)
            if message is None and name in self.touched:
                if live is None:
                    live = self._live_problems()
                message = live.get(name)
            if message:
                shown[name] = message
        return shown

    def refresh_errors(self, only: str | None = None) -> dict[str, str]:
        """Show each field's message; ``only``: just that field's (each check reads one field,
        so an edit can change no other field's message)."""
        if self.closing:
            return {}
        names = FIELDS if only is None else (only,)
        shown = self._problems(names)
        for name in names:
            message = shown.get(name)
            if self._rendered.get(name) == message:
                continue  # unchanged: no re-layout on every key press
            self._rendered[name] = message
            static = self.query_one(f"#err-{name}", Static)
            static.update(Text(one_line(message)) if message else "")
            static.display = bool(message)
        return shown

    @property
    def dirty(self) -> bool:
        """Has the agent typed or chosen anything that cancelling would drop?"""
        texts = ("#in-customer", "#in-received", "#in-subject", "#in-event", "#in-attach")
        return bool(
            any(self._value(s).strip() for s in texts)
            or self.query_one("#in-description", TextArea).text.strip()
            or self.query_one("#in-desired", TextArea).text.strip()
            or self.query_one("#in-services", SelectionList).selected
            or self._select("#in-channel")
            or self._select("#in-category")
            or self._select("#in-priority") != Priority.NORMAL.value
            or self.query_one("#in-confidential", Checkbox).value
            or self.events_list
            or self.attachments
        )

    # ---- live validation ---------------------------------------------------------------------
    @staticmethod
    def _field_of(widget: Widget | None) -> str | None:
        node = widget
        while node is not None:
            name = FIELD_OF.get(node.id or "")
            if name is not None:
                return name
            node = node.parent if isinstance(node.parent, Widget) else None
        return None

    def _changed(self, name: str | None, *, touch: bool = False) -> None:
        if name is None or self.closing:
            return
        self.server_errors.pop(name, None)
        if touch:
            self.touched.add(name)
        self._set_status("")
        self.refresh_errors(only=name)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = self._field_of(event.input)
        if name is not None:
            self.input_errors.pop(name, None)  # a refused event or file: the agent is correcting it
        self._changed(name)

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        self._changed(self._field_of(event.text_area))

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        self._changed(self._field_of(event.select), touch=True)

    @on(SelectionList.SelectedChanged)
    def _services_changed(self, event: SelectionList.SelectedChanged) -> None:
        self._changed("services", touch=True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        name = self._field_of(event.widget)
        if name is not None:
            self.call_after_refresh(self._left, name)

    def _left(self, name: str) -> None:
        """Validate a field once the focus has moved to another field of this screen."""
        if self.closing or self.app.screen is not self:
            return
        if self._field_of(self.focused) == name:
            return  # e.g. a Select opening its menu
        if name not in self.touched:
            self.touched.add(name)
            self.refresh_errors()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "in-event":
            self.action_add_event()
        elif event.input.id == "in-attach":
            self.action_add_attachment()
        else:
            self.focus_next()

    # ---- events list -------------------------------------------------------------------------
    def _take_event(self) -> bool:
        """Add the typed event to the list; False (and an error next to it) if it is not valid."""
        field = self.query_one("#in-event", Input)
        raw = field.value.strip()
        if not raw:
            return True
        try:
            event = parse_event(raw, self.backend.ctx.calendar.tz)
        except ParseError as exc:
            return self._event_error(f"events: {exc}.")
        problem = event_problem(event, self.backend.now())
        if problem is not None:
            return self._event_error(problem)
        self.events_list.append(event)
        self.events_list.sort(key=lambda e: e.at)
        field.value = ""
        self.input_errors.pop("events", None)
        self.server_errors.pop("events", None)
        self._render_events(highlight=self.events_list.index(event))
        self.refresh_errors()
        return True

    def _event_error(self, message: str) -> bool:
        self.input_errors["events"] = message
        self.refresh_errors()
        return False

    def _render_events(self, highlight: int | None = None) -> None:
        listing = self.query_one("#in-events", OptionList)
        listing.clear_options()
        for event in self.events_list:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f"{show_instant(event.at, self.backend.ctx.calendar.tz)}  ", "bold")
            line.append(one_line(event.note))
            listing.add_option(line)
        listing.display = bool(self.events_list)
        if self.events_list:
            listing.highlighted = min(
                highlight if highlight is not None else 0, len(self.events_list) - 1
            )

    def action_add_event(self) -> None:
        if not self.query_one("#in-event", Input).value.strip():
            self.query_one("#in-event").focus()
            return
        self._take_event()

    def action_remove_event(self) -> None:
        listing = self.query_one("#in-events", OptionList)
        index = listing.highlighted
        if index is None or not 0 <= index < len(self.events_list):
            self.notify("No event to remove.", severity="warning")
            return
        self.events_list.pop(index)
        self._render_events(highlight=index)
        if not self.events_list and listing.has_focus:
            self.query_one("#in-event").focus()
        self._changed("events")

    # ---- attachments -------------------------------------------------------------------------
    def action_add_attachment(self) -> None:
        field = self.query_one("#in-attach", Input)
        raw = field.value.strip()
        if not raw:
            field.focus()
            return
        self._read_file(
            Path(raw).expanduser(), self.backend.ctx.settings.intake.max_attachment_bytes
        )

    @work(thread=True, group="intake-attach")
    def _read_file(self, path: Path, limit: int) -> None:
        try:
            attachment = read_attachment(path, limit)
        except Refused as exc:
            self.post_message(FileRefused(str(exc)))
            return
        self.post_message(FileRead(path, attachment))

    @on(FileRefused)
    def _attachment_refused(self, message: FileRefused) -> None:
        self.input_errors["attachments"] = message.error
        self.refresh_errors()

    @on(FileRead)
    def _attachment_read(self, message: FileRead) -> None:
        resolved = message.path.resolve()
        if any(path == resolved for path, _att in self.attachments):
            self.input_errors["attachments"] = (
                f"attachments: {message.attachment.name!r} is already attached."
            )
            self.refresh_errors()
            return
        self.attachments.append((resolved, message.attachment))
        self.query_one("#in-attach", Input).value = ""
        self.input_errors.pop("attachments", None)
        self._render_attachments(highlight=len(self.attachments) - 1)
        self._changed("attachments")

    def _render_attachments(self, highlight: int | None = None) -> None:
        listing = self.query_one("#in-attachments", OptionList)
        listing.clear_options()
        for _path, att in self.attachments:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(one_line(att.name), "bold")
            line.append("  ")
            line.append(f"{human_size(len(att.data))}  {att.content_type}", "dim")
            listing.add_option(line)
        listing.display = bool(self.attachments)
        if self.attachments:
            listing.highlighted = min(
                highlight if highlight is not None else 0, len(self.attachments) - 1
            )

    def action_remove_attachment(self) -> None:
        listing = self.query_one("#in-attachments", OptionList)
        index = listing.highlighted
        if index is None or not 0 <= index < len(self.attachments):
            self.notify("No attachment to remove.", severity="warning")
            return
        self.attachments.pop(index)
        self._render_attachments(highlight=index)
        if not self.attachments and listing.has_focus:
            self.query_one("#in-attach").focus()
        self._changed("attachments")

    # ---- save --------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.saving:
            return
        if not self._take_event():
            self._refuse_locally()
            return
        path = self._value("#in-attach").strip()
        if path:
            self.input_errors["attachments"] = (
                f"attachments: press enter to attach {path!r}, or clear the path."
            )
        self.touched.update(FIELDS)
        draft, _problems = self._draft()
        if self.refresh_errors():
            self._refuse_locally()
            return
        self.saving = True
        self._set_status("Saving…", error=False)
        self._save(draft)

    def _refuse_locally(self) -> None:
        shown = self.refresh_errors()
        self._set_status(_not_saved(len(shown)))
        self._focus_first_error(shown)

    def _focus_first_error(self, shown: dict[str, str]) -> None:
        for name in FIELDS:
            if name in shown:
                widget = self.query_one(FOCUS_OF[name])
                widget.focus()
                self.query_one(f"#err-{name}").scroll_visible()
                return

    @work(thread=True, exclusive=True, group="intake-save", exit_on_error=False)
    def _save(self, draft: IntakeDraft) -> None:
        try:
            detail = self.backend.desk.create(draft)
        except ValidationFailed as exc:
            errors = tuple((e.field, e.message) for e in exc.errors)
            self.post_message(CaseSaveFailed(str(exc), errors=errors))
            return
        except Refused as exc:
            self.post_message(CaseSaveFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - a database failure the service did not name
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.post_message(CaseSaveFailed(f"The complaint could not be saved: {first}."))
            return
        self.post_message(CaseSaved(detail, "created"))

    @on(CaseSaveFailed)
    def _failed(self, message: CaseSaveFailed) -> None:
        """Nothing was saved; everything typed stays. Field errors go next to their fields."""
        self.saving = False
        if not message.errors:
            self._set_status(message.error)
            self.notify(message.error, severity="error", timeout=8)
            return
        unplaced = []
        for name, text in message.errors:
            if name in FIELDS:
                self.server_errors.setdefault(name, text)
            else:
                unplaced.append(text)
        shown = self.refresh_errors()
        self._set_status(" ".join([_not_saved(len(shown)), *unplaced]))
        self._focus_first_error(shown)

    @on(CaseSaved)
    def _saved(self, message: CaseSaved) -> None:
        summary = message.detail.summary
        actor = self.backend.actor
        self.closing = True
        self.saving = False
        queue = self.app.queue_screen()
        if queue is not None:
            queue.refresh_in_place()
        self.app.pop_screen()
        if summary.confidential and not actor.sees_all_cases and summary.assignee != actor.name:
            # need-to-know: a confidential case is not shown to an agent it is not assigned to
            self.notify(
                f"Complaint {summary.ref} recorded. It is confidential: a supervisor assigns it."
            )
            return
        self.notify(f"Complaint {summary.ref} recorded.")
        self.app.open_case(summary.ref)

    def _set_status(self, text: str, *, error: bool = True) -> None:
        if (text, error) == self._status:
            return
        self._status = (text, error)
        status = self.query_one("#intake-status", Static)
        status.update(Text(one_line(text)) if text else "")
        status.set_class(not error, "-info")
        status.display = bool(text)

    # ---- leaving -----------------------------------------------------------------------------
    def action_cancel(self) -> None:
        self.action_leave("cancel")

    def action_leave(self, then: str) -> None:
        if self.saving:
            self.notify("Still saving; wait a moment.", severity="warning")
            return
        if not self.dirty:
            self._close(then)
            return
        question = {
            "quit": "Quit and drop this new complaint? What you typed will be lost.",
        }.get(then, "Drop this new complaint? What you typed will be lost.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._close(then)

        self.app.push_screen(ConfirmScreen(question, yes="drop it", no="keep editing"), answered)

    def _close(self, then: str) -> None:
        self.closing = True
        if then == "quit":
            self.app.exit()
            return
        self.app.pop_screen()
        if then == "queue":
            self.app.action_queue()
        elif then == "escalations":
            self.app.action_escalations()
        elif then == "team":
            self.app.action_team()

    def action_nothing(self) -> None:
        """'n' on the intake screen: already here."""
