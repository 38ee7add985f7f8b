"""Attachment files: read from disk for the CLI and the TUI alike, and saved back to disk always
inside the chosen folder, never over an existing file."""

from __future__ import annotations

import errno
import mimetypes
import os
import stat
from pathlib import Path

from complaint_tui.domain.intake import AttachmentInput, attachment_problem
from complaint_tui.domain.text import safe_filename
from complaint_tui.services.errors import Refused


class UnreadableFile(Exception):
    """str() says why, as the end of a sentence after the file's name: "is not a regular file",
    "cannot be read: Permission denied"."""


def read_regular_file(path: Path, limit: int) -> tuple[int, bytes]:
    """(size, contents) of a regular file; contents are b"" when the size is over ``limit``.

    Never blocks and never reads more than limit + 1 bytes: a FIFO opened without O_NONBLOCK
    waits for a writer forever, and a device such as /dev/zero never ends, so both are refused
    before any read. UnreadableFile when it cannot be read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except ValueError:  # a NUL in the path: it names no file
        raise UnreadableFile(f"cannot be read: {os.strerror(errno.ENOENT)}") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # a folder, device, FIFO or socket
            raise UnreadableFile("is not a regular file")
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        if info.st_size > limit:  # not read at all
            return info.st_size, b""
        try:
            data = fh.read(limit + 1)  # limit + 1: a file that grew since fstat shows it
        except OSError as exc:
            raise UnreadableFile(f"cannot be read: {exc.strerror}") from None
    return len(data), (b"" if len(data) > limit else data)


def read_attachment(path: Path, limit: int) -> AttachmentInput:
    """A file to attach, for the CLI and the TUI alike; anything else is refused in one sentence."""
    # A file name need not be UTF-8; what is stored and shown must be.
    name = os.fsencode(path.name).decode("utf-8", "replace")
    try:
        size, data = read_regular_file(path, limit)
    except UnreadableFile as exc:
        raise Refused(f"attachments: {str(path)!r} {exc}.") from None
    problem = attachment_problem(name, size, limit)
    if problem is not None:
        raise Refused(problem)
    return AttachmentInput(name, mimetypes.guess_type(name)[0] or "application/octet-stream", data)


def read_text_file(path: Path, limit: int) -> str:
    """A UTF-8 text file of at most ``limit`` bytes (settings, a policy text), read like an
    attachment: it never blocks on a FIFO nor reads a device to its end. A leading byte order
    mark is dropped and line ends become "\n". UnreadableFile when it is not such a file."""
    size, data = read_regular_file(path, limit)
    if size > limit:
        raise UnreadableFile(f"is {size:,} bytes, over the {limit:,}-byte limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("is not UTF-8 text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def save_attachment(desk, ref: str, attachment_id: int, folder: Path) -> Path:
    """Save an attachment into ``folder``; the desk logs the save, or why it failed."""
    folder = folder.expanduser()
    try:
        is_folder = folder.is_dir()
    except (OSError, ValueError):  # a name too long, a NUL: no folder has it
        is_folder = False
    if not is_folder:  # checked first: a save refused for its input reads and logs nothing
        raise Refused(f"{folder} is not a folder.")
    return desk.save_attachment(
        ref, attachment_id, lambda view, data: write_into(folder, view.name, data)
    )


def write_into(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as a new file named after ``name`` inside ``folder``: never outside it,
    never over an existing file (a number is added instead); Refused when it cannot."""
    base = safe_filename(name)
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
        raise Refused(f"Refusing to save {name!r} outside {folder}.")
    try:
        with open(resolved, "xb") as fh:
            fh.write(data)
    except OSError as exc:
        raise Refused(f"Cannot save into {folder}: {exc.strerror}.") from None
    return resolved


def write_new_file(path: Path, default_name: str, data: bytes) -> Path:
    """Write ``data`` to ``path`` as a new file, or into ``path`` as ``default_name`` when it is
    a folder (the report export); never over an existing file. Refused with one sentence when it
    cannot."""
    path = path.expanduser()
    try:
        is_folder, exists, parent_ok = path.is_dir(), path.exists(), path.parent.is_dir()
    except (OSError, ValueError):  # a name too long, a NUL
        raise Refused(f"{path} cannot be written.") from None
    if is_folder:
        return write_into(path, default_name, data)
    if exists:
        raise Refused(f"{path} exists already; give another file name or a folder.")
    if not parent_ok:
        raise Refused(f"{path.parent} is not a folder.")
    try:
        with open(path, "xb") as fh:
            fh.write(data)
    except OSError as exc:
        raise Refused(f"Cannot write {path}: {exc.strerror}.") from None
    return path.resolve()
