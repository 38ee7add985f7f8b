"""ReportFilterScreen: the report's period (a preset or two typed dates) and its filters, in one
small form; each field is one line, so it fits 80×24."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Select, Static

from complaint_tui.domain.enums import Channel, Priority
from complaint_tui.domain.parsing import ParseError, parse_date
from complaint_tui.domain.report_period import (
    PRESET_ORDER,
    PeriodError,
    PeriodPreset,
    ReportPeriod,
    custom_period,
)
from complaint_tui.domain.settings import IntakeSettings
from complaint_tui.tui.commands import keys_for
from complaint_tui.tui.widgets.inputs import FormInput

# The filters a report takes, in the order the form and the screen show them.
FILTER_NAMES = ("service", "channel", "category", "priority", "assignee", "policy_version")
FILTER_LABELS = {
    "service": "Service",
    "channel": "Channel",
    "category": "Category",
    "priority": "Priority",
    "assignee": "Assignee",
    "policy_version": "Policy",
}


@dataclass(frozen=True)
class ReportChoice:
    """What the report screen shows: a period preset (or custom dates) and the filters."""

    preset: PeriodPreset = PeriodPreset.THIS_MONTH
    custom: ReportPeriod | None = None  # the dates of a CUSTOM period
    filters: dict[str, str] = field(default_factory=dict)  # FILTER_NAMES -> chosen value

    def with_preset(self, preset: PeriodPreset) -> ReportChoice:
        return replace(self, preset=preset)

    def filters_text(self) -> str:
        if not self.filters:
            return "none"
        return ", ".join(
            f"{FILTER_LABELS[name].lower()} {self.filters[name]}"
            for name in FILTER_NAMES
            if name in self.filters
        )


@dataclass(frozen=True)
class FilterOptions:
    """The values each filter offers, read from the settings and (in a worker) the database."""

    intake: IntakeSettings
    agents: tuple[str, ...] = ()
    policy_versions: tuple[str, ...] = ()  # empty: the service has no policy-version filter

    def options(self, name: str) -> tuple[str, ...]:
        if name == "service":
            return self.intake.services
        if name == "channel":
            return tuple(c.value for c in Channel)
        if name == "category":
            return self.intake.categories
        if name == "priority":
            return tuple(p.value for p in Priority)
        if name == "assignee":
            return self.agents
        return self.policy_versions


class ReportFilterScreen(ModalScreen[ReportChoice | None]):
    SCREEN_NAME = "Report period and filters"
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="report_filter.apply"),
        Binding("escape", "cancel", "Cancel", id="report_filter.cancel"),
        Binding("ctrl+x", "clear", "Clear filters", id="report_filter.clear"),
    ]

    def __init__(self, current: ReportChoice, shown: ReportPeriod, options: FilterOptions) -> None:
        super().__init__()
        self.current = current
        self.shown = shown  # the dates on screen now: the custom fields start from them
        self.filter_options = options

    def compose(self) -> ComposeResult:
        c = self.current
        with VerticalScroll(id="report-filter", classes="modal-form"):
            yield Static("Report period and filters", classes="form-title")
            yield self._row(
                "Period",
                Select(
                    [(p.title, p.value) for p in PRESET_ORDER],
                    value=c.preset.value,
                    allow_blank=False,
                    compact=True,
                    id="rf-period",
                ),
            )
            with Horizontal(classes="report-filter-row", id="rf-dates"):
                yield Label("From", classes="report-filter-label")
                yield FormInput(self.shown.start.isoformat(), id="rf-from", compact=True)
                yield Label(" to ", classes="report-filter-to")
                yield FormInput(self.shown.end.isoformat(), id="rf-to", compact=True)
            for name in FILTER_NAMES:
                values = self.filter_options.options(name)
                if not values:
                    continue  # no policy versions to split by
                yield self._row(
                    FILTER_LABELS[name],
                    Select(
                        [(Text(v), v) for v in values],
                        value=c.filters.get(name, Select.NULL)
                        if c.filters.get(name) in values
                        else Select.NULL,
                        prompt="any",
                        compact=True,
                        id=f"rf-{name}",
                    ),
                )
            yield Static("", id="rf-error", classes="form-error")
            yield Static(id="rf-hint", classes="form-hint")

    def _row(self, label: str, widget) -> Horizontal:
        return Horizontal(
            Label(label, classes="report-filter-label"), widget, classes="report-filter-row"
        )

    def on_mount(self) -> None:
        self.query_one("#rf-error").display = False
        self._custom_shown(self.current.preset is PeriodPreset.CUSTOM)
        self.query_one("#rf-period").focus()
        keys = keys_for(self, "report_filter.apply")
        cancel = keys_for(self, "report_filter.cancel")
        clear = keys_for(self, "report_filter.clear")
        self.query_one("#rf-hint", Static).update(
            f"{keys} apply · {clear} clear filters · {cancel} cancel · tab next field"
        )

    def _custom_shown(self, shown: bool) -> None:
        for widget in self.query("#rf-dates FormInput"):
            widget.disabled = not shown

    @on(Select.Changed, "#rf-period")
    def _period_changed(self, event: Select.Changed) -> None:
        self._custom_shown(event.value == PeriodPreset.CUSTOM.value)

    def _error(self, message: str | None) -> None:
        err = self.query_one("#rf-error", Static)
        err.update(Text(message or ""))
        err.display = bool(message)

    def choice(self) -> ReportChoice:
        """The form's values; raises PeriodError (one sentence) for bad custom dates."""
        preset = PeriodPreset(self.query_one("#rf-period", Select).value)
        custom = self.current.custom
        if preset is PeriodPreset.CUSTOM:
            days: list[date] = []
            for wid, what in (("#rf-from", "start"), ("#rf-to", "end")):
                text = self.query_one(wid, FormInput).value
                try:
                    days.append(parse_date(text))
                except ParseError as exc:
                    raise PeriodError(f"The {what} date is not a date: {exc}.") from None
            custom = custom_period(days[0], days[1])
        filters = {}
        for name in FILTER_NAMES:
            found = self.query(f"#rf-{name}")
            if not found:
                continue
            value = found.first(Select).value
            if value is not Select.NULL and value is not None:
                filters[name] = str(value)
        return ReportChoice(preset, custom, filters)

    def action_apply(self) -> None:
        try:
            choice = self.choice()
        except PeriodError as exc:
            self._error(str(exc))
            return
        self.dismiss(choice)

    def action_clear(self) -> None:
        for name in FILTER_NAMES:
            found = self.query(f"#rf-{name}")
            if found:
                found.first(Select).clear()

    def action_cancel(self) -> None:
        self.dismiss(None)
