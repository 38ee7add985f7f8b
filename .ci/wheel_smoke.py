"""Packaging smoke test, run by .ci/run with the python of a fresh venv holding only the wheel.

    python -I wheel_smoke.py SOURCE_TREE CASE_REF

1. The package is imported from that venv, never from the source tree.
2. Every file of the source package (code, themes, CSS, migrations, seed text) is in the installed
   package, found through importlib.resources.
3. The TUI starts headless on the database the CLI just set up (COMPLAINT_TUI_DB,
   COMPLAINT_TUI_AGENT, COMPLAINT_TUI_CONFIG come from the caller): the queue screen is mounted
   and shows CASE_REF, the theme is complaint-dark, and no theme file was reported as broken.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

os.environ["TEXTUAL_ANIMATIONS"] = "none"  # before Textual is first imported


def fail(message: str) -> None:
    print(f"wheel smoke test: {message}", file=sys.stderr)
    sys.exit(1)


def source_files(tree: Path) -> set[str]:
    """The package's files as the repository tracks them (all files when it is not a checkout)."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(tree), "ls-files", "complaint_tui"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        listed = [
            str(p.relative_to(tree))
            for p in (tree / "complaint_tui").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        ]
    return {name.removeprefix("complaint_tui/") for name in listed}


def installed_files(folder, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for entry in folder.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            found |= installed_files(entry, f"{prefix}{entry.name}/")
        else:
            found.add(prefix + entry.name)
    return found


def check_installed_package(tree: Path) -> None:
    import complaint_tui

    where = Path(complaint_tui.__file__).resolve()
    if tree.resolve() in where.parents or Path(sys.prefix).resolve() not in where.parents:
        fail(f"complaint_tui was imported from {where}, not from the wheel's venv {sys.prefix}.")
    missing = source_files(tree) - installed_files(resources.files("complaint_tui"))
    if missing:
        fail("the wheel lacks " + ", ".join(sorted(missing)) + ".")


async def start_tui(case_ref: str) -> None:
    from complaint_tui.services.config import load_settings, resolve_database_url
    from complaint_tui.services.context import AppContext
    from complaint_tui.services.identity import resolve_actor
    from complaint_tui.tui.app import ComplaintApp
    from complaint_tui.tui.screens.queue import QueueScreen
    from complaint_tui.tui.widgets.queue_table import QueueTable

    settings = load_settings()
    ctx = AppContext.build(settings, resolve_database_url(None, settings))
    ctx.check_schema()
    app = ComplaintApp(ctx, resolve_actor(ctx))  # as `complaint-tui` builds it, change watcher too
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):  # the first page is loaded by a worker
            await pilot.pause(0.05)
            screen = app.screen
            if isinstance(screen, QueueScreen) and screen.query_one(QueueTable).current():
                break
        if not isinstance(app.screen, QueueScreen):
            fail(f"the TUI shows {type(app.screen).__name__}, not the queue.")
        row = app.screen.query_one(QueueTable).current()
        if row is None or row.ref != case_ref:
            fail(f"the queue shows {row.ref if row else 'no case'}, not {case_ref}.")
        if app.theme != "complaint-dark":
            fail(f"the theme is {app.theme!r}, not 'complaint-dark'.")
        warnings = [n.message for n in app._notifications if n.severity != "information"]
        if warnings:
            fail("the TUI warned: " + " ".join(warnings))
        await pilot.press("q")
    ctx.db.dispose()


def main() -> None:
    tree, case_ref = Path(sys.argv[1]), sys.argv[2]
    check_installed_package(tree)
    asyncio.run(start_tui(case_ref))
    print(f"wheel smoke test: the installed TUI started on the queue showing {case_ref}.")


if __name__ == "__main__":
    main()
