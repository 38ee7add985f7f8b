"""Command palette (ctrl+p): the current screen's actions, screens, queue views, themes, and
Textual's own system commands.

One source for a screen's actions: its bindings. A screen lists the ids of the bindings worth
offering (``PALETTE``); each command is named like the help screen names it (the binding's tooltip
or description) and shows the keys that run it now, read from the active bindings, so a keymap
from the settings (``[ui] keys``) shows as remapped.

One provider yields them all: Textual runs its providers concurrently from a set, so with two the
order of the list changed from one launch to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding, BindingsMap
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from complaint_tui.services.escalations import views_for
from complaint_tui.services.queue import VIEW_ORDER


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    run: Callable[[], object]
    help: str = ""


def _shown_keys(app, bindings: Iterable[Binding], binding_ids: tuple[str, ...]) -> str:
    """How the app displays the keys of those of ``bindings`` with these ids, once each."""
    shown: list[str] = []
    for binding in bindings:
        if binding.id in binding_ids:
            key = app.get_key_display(binding)
            if key not in shown:
                shown.append(key)
    return " / ".join(shown)


def keys_for(screen: Screen, *binding_ids: str) -> str:
    """The keys that run these bindings on ``screen`` now (after the keymap), e.g. "j / down"."""
    active = (a.binding for a in screen.active_bindings.values())
    return _shown_keys(screen.app, active, binding_ids)


def keys_elsewhere(app, screen_class: type[Screen], binding_id: str, keymap) -> str:
    """The keys that run a binding of a screen not shown now, after ``keymap`` (the settings'
    ``[ui] keys``, which the app applies): e.g. the case screen's escalation key, named on the
    escalation screen."""
    bindings = BindingsMap(screen_class.BINDINGS)
    bindings.apply_keymap(dict(keymap))
    every = (b for group in bindings.key_to_bindings.values() for b in group)
    return _shown_keys(app, every, (binding_id,))


def key_hint(screen: Screen, *parts: tuple[str, str]) -> str:
    """A hint line from (binding id, what it does) pairs, each with the keys that run it now,
    e.g. "^s save · esc cancel"; a binding not active now is left out."""
    shown = []
    for ident, what in parts:
        keys = keys_for(screen, ident)
        if keys:
            shown.append(f"{keys} {what}")
    return " · ".join(shown)


def _with_keys(help_text: str, keys: str) -> str:
    return " · ".join(part for part in (help_text, f"key {keys}" if keys else "") if part)


def screen_name(screen: Screen) -> str:
    """What the help and the palette call a screen ("Case", "New complaint")."""
    return getattr(screen, "SCREEN_NAME", "") or type(screen).__name__.removesuffix("Screen")


def screen_commands(screen: Screen) -> list[PaletteCommand]:
    """The actions a screen offers in the palette (its ``PALETTE`` binding ids), in that order."""
    wanted = getattr(screen, "PALETTE", ())
    declared = {b.id: b for b in screen.BINDINGS if isinstance(b, Binding) and b.id}
    subject = getattr(screen, "palette_subject", "")  # e.g. the case's ref
    # Only what the screen allows now (its check_action): the footer and the help show the same.
    offered = {active.binding.id for active in screen.active_bindings.values()}
    out = []
    for ident in wanted:
        if ident not in offered:
            continue
        binding = declared[ident]
        out.append(
            PaletteCommand(
                f"{screen_name(screen)}: {binding.tooltip or binding.description}",
                partial(screen.run_action, binding.action),
                _with_keys(subject, keys_for(screen, ident)),
            )
        )
    return out


def theme_commands(app) -> list[PaletteCommand]:
    """The app's own themes only: Textual's built-in ones lack the urgency colours."""
    return [
        PaletteCommand(
            f"Theme: {name}", partial(setattr, app, "theme", name), "Switch and remember the theme"
        )
        for name in app.complaint_themes
    ]


class ComplaintCommands(Provider):
    def _commands(self) -> list[PaletteCommand]:
        app = self.app
        screen = self.screen
        # The screen's own actions first: on a case, its actions are what the agent looks for.
        out = screen_commands(screen)
        out += [
            PaletteCommand(
                "Go to queue",
                app.action_queue,
                _with_keys("The start screen: most urgent first", keys_for(screen, "app.queue")),
            ),
            PaletteCommand(
                "Go to escalations",
                app.action_escalations,
                _with_keys(
                    "Cases awaiting an escalation decision", keys_for(screen, "app.escalations")
                ),
            ),
            PaletteCommand(
                "Go to reports",
                app.action_reports,
                _with_keys(
                    "On-time figures, volumes and trends for a period",
                    keys_for(screen, "app.reports"),
                ),
            ),
            PaletteCommand(
                "Go to team",
                app.action_team,
                _with_keys(
                    "Who holds what: each person's open cases", keys_for(screen, "app.team")
                ),
            ),
            PaletteCommand(
                "Go to a case by ref",
                app.action_goto_ref,
                _with_keys(
                    "Open a case from its ref typed in full", keys_for(screen, "app.goto_ref")
                ),
            ),
            PaletteCommand(
                "New complaint",
                app.action_new_case,
                _with_keys(
                    "Record a complaint", keys_for(screen, "queue.new_case", "app.new_case")
                ),
            ),
            PaletteCommand(
                "Help: keys of this screen",
                app.action_help,
                _with_keys("Every binding, grouped", keys_for(screen, "app.help")),
            ),
        ]
        queue = app.queue_screen()
        if queue is not None:
            out.append(
                PaletteCommand(
                    "Take next case",
                    queue.action_take_next,
                    _with_keys(
                        "Assign yourself the most urgent unassigned case",
                        keys_for(queue, "queue.take"),
                    ),
                )
            )
            for view in VIEW_ORDER:
                out.append(
                    PaletteCommand(
                        f"View: {view.title}",
                        partial(self._show_view, view),
                        "Switch the queue view",
                    )
                )
        for view in views_for(app.backend.actor):
            out.append(
                PaletteCommand(
                    f"Escalations: {view.title}",
                    partial(self._show_escalations, view),
                    "Switch the escalation screen's view",
                )
            )
        out += theme_commands(app)
        return out

    def _show_view(self, view) -> None:
        self.app.action_queue()
        queue = self.app.queue_screen()
        if queue is not None:
            queue.show_view(view)

    def _show_escalations(self, view) -> None:
        self.app.action_escalations(view)

    def _system_commands(self) -> list[tuple[PaletteCommand, bool]]:
        """Textual's (keys, quit, screenshot, …), sorted by name; the flag says shown unsearched."""
        commands = sorted(self.app.get_system_commands(self.screen), key=lambda c: c.title)
        return [(PaletteCommand(c.title, c.callback, c.help), c.discover) for c in commands]

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.run, help=command.help)
        for command, shown in self._system_commands():
            if shown:
                yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        everything = self._commands() + [command for command, _ in self._system_commands()]
        for command in everything:
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.run, help=command.help)


class ComplaintThemes(Provider):
    """Textual's theme picker ("Theme" in the palette), offering only the app's own themes."""

    async def discover(self) -> Hits:
        for command in theme_commands(self.app):
            yield DiscoveryHit(command.title.removeprefix("Theme: "), command.run)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in theme_commands(self.app):
            name = command.title.removeprefix("Theme: ")
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command.run)
