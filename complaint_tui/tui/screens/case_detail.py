"""CaseDetailScreen: one case with every clock, its story and every action of SPEC §4's case keys.

Customer text is always rendered as rich Text with control characters stripped, so markup,
escape sequences and links in it stay inert. Database work runs in thread workers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from complaint_tui.domain.enums import Urgency
from complaint_tui.domain.labels import (
    clock_label,
    event_label,
    level_label,
    outcome_label,
    response_label,
    reviewer_label,
    show_instant,
    status_label,
    status_short,
)
from complaint_tui.domain.text import one_line, strip_control
from complaint_tui.domain.workflow import Action
from complaint_tui.services.audit_trail import audit_refusal
from complaint_tui.services.errors import Refused
from complaint_tui.services.lookups import assignable_agents, case_version
from complaint_tui.services.permissions import action_refusal_for
from complaint_tui.services.team import workload_label
from complaint_tui.services.views import CaseDetail, ClockView, TimelineEntry
from complaint_tui.tui.commands import key_hint, keys_for
from complaint_tui.tui.messages import (
    AgentsLoaded,
    AttachmentRead,
    CaseLoaded,
    CaseLoadFailed,
    CasesChanged,
)
from complaint_tui.tui.screens.action_form import ActionForm, TextViewer
from complaint_tui.tui.screens.case_actions import CASE_ACTIONS, build_spec, precheck
from complaint_tui.tui.widgets.badges import BAND_CLASSES, COMPONENT_CLASSES

DISPLAY_LIMIT = 20_000  # characters of one text shown inline; longer texts are cut with a note
VIEW_LIMIT = 500_000  # characters of a text attachment shown in the viewer
TEXT_TYPES = ("application/json", "application/xml", "application/x-yaml", "message/rfc822")


def shown(text: str | None, limit: int = DISPLAY_LIMIT) -> str:
    """Customer text made inert for the terminal, and cut to what a screen can usefully show."""
    clean = strip_control(text or "")
    if len(clean) > limit:
        return clean[:limit] + f"\n… ({len(clean):,} characters; the first {limit:,} are shown)"
    return clean


class CaseText(Static):
    """A Static whose component classes carry the theme's urgency and note colours."""

    COMPONENT_CLASSES = COMPONENT_CLASSES | {
        "case--label",
        "case--confidential",
        "case--escalated",
        "note--internal",
        "note--customer",
        "note--system",
    }


class TimelineItem(Static):
    """One timeline event; its left border and label tell internal from customer-visible."""


class AttachmentPicker(ModalScreen[int | None]):
    """Choose one attachment (enter), or cancel (esc)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form.cancel")]

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="attachment-picker", classes="modal-form"):
            yield Static("View which attachment?", classes="form-title")
            yield OptionList(
                *(
                    Option(
                        Text(f"#{a.id}  {one_line(a.name, 50)}  {a.content_type}  {a.size:,} B"),
                        id=str(a.id),
                    )
                    for a in self.detail.attachments
                ),
                id="attachment-options",
            )
            # enter is the list's own key (no binding id to remap)
            yield Static(
                f"enter view · {key_hint(self, ('form.cancel', 'cancel'))}", classes="form-hint"
            )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


# Short footer labels so the everyday keys fit 80 columns; help and palette show the full names.
FOOTER_LABELS = {
    "acknowledge": "Ack",
    "investigate": "Investigate",
    "note": "Note",
    "update": "Update",
    "wait": "Wait",
    "escalate": "Escalate",
    "decide": "Decide",
    "refer": "Refer",
}


class CaseDetailScreen(Screen):
    """Header and clocks stay put; description, events, attachments and timeline scroll."""

    SCREEN_NAME = "Case"
    # What the command palette offers: every case action, not moving or leaving.
    PALETTE = (*(f"case.{name}" for _key, name, _desc, _show in CASE_ACTIONS), "case.attachment")
    BINDINGS = [
        Binding("escape", "back", "Back", id="case.back"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="case.down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="case.up"),
        Binding("pagedown,ctrl+f,space", "page(1)", "Page down", show=False, id="case.page_down"),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False, id="case.page_up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="case.first"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="case.last"),
        *(
            Binding(
                key,
                f"act('{name}')",
                FOOTER_LABELS.get(name, desc),
                show=show,
                id=f"case.{name}",
                tooltip=desc,
            )
            for key, name, desc, show in CASE_ACTIONS
        ),
        Binding("v", "view_attachment", "View attachment", show=False, id="case.attachment"),
        Binding("L", "audit", "Audit trail", show=False, id="case.audit"),
    ]

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref.strip().upper()
        self.detail: CaseDetail | None = None
        self.error: str | None = None
        self._shown_events: set[int] = set()
        self._conflict_form: ActionForm | None = None
        self._allowed: frozenset[str] = frozenset()  # case actions offered now (check_action)

    @property
    def backend(self):
        return self.app.backend

    @property
    def palette_subject(self) -> str:
        return self.ref

    def compose(self) -> ComposeResult:
        yield CaseText(Text(f" {self.ref}  loading…"), id="case-header")
        yield CaseText(id="case-clocks")
        with VerticalScroll(id="case-body"):
            yield CaseText(id="case-escalation", classes="case-section")
            yield CaseText(id="case-facts", classes="case-section")
            yield CaseText(id="case-description", classes="case-section")
            yield CaseText(id="case-desired", classes="case-section")
            yield CaseText(id="case-events", classes="case-section")
            yield CaseText(id="case-attachments", classes="case-section")
            yield CaseText(id="case-timeline-title", classes="case-section")
            yield Vertical(id="case-timeline")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#case-body").focus()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.load()

    def _theme_changed(self, _theme) -> None:
        if self.detail is not None:
            self.render_case()

    def on_resize(self) -> None:
        self.render_header()  # its first line is laid out for the width

    # ---- loading -----------------------------------------------------------------------------
    @work(thread=True, group="case-load", exclusive=True, exit_on_error=False)
    def load(self) -> None:
        try:
            detail = self.backend.desk.get(self.ref)
        except Refused as exc:
            self.post_message(CaseLoadFailed(self.ref, str(exc)))
            return
        self.post_message(CaseLoaded(detail))

    @work(thread=True, group="case-load", exclusive=True, exit_on_error=False)
    def _reload_if_changed(self) -> None:
        """Another session committed something: re-read this case only if it changed."""
        shown_version = self.detail.version if self.detail else None
        try:
            version = case_version(self.backend.desk, self.ref)
            if version is None or version == shown_version:
                return
            detail = self.backend.desk.get(self.ref)
        except Refused:
            return  # the next change or key press tries again
        self.post_message(CaseLoaded(detail))

    @on(CaseLoaded)
    def _loaded(self, message: CaseLoaded) -> None:
        if message.detail.ref != self.ref:
            return
        self.show(message.detail)
        form = self._conflict_form
        self._conflict_form = None
        if form is not None and form in self.app.screen_stack:
            form.adopt_version(message.detail)

    @on(CaseLoadFailed)
    def _load_failed(self, message: CaseLoadFailed) -> None:
        self.error = message.error
        if self.detail is None:
            header = Text(f" {self.ref}  ", style="bold", no_wrap=True, overflow="ellipsis")
            header.append("cannot be shown: ")
            header.append(one_line(message.error))
            self.query_one("#case-header", CaseText).update(header)
            back = keys_for(self, "case.back")
            self.query_one("#case-clocks", CaseText).update(Text(f" {back} goes back."))
        self.notify(message.error, severity="error", timeout=8)

    def on_cases_changed(self, _message: CasesChanged) -> None:
        if self.detail is not None:
            self._reload_if_changed()

    def reload_after_conflict(self, form: ActionForm) -> None:
        """A save met someone else's change: show it, and let the open form save on top."""
        self._conflict_form = form
        self.load()

    def show(self, detail: CaseDetail) -> None:
        self.detail = detail
        self.error = None
        # What this person may do to the case as it is now, judged once per version shown (the
        # footer asks on every repaint).
        actor = self.backend.actor
        self._allowed = frozenset(
            name
            for name in (*(n for _k, n, _d, _s in CASE_ACTIONS), "attachment")
            if precheck(name, detail, actor) is None
        )
        self.render_case()
        self.refresh_bindings()  # the footer, help and palette follow the case's state

    # ---- what can be done now ----------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Footer, help and palette offer only what this person may do to the case as it is now;
        the services' rules decide (services.permissions.action_refusal_for via precheck). Until
        the case is shown, no case action is offered."""
        if action == "act":
            return bool(parameters) and str(parameters[0]) in self._allowed
        if action == "view_attachment":
            return "attachment" in self._allowed
        if action == "audit":
            return audit_refusal(self.backend.actor) is None
        return True

    def on_key(self, event: events.Key) -> None:
        """A case key that is not offered now (check_action) still answers when pressed: the
        action says why not, in the services' words (and the audit trail logs the refusal)."""
        for node, bindings in self._binding_chain:  # the keymap applied
            if node is not self:
                continue
            for binding in bindings.key_to_bindings.get(event.key, ()):
                _target, name, params = parse_action(binding.action)
                if name in ("act", "view_attachment", "audit") and self.detail is not None:
                    if self.check_action(name, params):
                        return  # offered: the binding runs it
                    event.stop()
                    getattr(self, f"action_{name}")(*params)
                    return

    # ---- rendering ---------------------------------------------------------------------------
    def _style(self, component: str) -> Style:
        return self.query_one("#case-header", CaseText).get_component_rich_style(
            component, partial=True
        )

    def _local(self, instant: datetime | None) -> str:
        return show_instant(instant, self.backend.ctx.calendar.tz)

    def render_case(self) -> None:
        self.render_header()
        self.render_clocks()
        self.render_body()

    def render_header(self) -> None:
        d = self.detail
        if d is None:
            return
        s = d.summary
        badge = self.backend.ctx.sla.badge(s.status, s.active_due_at, self.backend.now())
        # The status in words, or its short form when the marks would not fit otherwise.
        for status in (status_label(s.status), status_short(s.status)):
            line1 = Text(no_wrap=True, overflow="ellipsis")
            line1.append(f" {badge.text} ", self._style(BAND_CLASSES[badge.band]))
            line1.append(f" {s.ref} ", "bold")
            line1.append(f" {status} ")
            if s.confidential:
                line1.append(" ")
                line1.append(" 🔒 CONFIDENTIAL ", self._style("case--confidential"))
            if s.escalation_level:
                state = "review pending" if s.escalation_pending else "decided"
                line1.append(" ")
                line1.append(f" ⇧ L{s.escalation_level} {state} ", self._style("case--escalated"))
            if line1.cell_len <= self.size.width:
                break
        # One fact group per line, most important first: 80 columns cut only a long tail.
        label = self._style("case--label")
        line2 = Text(no_wrap=True, overflow="ellipsis")
        line2.append(" priority ", label)
        line2.append(s.priority, "bold" if s.priority in ("high", "critical") else "")
        line2.append("  customer ", label)
        line2.append(one_line(s.customer, 40))
        line2.append("  assignee ", label)
        line2.append(one_line(s.assignee or "—", 40))
        line3 = Text(no_wrap=True, overflow="ellipsis")
        line3.append(" via ", label)
        line3.append(s.channel)
        line3.append("  services ", label)
        line3.append(one_line(", ".join(s.services), 200))
        line4 = Text(no_wrap=True, overflow="ellipsis")
        line4.append(" ")
        line4.append(one_line(s.subject), "bold")
        self.query_one("#case-header", CaseText).update(
            Text("\n", no_wrap=True, overflow="ellipsis").join([line1, line2, line3, line4])
        )

    def _live(self, clock: ClockView, now: datetime) -> tuple[Urgency, str]:
        """A running clock's band and text recomputed from the clock (colours follow time)."""
        if clock.met_at is None and not clock.paused and clock.due_at is not None:
            badge = self.backend.ctx.sla.running_badge(clock.due_at, now)
            return badge.band, badge.text
        return clock.band, clock.text

    def render_clocks(self) -> None:
        d = self.detail
        if d is None:
            return
        now = self.backend.now()
        lines = []
        for clock in d.clocks:
            band, text = self._live(clock, now)
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f" {clock_label(clock.name):<18}", "bold")
            if clock.due_at is not None:
                line.append(f"due {self._local(clock.due_at)}  ")
            else:
                line.append(f"{'due set on resume':<26}")
            line.append(f" {text} ", self._style(BAND_CLASSES[band]))
            if clock.met_at is not None:
                line.append(f" at {self._local(clock.met_at)}", "dim")
            lines.append(line)
        self.query_one("#case-clocks", CaseText).update(
            Text("\n", no_wrap=True, overflow="ellipsis").join(lines)
        )

    def _section(self, title: str) -> Text:
        text = Text()
        text.append(title, "bold underline")
        text.append("\n")
        return text

    def render_body(self) -> None:
        d = self.detail
        if d is None:
            return
        s = d.summary
        label = self._style("case--label")
        self._render_escalation(d)

        facts = Text()
        facts.append("received ", label)
        facts.append(self._local(s.received_at))
        if s.category:
            facts.append("  category ", label)
            facts.append(one_line(s.category, 40))
        if d.policy_version:
            facts.append("  policy v", label)
            facts.append(one_line(d.policy_version, 20))
        facts.append(f"  version {s.version}", "dim")
        if d.source_ref:
            facts.append("\nimported from ", label)
            facts.append(shown(d.source_ref))
        if d.outcome:
            facts.append("\noutcome ", label)
            facts.append(shown(d.outcome))
        if d.root_cause:
            facts.append("\nroot cause ", label)
            facts.append(shown(d.root_cause))
        if d.customer_response:
            facts.append("\ncustomer response ", label)
            facts.append(response_label(d.customer_response))
        if d.referred_to:
            facts.append("\nreferred to ", label)
            facts.append(shown(d.referred_to))
        counts = []
        if d.reopen_count:
            counts.append(f"reopened {d.reopen_count}×")
        if d.extension_count:
            counts.append(f"extended {d.extension_count}×")
        if counts:
            facts.append("\n" + ", ".join(counts), "dim")
        self.query_one("#case-facts", CaseText).update(facts)

        description = self._section("Description")
        description.append(shown(d.description) or "—")
        self.query_one("#case-description", CaseText).update(description)

        desired = self._section("Desired outcome")
        desired.append(shown(d.desired_outcome) or "—")
        self.query_one("#case-desired", CaseText).update(desired)

        events = self._section(f"Event dates ({len(d.reported_events)})")
        for i, ev in enumerate(d.reported_events):
            if i:
                events.append("\n")
            events.append(self._local(ev.at), label)
            events.append("  ")
            events.append(shown(ev.note, 2_000))
        if not d.reported_events:
            events.append("—")
        self.query_one("#case-events", CaseText).update(events)

        atts = self._section(f"Attachments ({len(d.attachments)})")
        for i, a in enumerate(d.attachments):
            if i:
                atts.append("\n")
            atts.append(f"#{a.id} ", label)
            atts.append(one_line(a.name, 80), "bold")
            atts.append(f"  {a.size:,} bytes  {one_line(a.content_type, 40)}", "dim")
            atts.append(f"  added {self._local(a.added_at)} by ", "dim")
            atts.append(one_line(a.added_by, 40), "dim")
        if d.attachments:
            atts.append("\nv view a text attachment · s save one to a folder", "dim")
        else:
            atts.append("—")
        self.query_one("#case-attachments", CaseText).update(atts)

        count = len(d.timeline)
        title = self._section(f"Timeline ({count} event{'' if count == 1 else 's'}, oldest first)")
        legend_internal = self._style("note--internal")
        legend_customer = self._style("note--customer")
        title.append("INTERNAL", legend_internal)
        title.append(" is never shown to the customer · ", "dim")
        title.append("TO CUSTOMER", legend_customer)
        title.append(" is what they see", "dim")
        self.query_one("#case-timeline-title", CaseText).update(title)
        self._render_timeline(d.timeline)

    def _render_escalation(self, d: CaseDetail) -> None:
        """On top of an escalated case: each request, the decisions on it, and what can be done
        next (the decision is one key away)."""
        panel = self.query_one("#case-escalation", CaseText)
        panel.display = bool(d.escalations)
        if not d.escalations:
            return
        label = self._style("case--label")
        text = self._section("Escalation")
        for i, e in enumerate(d.escalations):
            if i:
                text.append("\n")
            text.append(f"{level_label(e.level)} request", "bold")
            text.append(f"  {self._local(e.requested_at)}  by ", label)
            text.append(one_line(e.requested_by, 40))
            text.append("\n")
            text.append(shown(e.request, 2_000))
            if e.pending:
                text.append(f"\n→ awaits a {reviewer_label(e.level)}'s decision", "bold")
                if e.due_at is not None:
                    text.append(f", due {self._local(e.due_at)}")
            for decision in e.decisions:
                text.append("\n")
                text.append(f"→ {outcome_label(decision.outcome)}", "bold")
                text.append(f"  {self._local(decision.decided_at)}  by ", label)
                text.append(one_line(decision.decided_by, 40))
                text.append("\n  ")
                text.append("TO CUSTOMER", self._style("note--customer"))
                text.append(" ")
                text.append(shown(decision.explanation, 2_000))
                if decision.note:
                    text.append("\n  ")
                    text.append("INTERNAL", self._style("note--internal"))
                    text.append(" ")
                    text.append(shown(decision.note, 2_000))
        hints = self._escalation_hints(d)
        if hints:
            text.append("\n" + hints, "dim")
        panel.update(text)

    def _escalation_hints(self, d: CaseDetail) -> str:
        """The next escalation steps this person may take now, with their keys."""
        actor = self.backend.actor
        hints = []
        if action_refusal_for(actor, Action.DECIDE, d) is None:
            hints.append(f"{keys_for(self, 'case.decide')} decide")
        if action_refusal_for(actor, Action.REFER, d) is None:
            hints.append(f"{keys_for(self, 'case.refer')} record the referral to the external body")
        return " · ".join(hints)

    def _timeline_item(self, entry: TimelineEntry) -> TimelineItem:
        kind = event_label(entry.kind)
        text = Text()
        if entry.customer_visible:
            text.append("TO CUSTOMER", self._style("note--customer"))
            text.append(f" · {kind}", "dim")
            classes = "tl-entry -customer"
        elif entry.kind.value == "note":
            text.append("INTERNAL", self._style("note--internal"))
            text.append(f" · {kind}", "dim")
            classes = "tl-entry -internal"
        else:
            text.append(kind, self._style("note--system"))
            classes = "tl-entry -system"
        text.append(f"  {self._local(entry.at)}  ", "dim")
        text.append(one_line(entry.actor, 40), "dim")
        text.append("\n")
        text.append(shown(entry.text) or "—")
        return TimelineItem(text, classes=classes)

    def _render_timeline(self, timeline: tuple[TimelineEntry, ...]) -> None:
        """Events are append-only: mount the ones not shown yet."""
        new = [e for e in timeline if e.id not in self._shown_events]
        if not new:
            return
        self._shown_events.update(e.id for e in new)
        self.query_one("#case-timeline", Vertical).mount_all([self._timeline_item(e) for e in new])

    def tick(self) -> None:
        """Time passed: clocks re-colour from the clock, without a database read."""
        if self.detail is not None:
            self.render_header()
            self.render_clocks()

    # ---- moving ------------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def action_scroll(self, delta: int) -> None:
        self.query_one("#case-body", VerticalScroll).scroll_relative(y=delta, animate=False)

    def action_page(self, direction: int) -> None:
        body = self.query_one("#case-body", VerticalScroll)
        if direction > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)

    def action_edge(self, end: int) -> None:
        body = self.query_one("#case-body", VerticalScroll)
        if end:
            body.scroll_end(animate=False)
        else:
            body.scroll_home(animate=False)

    # ---- actions -----------------------------------------------------------------------------
    def action_act(self, name: str) -> None:
        d = self.detail
        if d is None:
            self.notify(self.error or f"{self.ref} is still loading.", severity="warning")
            return
        problem = precheck(name, d, self.backend.actor)
        if problem:
            self.notify(problem, severity="error", timeout=6)
            return
        if name == "assign":
            self._load_agents()
            return
        self.open_form(name)

    def open_form(
        self,
        name: str,
        agents: tuple[str, ...] | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        d = self.detail
        assert d is not None
        spec = build_spec(name, d, self.backend, agents, labels)
        self.app.push_screen(ActionForm(spec, d.ref, d.version), self._after_save)

    @work(thread=True, group="case-agents", exclusive=True, exit_on_error=False)
    def _load_agents(self) -> None:
        try:
            names = assignable_agents(self.backend.desk)
            labels = None
            if self.backend.actor.sees_all_cases:  # each candidate's workload (the team view's)
                labels = {
                    row.name: workload_label(row) for row in self.backend.team.rows(tuple(names))
                }
        except Refused as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(AgentsLoaded(tuple(names), labels))

    @on(AgentsLoaded)
    def _agents_loaded(self, message: AgentsLoaded) -> None:
        if self.detail is not None and self.app.screen is self:
            self.open_form("assign", message.names, message.labels)

    def _after_save(self, result) -> None:
        """The form has said what was saved (its ActionSpec.done); show the case as it is now."""
        if result is None or isinstance(result, Path):
            return
        self.show(result)
        self.call_after_refresh(self.action_edge, 1)  # the new event is at the end
        queue = self.app.queue_screen()
        if queue is not None:
            queue.post_message(CasesChanged())

    def action_audit(self) -> None:
        """Who saw and who changed this case (supervisors and managers; others are told why)."""
        from complaint_tui.tui.screens.audit_trail import open_case_trail

        open_case_trail(self, self.ref)

    # ---- attachments -------------------------------------------------------------------------
    def action_view_attachment(self) -> None:
        d = self.detail
        if d is None:
            return
        problem = precheck("attachment", d, self.backend.actor)
        if problem:
            self.notify(problem, severity="error")
            return
        if len(d.attachments) == 1:
            self._read_attachment(d.attachments[0].id)
        else:
            self.app.push_screen(AttachmentPicker(d), self._picked)

    def _picked(self, attachment_id: int | None) -> None:
        if attachment_id:
            self._read_attachment(attachment_id)

    @work(thread=True, group="case-attachment", exclusive=True, exit_on_error=False)
    def _read_attachment(self, attachment_id: int) -> None:
        try:
            view, data = self.backend.desk.attachment_data(self.ref, attachment_id)
        except Refused as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        text = _as_text(view.content_type, data)
        if text is None:
            self.app.call_from_thread(
                self.notify,
                f"{view.name} is not a text file ({view.content_type}); save it with s instead.",
                severity="warning",
            )
            return
        self.post_message(AttachmentRead(view.name, shown(text, VIEW_LIMIT)))

    @on(AttachmentRead)
    def _attachment_read(self, message: AttachmentRead) -> None:
        self.app.push_screen(TextViewer(f"{one_line(message.name, 60)} · {self.ref}", message.text))


def _as_text(content_type: str, data: bytes) -> str | None:
    """The attachment as text, or None when it is binary."""
    ctype = content_type.split(";", 1)[0].strip().lower()
    looks_text = ctype.startswith("text/") or ctype in TEXT_TYPES
    if b"\x00" in data[:8192] and not looks_text:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace") if looks_text else None
