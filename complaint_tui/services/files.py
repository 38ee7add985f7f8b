"""Saving attachments to disk: always inside the chosen folder, never over an existing file."""

from __future__ import annotations

from pathlib import Path

from complaint_tui.domain.text import safe_filename
from complaint_tui.services.errors import Refused


def save_attachment(desk, ref: str, attachment_id: int, folder: Path) -> Path:
    view, data = desk.attachment_data(ref, attachment_id)
    folder = folder.expanduser()
    if not folder.is_dir():
        raise Refused(f"{folder} is not a folder.")
    base = safe_filename(view.name)
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    target = folder / base
    n = 1
    while target.exists():
        target = folder / (f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})")
        n += 1
    resolved = target.resolve()
    if resolved.parent != folder.resolve():
        raise Refused(f"Refusing to save {view.name!r} outside {folder}.")
    try:
        with open(resolved, "xb") as fh:
            fh.write(data)
    except OSError as exc:
        raise Refused(f"Cannot save into {folder}: {exc.strerror}.") from None
    return resolved
