"""Command palette (ctrl+p): screens, queue views, actions on the current case, themes, and
Textual's own system commands.

One provider yields them all: Textual runs its providers concurrently from a set, so with two the
order of the list changed from one launch to the next.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from complaint_tui.services.queue import VIEW_ORDER


class ComplaintCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        out: list[tuple[str, Callable[[], object], str]] = [
            ("Go to queue", app.action_queue, "The start screen: most urgent first"),
            ("Go to escalations", app.action_escalations, "Cases awaiting an escalation decision"),
            ("New complaint", app.action_new_case, "Record a complaint (n)"),
            ("Help: keys of this screen", app.action_help, "Every binding, grouped (?)"),
        ]
        queue = app.queue_screen()
        if queue is not None:
            out.append(
                (
                    "Take next case",
                    queue.action_take_next,
                    "Assign yourself the most urgent unassigned case (t)",
                )
            )
            for view in VIEW_ORDER:
                out.append(
                    (f"View: {view.title}", partial(self._show_view, view), "Switch the queue view")
                )
        # Actions of the screen the palette was opened on (e.g. the case detail screen).
        screen = self.screen
        for active in screen.active_bindings.values():
            b = active.binding
            if b.id and b.id.startswith("case.") and b.description:
                out.append(
                    (f"Case: {b.description}", partial(screen.run_action, b.action), f"key {b.key}")
                )
        for name in sorted(app.available_themes):
            out.append(
                (
                    f"Theme: {name}",
                    partial(setattr, app, "theme", name),
                    "Switch and remember the theme",
                )
            )
        return out

    def _show_view(self, view) -> None:
        self.app.action_queue()
        queue = self.app.queue_screen()
        if queue is not None:
            queue.show_view(view)

    def _system_commands(self) -> list[tuple[str, Callable[[], object], str, bool]]:
        """Textual's (keys, quit, screenshot, …) plus the screen's own, sorted by name."""
        commands = sorted(self.app.get_system_commands(self.screen), key=lambda c: c[0])
        return [(name, callback, help_text, shown) for name, help_text, callback, shown in commands]

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)
        for name, callback, help_text, shown in self._system_commands():
            if shown:
                yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        everything = [(n, c, h) for n, c, h in self._commands()] + [
            (n, c, h) for n, c, h, _ in self._system_commands()
        ]
        for name, callback, help_text in everything:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
