"""ActionForm: one small modal form, configured per case action (acknowledge, note, resolve, ...).

The form checks its fields as the agent types (inline validation), saves in a worker with the
case version it was opened on (so a stale save is refused as a conflict), and stays open with
the typed text and a one-sentence error when the save fails. `esc` asks (ConfirmScreen) before
dropping text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from complaint_tui.services.errors import Conflict, Refused, ValidationFailed
from complaint_tui.services.views import CaseDetail
from complaint_tui.tui.commands import key_hint, keys_for
from complaint_tui.tui.messages import AttachmentSaved, CaseSaved, CaseSaveFailed
from complaint_tui.tui.screens.confirm import ConfirmScreen
from complaint_tui.tui.widgets.inputs import FormInput, FormTextArea

TEXT = "text"  # several lines (FormTextArea)
LINE = "line"  # one line (FormInput)
INT = "int"  # a whole number (FormInput)
CHOICE = "choice"  # one of a few options (Select)


class _OtherChoice:
    """The CHOICE option that opens a line for text of one's own (FieldSpec.other)."""

    def __repr__(self) -> str:
        return "OTHER_CHOICE"


OTHER_CHOICE = _OtherChoice()


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = TEXT
    required: bool = True
    placeholder: str = ""
    value: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (shown, value) for CHOICE
    max_chars: int | None = None
    min_value: int | None = None  # INT bounds
    max_value: int | None = None
    error_keys: tuple[str, ...] = ()  # field names the service uses in its refusals
    # CHOICE with a way out: a last option (other_label) opens a line below the select; what is
    # typed there, through ``other``, is the field's value (e.g. "Other: <text>").
    other: Callable[[str], str] | None = None
    other_label: str = "Other: type it below"
    other_placeholder: str = ""


@dataclass(frozen=True)
class ActionSpec:
    """What one form asks and what saving it does.

    ``submit(values, version)`` runs in a worker thread and returns the new CaseDetail (or, for
    saving an attachment, the Path written); it raises Refused to keep the form open.
    """

    action: str  # acknowledge, note, ...
    title: str
    submit: Callable[[dict[str, Any], int], Any]
    fields: tuple[FieldSpec, ...] = ()
    intro: str = ""  # plain text, shown as text (it may quote customer data)
    done: str = "Saved."  # notification after success
    save_label: str = "save"
    extra: dict[str, Any] = field(default_factory=dict)


def field_problem(spec: FieldSpec, raw: Any, other_text: str = "") -> str | None:
    """The inline validation message for one field, or None when it is acceptable.
    ``other_text`` is what is typed on the line a CHOICE's OTHER_CHOICE opens."""
    if spec.kind == CHOICE:
        if spec.required and (raw is Select.NULL or raw is None):
            return "Choose one."
        if raw is OTHER_CHOICE and spec.other is not None:
            if not other_text.strip():
                return "Type what it was on the line below the choice."
            value = spec.other(other_text)
            if spec.max_chars is not None and len(value) > spec.max_chars:
                return f"At most {spec.max_chars:,} characters (now {len(value):,})."
        return None
    text = str(raw or "")
    if spec.required and not text.strip():
        return "This cannot be empty."
    if spec.max_chars is not None and len(text.strip()) > spec.max_chars:
        return f"At most {spec.max_chars:,} characters (now {len(text.strip()):,})."
    if spec.kind == INT and text.strip():
        try:
            number = int(text.strip())
        except ValueError:
            return "Type a whole number."
        if spec.min_value is not None and number < spec.min_value:
            return f"At least {spec.min_value}."
        if spec.max_value is not None and number > spec.max_value:
            return f"At most {spec.max_value}."
    return None


class ActionForm(ModalScreen[Any]):
    """A small form for one case action; dismisses with the saved result, or None if cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, spec: ActionSpec, ref: str, version: int) -> None:
        super().__init__()
        self.spec = spec
        self.ref = ref
        self.version = version
        self.saving = False
        self.conflicted = False  # the last save met someone else's change

    # ---- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        spec = self.spec
        with VerticalScroll(id="action-form", classes="modal-form action-form"):
            yield Static(Text(f"{spec.title} · {self.ref}"), classes="form-title")
            if spec.intro:
                yield Static(Text(spec.intro), classes="form-intro")
            for f in spec.fields:
                yield Label(Text(f.label + ("" if f.required else " (optional)")))
                yield self._widget(f)
                if f.kind == CHOICE and f.other is not None:
                    yield FormInput(
                        placeholder=f.other_placeholder, id=f"f-{f.name}-other", classes="other"
                    )
                yield Static("", id=f"err-{f.name}", classes="field-error")
            yield Static("", id="form-error", classes="form-error")
            yield Static(self._hint(), id="form-hint", classes="form-hint")

    def _hint(self) -> str:
        # tab is Textual's focus key (it has no binding id, so it cannot be remapped)
        keys = key_hint(self, ("form.save", self.spec.save_label), ("form.cancel", "cancel"))
        return f"{keys} · tab next field"

    def _widget(self, f: FieldSpec):
        wid = f"f-{f.name}"
        if f.kind == TEXT:
            return FormTextArea(f.value, id=wid, soft_wrap=True, placeholder=f.placeholder)
        if f.kind == CHOICE:
            options = list(f.options)
            if f.other is not None:
                options.append((f.other_label, OTHER_CHOICE))
            values = [v for _, v in options]
            return Select(
                [(Text(shown), v) for shown, v in options],
                value=f.value if f.value in values else Select.NULL,
                allow_blank=True,
                prompt=f.placeholder or "choose…",
                id=wid,
            )
        return FormInput(
            f.value,
            placeholder=f.placeholder,
            id=wid,
            type="integer" if f.kind == INT else "text",
        )

    def on_mount(self) -> None:
        for err in self.query(".field-error"):
            err.display = False
        for line in self.query(".other"):
            line.display = False
        self.query_one("#form-error").display = False
        if self.spec.fields:
            self.query_one(f"#f-{self.spec.fields[0].name}").focus()

    # ---- values and validation ---------------------------------------------------------------
    def raw(self, name: str) -> Any:
        widget = self.query_one(f"#f-{name}")
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Select):
            return widget.value
        return widget.value

    def other_text(self, name: str) -> str:
        """What is typed on the line a choice's OTHER_CHOICE opens ("" for other fields)."""
        lines = self.query(f"#f-{name}-other")
        return str(lines.first(Input).value) if lines else ""

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.spec.fields:
            raw = self.raw(f.name)
            if f.kind == CHOICE and raw is OTHER_CHOICE and f.other is not None:
                out[f.name] = f.other(self.other_text(f.name))
            elif f.kind == CHOICE:
                out[f.name] = None if raw is Select.NULL else raw
            elif f.kind == INT:
                out[f.name] = int(str(raw).strip()) if str(raw).strip() else None
            else:
                out[f.name] = str(raw)
        return out

    @property
    def dirty(self) -> bool:
        """Has the agent typed anything that cancelling would lose?"""
        for f in self.spec.fields:
            if f.kind in (TEXT, LINE, INT) and str(self.raw(f.name)).strip() != f.value.strip():
                return True
            if self.other_text(f.name).strip():
                return True
        return False

    def set_field_error(self, name: str, message: str | None) -> None:
        try:
            err = self.query_one(f"#err-{name}", Static)
        except Exception:  # noqa: BLE001 - a field the form does not have
            return
        err.update(Text(message or ""))
        err.display = bool(message)

    def set_form_error(self, message: str | None) -> None:
        err = self.query_one("#form-error", Static)
        err.update(Text(message or ""))
        err.display = bool(message)

    def validate(self) -> bool:
        ok = True
        for f in self.spec.fields:
            problem = field_problem(f, self.raw(f.name), self.other_text(f.name))
            self.set_field_error(f.name, problem)
            ok = ok and problem is None
        return ok

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _edited(self, event) -> None:
        """Inline validation: once a field shows an error, it is re-checked as the agent types."""
        wid = event.control.id or ""
        name = wid.removeprefix("f-").removesuffix("-other")
        for f in self.spec.fields:
            if f.name == name:
                err = self.query_one(f"#err-{name}", Static)
                if err.display:
                    problem = field_problem(f, self.raw(name), self.other_text(name))
                    self.set_field_error(name, problem)

    @on(Select.Changed)
    def _other_chosen(self, event: Select.Changed) -> None:
        """Choosing the way out opens its line, with the cursor in it; any other choice hides it."""
        lines = self.query(f"#{event.control.id}-other")
        if not lines:
            return
        line = lines.first(Input)
        line.display = event.value is OTHER_CHOICE
        if line.display:
            line.focus()

    # ---- saving ------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.saving:
            return
        self.set_form_error(None)
        if not self.validate():
            self.set_form_error("Fix the marked field before saving.")
            return
        self.saving = True
        self.query_one("#form-hint", Static).update("Saving…")
        self._save(self.values(), self.version)

    @work(thread=True, group="action-form", exclusive=True, exit_on_error=False)
    def _save(self, values: dict[str, Any], version: int) -> None:
        try:
            result = self.spec.submit(values, version)
        except ValidationFailed as exc:
            errors = tuple((e.field, e.message) for e in exc.errors)
            self.post_message(
                CaseSaveFailed(str(exc), errors[0][0] if errors else None, False, errors)
            )
            return
        except Conflict as exc:
            self.post_message(CaseSaveFailed(str(exc), None, True))
            return
        except Refused as exc:
            self.post_message(CaseSaveFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - keep the form and the typed text, say why
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            self.post_message(CaseSaveFailed(f"The save failed and nothing was changed: {first}."))
            return
        if isinstance(result, Path):
            self.post_message(AttachmentSaved(str(result)))
        else:
            self.post_message(CaseSaved(result, self.spec.action))

    @on(CaseSaved)
    def _saved(self, message: CaseSaved) -> None:
        message.stop()
        self.saving = False
        self.notify(self.spec.done)
        self.dismiss(message.detail)

    @on(AttachmentSaved)
    def _file_saved(self, message: AttachmentSaved) -> None:
        message.stop()
        self.saving = False
        self.notify(f"Saved to {message.path}.")
        self.dismiss(Path(message.path))

    @on(CaseSaveFailed)
    def _failed(self, message: CaseSaveFailed) -> None:
        message.stop()
        self.saving = False
        self.query_one("#form-hint", Static).update(self._hint())
        shown_at_field = False
        for name, text in message.errors:
            for f in self.spec.fields:
                if name == f.name or name in f.error_keys:
                    self.set_field_error(f.name, text)
                    shown_at_field = True
        if shown_at_field and len(message.errors) == 1:
            self.set_form_error("Fix the marked field before saving.")
        else:
            self.set_form_error(message.error)
        if message.conflict:
            self.conflicted = True
            # The case screen underneath reloads to show the other change; see adopt_version.
            for screen in self.app.screen_stack:
                reload = getattr(screen, "reload_after_conflict", None)
                if reload is not None:
                    reload(self)

    def adopt_version(self, detail: CaseDetail) -> None:
        """After a conflict the case was re-read: a second ctrl+s saves on top of that change."""
        if not self.conflicted or detail.ref != self.ref:
            return
        self.version = detail.version
        self.conflicted = False
        keys = key_hint(self, ("form.save", "saves yours on top"), ("form.cancel", "cancel"))
        self.query_one("#form-hint", Static).update(f"The case now shows their change; {keys}")

    # ---- cancelling --------------------------------------------------------------------------
    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Drop the text you typed?", yes="discard it", no="keep editing"),
            answered,
        )


class TextViewer(ModalScreen[None]):
    """A scrollable, read-only view of a text attachment (shown as text, never markup)."""

    BINDINGS = [
        Binding("escape,q,v", "close", "Close", id="viewer.back"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="viewer.scroll_down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="viewer.scroll_up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="viewer.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="viewer.page_up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="viewer.first"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="viewer.last"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = text

    def compose(self) -> ComposeResult:
        with Vertical(id="viewer", classes="modal-form"):
            yield Static(Text(self.title_text), classes="form-title")
            with VerticalScroll(id="viewer-body"):
                yield Static(Text(self.body), id="viewer-text")
            yield Static(id="viewer-hint", classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#viewer-body").focus()
        down = keys_for(self, "viewer.scroll_down", "viewer.page_down")
        up = keys_for(self, "viewer.scroll_up", "viewer.page_up")
        close = key_hint(self, ("viewer.back", "close"))
        self.query_one("#viewer-hint", Static).update(f"{down}, {up} scroll · {close}")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        body = self.query_one("#viewer-body", VerticalScroll)
        body.scroll_relative(y=delta, animate=False)

    def action_page(self, direction: int) -> None:
        body = self.query_one("#viewer-body", VerticalScroll)
        if direction > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)

    def action_edge(self, end: int) -> None:
        body = self.query_one("#viewer-body", VerticalScroll)
        if end:
            body.scroll_end(animate=False)
        else:
            body.scroll_home(animate=False)
