"""ReportScreen (key 3): the continuous-improvement report of policy §6 for a period.

The period is a preset (this week … the last 12 months, stepped with `[` / `]`) or two typed
dates, and the filters narrow the cases (`f`). The figures come from the report service (the
same ``build_report`` as `complaint-tui report`), run in a worker with a loading indicator; the
screen shows them as small tables, the key figures first with the on-time percentages judged
against the targets in the settings (glyph and words, so they read without colour), then the
charts and the breakdowns. `e` exports the shown report with the CLI's formatter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from complaint_tui.domain.labels import show_instant
from complaint_tui.domain.report_period import (
    PRESET_ORDER,
    PeriodError,
    PeriodPreset,
    ReportPeriod,
    period_for,
)
from complaint_tui.domain.report_targets import TargetVerdict, judge_pct
from complaint_tui.services.errors import Refused
from complaint_tui.services.files import write_new_file
from complaint_tui.services.lookups import assignable_agents
from complaint_tui.services.policy import last_review_date, list_policies
from complaint_tui.services.report_format import render_report, report_sections
from complaint_tui.services.reports import ReportQuery, build_report, resolve_hours_distribution
from complaint_tui.tui.messages import (
    CasesChanged,
    ReportFailed,
    ReportFilterOptionsLoaded,
    ReportLoaded,
)
from complaint_tui.tui.screens.action_form import CHOICE, LINE, ActionForm, ActionSpec, FieldSpec
from complaint_tui.tui.screens.case_actions import default_folder
from complaint_tui.tui.screens.report_filter import (
    FilterOptions,
    ReportChoice,
    ReportFilterScreen,
)
from complaint_tui.tui.widgets.report_charts import (
    ResolveHoursChart,
    WeeklyOnTimeChart,
    WeeklyVolumeChart,
    hour_bucket_edges,
    hour_bucket_labels,
)

EXPORT_FORMATS = (("CSV", "csv"), ("Markdown", "md"), ("JSON", "json"))


# ---- the figures as tables ----------------------------------------------------------------------
# The report's tables come from the formatter (report_sections): the cells are the very strings
# `complaint-tui report` prints. The screen adds the verdicts against the targets above them.
KEY_SECTIONS = ("Clocks", "Summary")  # shown before the charts; the others after them
MAX_TABLES = 24  # FigureViews composed for the breakdowns (the formatter gives 14 today)


@dataclass(frozen=True)
class FigureTable:
    """One small table of the report: a title, its column headers and rows of cells."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def figure_tables(report: dict) -> list[FigureTable]:
    """Every table of the report, in the formatter's order and with its cells."""
    return [
        FigureTable(title, tuple(header), tuple(tuple(r) for r in rows))
        for title, header, rows in report_sections(report)
    ]


def target_lines(report: dict, ack_target: float, resolve_target: float) -> list[tuple[str, Any]]:
    """(what, verdict) for both clocks: the on-time percentage against its target."""
    return [
        ("Acknowledged on time", judge_pct(report["ack"]["on_time_pct"], ack_target)),
        ("Resolved on time", judge_pct(report["resolve"]["on_time_pct"], resolve_target)),
    ]


class FigureView(DataTable):
    """One small, read-only table of figures: the screen scrolls, not the table."""

    can_focus = False

    def on_mount(self) -> None:
        self.show_cursor = False
        self.zebra_stripes = False

    def show(self, table: FigureTable) -> None:
        self.clear(columns=True)
        self.border_title = Text(table.title)
        # The first column names, the others count: numbers right-aligned under their header.
        self.add_columns(
            *(Text(c, justify="right" if i else "left") for i, c in enumerate(table.columns))
        )
        if not table.rows:
            self.add_row(*(Text("none" if i == 0 else "") for i in range(len(table.columns))))
        for row in table.rows:
            self.add_row(
                *(Text(cell, justify="right" if i else "left") for i, cell in enumerate(row))
            )

    @staticmethod
    def natural_width(table: FigureTable) -> int:
        """The cells it takes to show every column whole: widest cell + padding, and the border."""
        widths = [Text(c).cell_len for c in table.columns]
        for row in table.rows:
            widths = [max(w, Text(c).cell_len) for w, c in zip(widths, row, strict=True)]
        return sum(w + 2 for w in widths) + 2

    def cells(self) -> list[list[str]]:
        """The shown cells as plain text, row by row (the tests compare them with the CLI)."""
        return [
            [cell.plain if isinstance(cell, Text) else str(cell) for cell in self.get_row_at(i)]
            for i in range(self.row_count)
        ]


class TargetLines(Static):
    """The on-time percentages against their targets: glyph and words (they read without
    colour), coloured by the ``target--<verdict>`` component classes."""

    COMPONENT_CLASSES = {f"target--{v.value}" for v in TargetVerdict}

    def show(self, lines: list[tuple[str, Any]]) -> None:
        text = Text()
        for i, (what, judged) in enumerate(lines):
            if i:
                text.append("\n")
            text.append(f" {what}: ")
            style = self.get_component_rich_style(f"target--{judged.verdict.value}")
            text.append(judged.text(), style)
        self.update(text)
        self.judged = lines


# ---- the screen ---------------------------------------------------------------------------------
class ReportScreen(Screen):
    SCREEN_NAME = "Reports"
    PALETTE = (
        "reports.next_period",
        "reports.prev_period",
        "reports.filter",
        "reports.export",
        "reports.refresh",
    )
    BINDINGS = [
        Binding("escape", "back", "Back", id="reports.back"),
        Binding(
            "[",
            "period(-1)",
            "Prev period",
            show=False,
            id="reports.prev_period",
            tooltip="Previous period preset",
        ),
        Binding("]", "period(1)", "Period", id="reports.next_period", tooltip="Next period preset"),
        Binding("f", "filter", "Filter", id="reports.filter", tooltip="Period and filters"),
        Binding(
            "e",
            "export",
            "Export",
            id="reports.export",
            tooltip="Export the shown report (CSV, Markdown, JSON)",
        ),
        Binding("r", "refresh", "Refresh", show=False, id="reports.refresh"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="reports.scroll_down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="reports.scroll_up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="reports.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="reports.page_up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="reports.first"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="reports.last"),
        Binding("1", "app.queue", "Queue", id="reports.queue"),
    ]

    def __init__(self, choice: ReportChoice | None = None) -> None:
        super().__init__()
        self.choice = choice or ReportChoice()
        self.period: ReportPeriod | None = None
        self.report_query: ReportQuery | None = None  # of the figures shown (or coming)
        self.report: dict | None = None  # the figures shown
        self.shown: tuple[ReportPeriod | None, ReportQuery | None] = (None, None)  # theirs
        self.resolve_hours: list[int] = []
        self.generation = 0
        self.error: str | None = None
        self.last_review: date | None = None
        self.options: FilterOptions | None = None
        self.rest: list[FigureTable] = []  # the breakdown tables shown

    @property
    def backend(self):
        return self.app.backend

    # ---- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="report-title")
        yield Static(id="report-choice")
        with VerticalScroll(id="report-body"):
            yield Static(id="report-status")
            with Vertical(id="report-figures"):  # hidden until the first figures arrive
                yield TargetLines(id="report-targets")
                with Grid(id="report-key", classes="report-grid"):
                    for i in range(len(KEY_SECTIONS)):
                        yield FigureView(id=f"fig-key-{i}", classes="figures")
                yield WeeklyVolumeChart(id="chart-volume")
                yield WeeklyOnTimeChart(id="chart-on-time")
                yield ResolveHoursChart(id="chart-hours")
                with Grid(id="report-breakdowns", classes="report-grid"):
                    for i in range(MAX_TABLES):
                        yield FigureView(id=f"fig-{i}", classes="figures")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-figures").display = False
        self.query_one("#report-body").focus()
        self.load()

    # ---- loading -----------------------------------------------------------------------------
    def load(self) -> None:
        """Ask the service for the chosen period and filters (in a worker)."""
        ctx = self.backend.ctx
        try:
            period = period_for(
                self.choice.preset,
                self.backend.now(),
                ctx.calendar.tz,
                (self.choice.custom.start, self.choice.custom.end) if self.choice.custom else None,
            )
        except PeriodError as exc:
            self.error = str(exc)
            self.render_header()
            return
        self.period = period
        self.report_query = ReportQuery(period.start, period.end, **self.choice.filters)
        self.generation += 1
        self.error = None
        self.query_one("#report-body").loading = True
        self.render_header()
        self._fetch(self.generation, self.report_query)

    @work(thread=True, group="report", exclusive=True, exit_on_error=False)
    def _fetch(self, generation: int, query: ReportQuery) -> None:
        ctx, actor = self.backend.ctx, self.backend.actor
        try:
            report = build_report(ctx, actor, query)
            edges = hour_bucket_edges(
                ctx.calendar.business_day_length.total_seconds() / 3600,
                ctx.settings.sla.resolve_business_days,
            )
            counts = resolve_hours_distribution(ctx, actor, query, edges)
            last_review = last_review_date(ctx, actor)
        except Refused as exc:
            self.post_message(ReportFailed(generation, str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - a dropped connection: say so, keep the screen
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            self.post_message(ReportFailed(generation, f"The report could not be read: {first}."))
            return
        self.post_message(ReportLoaded(generation, report, counts, last_review))

    @on(ReportLoaded)
    def _loaded(self, message: ReportLoaded) -> None:
        if message.generation != self.generation:
            return  # an older query's answer
        self.report = message.report
        self.shown = (self.period, self.report_query)
        self.resolve_hours = message.resolve_hours
        self.last_review = message.last_review
        self.query_one("#report-body").loading = False
        self.show_report()

    @on(ReportFailed)
    def _failed(self, message: ReportFailed) -> None:
        if message.generation != self.generation:
            return
        self.query_one("#report-body").loading = False
        self.error = message.error
        self.render_header()
        self.notify(message.error, severity="error", timeout=8)

    def on_cases_changed(self, _message: CasesChanged) -> None:
        """Figures are read on demand (`r`): a busy desk's every commit must not re-run them."""

    # ---- showing -----------------------------------------------------------------------------
    @property
    def targets(self) -> tuple[float, float]:
        r = self.backend.ctx.settings.reports
        return r.ack_target_pct, r.resolve_target_pct

    def show_report(self) -> None:
        report = self.report
        assert report is not None
        ack_target, resolve_target = self.targets
        self.query_one(TargetLines).show(target_lines(report, ack_target, resolve_target))
        tables = figure_tables(report)
        key = sorted(
            (t for t in tables if t.title in KEY_SECTIONS),
            key=lambda t: KEY_SECTIONS.index(t.title),
        )
        rest = [t for t in tables if t.title not in KEY_SECTIONS]
        for i, table in enumerate(key):
            self.query_one(f"#fig-key-{i}", FigureView).show(table)
        for i in range(MAX_TABLES):
            view = self.query_one(f"#fig-{i}", FigureView)
            view.display = i < len(rest)
            if i < len(rest):
                view.show(rest[i])
        self.rest = rest
        self.fit_tables()
        weekly = report.get("weekly") or []
        weeks = [w["week"] for w in weekly]
        self.query_one(WeeklyVolumeChart).show(weeks, [w["received"] for w in weekly])
        self.query_one(WeeklyOnTimeChart).show(
            weeks,
            [w["ack_on_time_pct"] for w in weekly],
            [w["resolve_on_time_pct"] for w in weekly],
            ack_target,
            resolve_target,
        )
        sla = self.backend.ctx.settings.sla
        day = self.backend.ctx.calendar.business_day_length.total_seconds() / 3600
        edges = hour_bucket_edges(day, sla.resolve_business_days)
        self.query_one(ResolveHoursChart).show(
            hour_bucket_labels(edges), self.resolve_hours, day * sla.resolve_business_days
        )
        self.query_one("#report-figures").display = True
        self.render_header()

    def shown_tables(self) -> dict[str, tuple[list[str], list[list[str]]]]:
        """Every table on screen by title: its header and its cells as plain text."""
        return {
            str(view.border_title): (
                [c.label.plain for c in view.columns.values()],
                view.cells(),
            )
            for view in self.query(FigureView)
            if view.display and view.row_count
        }

    def render_header(self) -> None:
        backend = self.backend
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(" Reports", "bold")
        if self.period is not None:
            title.append(f" · {self.choice.preset.title} · {self.period.label()}", "bold")
        now = show_instant(backend.now(), backend.ctx.calendar.tz)
        right = f"as of {now} "
        gap = self.size.width - title.cell_len - len(right)
        if gap > 1:
            title.append(" " * gap)
            title.append(right, "dim")
        self.query_one("#report-title", Static).update(title)

        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(" Filters ", "dim")
        line.append(self.choice.filters_text())
        line.append(" · Last procedure review ", "dim")
        line.append(self.last_review.isoformat() if self.last_review else "none yet")
        self.query_one("#report-choice", Static).update(line)

        status = self.query_one("#report-status", Static)
        if self.error:
            status.update(Text(self.error, style="bold"))
            status.display = True
        else:
            status.display = False

    def fit_tables(self) -> None:
        """Two tables side by side at 80 columns, three from 120; a table too wide for its
        share (long root causes, the weekly table) takes the whole row."""
        width = self.query_one("#report-body").scrollable_content_region.width or self.size.width
        columns = 3 if self.size.width >= 120 else 2
        self.query_one("#report-breakdowns", Grid).styles.grid_size_columns = columns
        share = (width - (columns - 1)) // columns
        for i, table in enumerate(self.rest):
            wide = FigureView.natural_width(table) > share
            self.query_one(f"#fig-{i}", FigureView).styles.column_span = columns if wide else 1

    def on_resize(self) -> None:
        self.fit_tables()
        self.render_header()

    # ---- actions -----------------------------------------------------------------------------
    def action_period(self, step: int) -> None:
        presets = [p for p in PRESET_ORDER if p is not PeriodPreset.CUSTOM]
        current = self.choice.preset
        index = presets.index(current) if current in presets else -1 if step > 0 else 0
        self.choice = self.choice.with_preset(presets[(index + step) % len(presets)])
        self.load()

    def action_refresh(self) -> None:
        self.load()

    def action_filter(self) -> None:
        self._load_options()

    @work(thread=True, group="report-options", exclusive=True, exit_on_error=False)
    def _load_options(self) -> None:
        backend = self.backend
        try:
            agents = tuple(assignable_agents(backend.desk))
        except Refused:
            agents = ()
        try:
            versions = tuple(v.label for v in list_policies(backend.ctx, backend.actor))
        except Refused:
            versions = ()
        self.post_message(ReportFilterOptionsLoaded(agents, versions))

    @on(ReportFilterOptionsLoaded)
    def _options_loaded(self, message: ReportFilterOptionsLoaded) -> None:
        if self.app.screen is not self:
            return
        self.options = FilterOptions(
            self.backend.ctx.settings.intake, message.agents, message.policy_versions
        )
        shown = self.period or ReportPeriod(date.today(), date.today())
        self.app.push_screen(ReportFilterScreen(self.choice, shown, self.options), self._chosen)

    def _chosen(self, choice: ReportChoice | None) -> None:
        if choice is not None:
            self.choice = choice
            self.load()

    def action_export(self) -> None:
        period, query = self.shown
        if self.report is None or period is None or query is None:
            self.notify("There is no report on screen to export yet.", severity="warning")
            return
        report, filters = self.report, query.filters()

        def export(values: dict[str, Any], _version: int) -> Path:
            fmt = values["format"]
            text = render_report(report, fmt, filters=filters)
            name = f"complaint-report-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
            return write_new_file(Path(values["path"].strip()), name, text.encode("utf-8"))

        spec = ActionSpec(
            "export_report",
            "Export report",
            export,
            (
                FieldSpec("format", "Format", CHOICE, value="csv", options=EXPORT_FORMATS),
                FieldSpec("path", "File or folder", LINE, value=default_folder()),
            ),
            intro=(
                "The figures on screen, as `complaint-tui report` writes them. Into a folder, "
                "the file is named after the period; an existing file is never overwritten."
            ),
            done="Report exported.",
            save_label="export",
        )
        self.app.push_screen(ActionForm(spec, period.label(), 0))

    def action_scroll(self, delta: int) -> None:
        self.query_one("#report-body", VerticalScroll).scroll_relative(y=delta, animate=False)

    def action_page(self, direction: int) -> None:
        body = self.query_one("#report-body", VerticalScroll)
        if direction > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)

    def action_edge(self, end: int) -> None:
        body = self.query_one("#report-body", VerticalScroll)
        if end:
            body.scroll_end(animate=False)
        else:
            body.scroll_home(animate=False)

    def action_back(self) -> None:
        self.app.action_queue()
