"""ComplaintApp: the Textual application. Presentation only; services do the work."""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette

from complaint_tui.domain.alerts import AlertKind
from complaint_tui.domain.text import strip_control
from complaint_tui.services.alerts import DeskAlerts
from complaint_tui.services.changes import ChangeWatcher
from complaint_tui.services.config import default_config_path, save_setting
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import Refused
from complaint_tui.services.identity import Actor
from complaint_tui.tui.backend import Backend
from complaint_tui.tui.commands import ComplaintCommands, ComplaintThemes
from complaint_tui.tui.messages import AlertsRaised, CasesChanged
from complaint_tui.tui.screens.queue import QueueScreen
from complaint_tui.tui.themes import load_themes

THEME_VARIABLE_DEFAULTS = {
    # Used when a theme (e.g. one of Textual's own) does not define them.
    "urgency-breached": "#ff5c5c",
    "urgency-urgent": "#ff9f43",
    "urgency-soon": "#f0d43a",
    "urgency-ok": "#52c77a",
    "urgency-paused": "#8a94a6",
    "urgency-done": "#6b7380",
    "note-internal": "#c39bd3",
    "note-customer": "#4ea1ff",
}


ALERT_TITLES = {
    AlertKind.ESCALATION: "Escalation",
    AlertKind.BREACH: "Breached",
    AlertKind.URGENT: "Urgent",
    AlertKind.REASSIGNED: "Assignment",
}


class ComplaintApp(App):
    """Keyboard-first complaint handling."""

    # Located through importlib.resources like every other file the package ships; a path (not the
    # text in CSS) keeps Textual's cascade order and its live reload in `textual run --dev`.
    CSS_PATH = resources.files(__package__).joinpath("complaint.tcss")
    TITLE = "complaint-tui"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {ComplaintCommands}  # it includes Textual's system commands, in a fixed order

    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("1", "queue", "Queue", show=False, id="app.queue"),
        Binding("2", "escalations", "Escalations", show=False, id="app.escalations"),
        Binding("3", "reports", "Reports", show=False, id="app.reports"),
        Binding("4", "team", "Team", show=False, id="app.team"),
        Binding("colon", "goto_ref", "Go to ref", show=False, id="app.goto_ref"),
        # Shown in the footer by the queue screen; elsewhere ? lists them (80 columns are few).
        Binding("n", "new_case", "New", show=False, id="app.new_case"),
        # q goes back one screen (quits on the queue, which binds it to quit); ctrl+q quits from
        # anywhere (a form with typed text asks first).
        Binding(
            "q", "back", "Back", show=False, id="app.back", tooltip="Back (on the queue: quit)"
        ),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        *,
        config_path: Path | None = None,
        watch_changes: bool = True,
        save_theme: bool = True,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.backend = Backend(ctx, actor)
        self.config_path = config_path
        self.watch_changes = watch_changes
        self.save_theme = save_theme
        self._watcher: ChangeWatcher | None = None
        self.alerts = DeskAlerts(self.backend.desk)
        self._alerts_lock = threading.Lock()
        self._theme_problems: list[str] = []
        themes, self._theme_problems = load_themes((config_path or default_config_path()).parent)
        for theme in themes:
            self.register_theme(theme)
        # Only these are offered (palette, theme picker); Textual's own lack the urgency colours.
        self.complaint_themes = tuple(sorted(theme.name for theme in themes))
        wanted = ctx.settings.ui.theme
        self.theme = wanted if wanted in self.available_themes else "complaint-dark"
        if ctx.settings.ui.keys:
            self.set_keymap(dict(ctx.settings.ui.keys))

    def search_themes(self) -> None:
        """Textual's theme picker, offering only the complaint themes."""
        self.push_screen(
            CommandPalette(providers=[ComplaintThemes], placeholder="Search for themes…")
        )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity="information",
        timeout=None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages can quote customer input (a file name, a
        customer ID), which must never be read as Rich markup or reach the terminal raw."""
        super().notify(
            strip_control(message),
            title=strip_control(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **THEME_VARIABLE_DEFAULTS}

    @property
    def sub_title_text(self) -> str:
        a = self.backend.actor
        return f"{a.name} ({a.role.value})"

    def on_mount(self) -> None:
        self.sub_title = self.sub_title_text
        self.push_screen(QueueScreen())
        for problem in self._theme_problems:
            self.notify(problem, severity="warning")
        self.set_interval(self.backend.ctx.settings.ui.tick_seconds, self._tick)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.watch_changes:
            self._watch()
        self.check_alerts()  # the first look: what is already so when the desk opens is not news

    def _tick(self) -> None:
        # Badges are computed from the clock at render time: a repaint re-colours them.
        for screen in self.screen_stack:
            tick = getattr(screen, "tick", None)
            if tick is not None:
                tick()
        self.check_alerts()  # time alone turns cases urgent or breached

    # ---- alerts ------------------------------------------------------------------------------
    def check_alerts(self) -> None:
        """Look for alerts (services/alerts.py decides, with bounded reads) in a worker."""
        if self.alerts.enabled:
            self._check_alerts()

    @work(thread=True, group="alerts", exclusive=False, exit_on_error=False)
    def _check_alerts(self) -> None:
        with self._alerts_lock:  # one look at a time: each compares with the one before
            try:
                alerts = self.alerts.check()
            except Refused:
                return  # a dropped connection: the next tick or change looks again
        if alerts:
            self.post_message(AlertsRaised(tuple(alerts)))

    def on_alerts_raised(self, message: AlertsRaised) -> None:
        for alert in message.alerts:
            self.notify(alert.text, title=ALERT_TITLES[alert.kind], severity="warning", timeout=10)

    def _theme_changed(self, theme) -> None:
        if not self.save_theme:
            return
        try:
            save_setting(self.config_path, "ui", "theme", theme.name)
        except (OSError, ValueError) as exc:
            self.notify(f"The theme could not be saved: {exc}.", severity="warning")

    @work(thread=True, group="change-watcher", exit_on_error=False)
    def _watch(self) -> None:
        """Waits for other sessions' commits and tells the screens (LISTEN/NOTIFY or data_version)."""
        self._watcher = watcher = ChangeWatcher(self.backend.ctx.db)
        try:
            while not watcher.stopped:
                try:
                    changed = watcher.wait(timeout=2.0)
                except Exception:  # noqa: BLE001 - a dropped connection: reconnect on next round
                    watcher.close()
                    self._watcher = watcher = ChangeWatcher(self.backend.ctx.db)
                    watcher._stop.wait(2.0)
                    continue
                if changed:
                    self.call_from_thread(self._broadcast_change)
        finally:
            watcher.close()

    def _broadcast_change(self) -> None:
        for screen in self.screen_stack:
            screen.post_message(CasesChanged())
        self.check_alerts()  # an escalation or a reassignment by someone else

    async def action_quit(self) -> None:
        leave = getattr(self.screen, "action_leave", None)
        if leave is not None and not getattr(self.screen, "closing", True):
            leave("quit")  # intake: asks before dropping typed text, then quits
            return
        if self._watcher is not None:
            self._watcher.stop()
        self.exit()

    def action_back(self) -> None:
        """q: back one screen; on the queue (the first screen) q quits."""
        screen = self.screen
        if isinstance(screen, QueueScreen) or len(self.screen_stack) <= 1:
            self.exit()
            return
        for name in ("back", "cancel", "close"):
            method = getattr(screen, f"action_{name}", None)
            if method is not None:
                method()
                return

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()

    # ---- navigation --------------------------------------------------------------------------
    def queue_screen(self) -> QueueScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, QueueScreen):
                return screen
        return None

    def action_queue(self) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, QueueScreen):
            self.pop_screen()

    def action_escalations(self, view=None) -> None:
        """The escalation screen, on top of the queue (where `1` and esc lead back); ``view``
        (an EscalationView) switches it to that view."""
        from complaint_tui.tui.screens.escalations import EscalationScreen

        if any(isinstance(s, EscalationScreen) for s in self.screen_stack):
            while not isinstance(self.screen, EscalationScreen):
                self.pop_screen()
            if view is not None and view in self.screen.views and view is not self.screen.view:
                self.screen.show_view(view)
            return
        self.action_queue()
        self.push_screen(EscalationScreen(view))

    def action_reports(self) -> None:
        """The report screen, on top of the queue (where `1` and esc lead back); it keeps its
        period and filters while it is open."""
        from complaint_tui.tui.screens.report import ReportScreen

        if any(isinstance(s, ReportScreen) for s in self.screen_stack):
            while not isinstance(self.screen, ReportScreen):
                self.pop_screen()
            return
        self.action_queue()
        self.push_screen(ReportScreen())

    def action_team(self) -> None:
        """The team screen, on top of the queue (where `1` and esc lead back)."""
        from complaint_tui.tui.screens.team import TeamScreen

        if any(isinstance(s, TeamScreen) for s in self.screen_stack):
            while not isinstance(self.screen, TeamScreen):
                self.pop_screen()
            return
        self.action_queue()
        self.push_screen(TeamScreen())

    def show_queue_of(self, name: str) -> None:
        """The queue's open cases of one person (the team screen's enter)."""
        from complaint_tui.tui.screens.team import queue_query_of

        self.action_queue()
        queue = self.queue_screen()
        if queue is not None:
            queue.query_state = queue_query_of(name)
            queue.reload_all()

    def action_goto_ref(self) -> None:
        """`:` a ref typed in full opens that case (screens/goto_ref.py)."""
        from complaint_tui.tui.screens.goto_ref import GotoRefScreen

        if not isinstance(self.screen, GotoRefScreen):
            self.push_screen(GotoRefScreen(), self._go_to)

    def _go_to(self, ref: str | None) -> None:
        if ref:
            self.open_case(ref)

    def open_case(self, ref: str) -> None:
        from complaint_tui.tui.screens.case_detail import CaseDetailScreen

        self.push_screen(CaseDetailScreen(ref))

    def action_new_case(self) -> None:
        from complaint_tui.tui.screens.intake import IntakeScreen

        self.push_screen(IntakeScreen())

    def action_help(self) -> None:
        from complaint_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))
