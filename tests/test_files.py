"""The one attachment reader (services.files.read_attachment) the CLI and the TUI share: regular
files of at most the limit, read without blocking; everything else refused in one sentence."""

from __future__ import annotations

import os
import resource
import select
import signal
import tempfile
from pathlib import Path

import pytest

from complaint_tui.services.errors import Refused
from complaint_tui.services.files import read_attachment, read_regular_file
from tests.helpers_db import assert_one_sentence

LIMIT = 100


def refused(path: Path, limit: int = LIMIT) -> str:
    with pytest.raises(Refused) as info:
        read_attachment(path, limit)
    message = str(info.value)
    assert_one_sentence(message)
    assert message.startswith("attachments: ")
    return message


def in_child(fn, timeout: float = 20.0) -> str:
    """fn() in a forked child with a memory cap and a deadline, so a reader that blocks (a FIFO)
    or never ends (/dev/zero) fails the test instead of hanging it or exhausting the machine.
    Returns what fn returned, or "raised ..." ."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        try:
            os.close(read_end)
            pages = int(Path("/proc/self/statm").read_text().split()[0])
            cap = pages * os.sysconf("SC_PAGE_SIZE") + (512 << 20)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
            try:
                outcome = str(fn())
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                outcome = f"raised {type(exc).__name__}: {exc}"
            os.write(write_end, outcome.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], timeout)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"still reading after {timeout} s")
        with os.fdopen(read_end, "rb", closefd=False) as pipe:
            return pipe.read().decode()
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)


def refused_in_child(path: Path, limit: int = LIMIT) -> str:
    def attempt() -> str:
        try:
            read_attachment(path, limit)
        except Refused as exc:
            return str(exc)
        return "read"

    return in_child(attempt)


def test_a_regular_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "traceroute.txt"
    path.write_bytes(b"x" * LIMIT)
    att = read_attachment(path, LIMIT)
    assert (att.name, att.content_type, att.data) == ("traceroute.txt", "text/plain", b"x" * LIMIT)


def test_one_byte_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.log"
    path.write_bytes(b"x" * (LIMIT + 1))
    assert refused(path) == "attachments: 'big.log' is 101 bytes, over the 100-byte limit."


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert refused(path) == "attachments: 'empty.pdf' is empty."


def test_a_symlink_to_a_regular_file_is_read_under_the_links_name(tmp_path):
    target = tmp_path / "real.bin"
    target.write_bytes(b"\x00\x01")
    link = tmp_path / "link.png"
    link.symlink_to(target)
    att = read_attachment(link, LIMIT)
    assert (att.name, att.content_type, att.data) == ("link.png", "image/png", b"\x00\x01")


def test_dev_zero_is_refused_without_reading():
    """It used to be read until memory ran out (st_size is 0, so the size check passed)."""
    message = refused_in_child(Path("/dev/zero"), 10 * 1024 * 1024)
    assert message == "attachments: '/dev/zero' is not a regular file."


def test_a_fifo_is_refused_without_blocking(tmp_path):
    """Opening a FIFO for reading used to wait for a writer forever."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    message = refused_in_child(fifo)
    assert message == f"attachments: {str(fifo)!r} is not a regular file."


def test_a_folder_is_refused(tmp_path):
    assert refused(tmp_path) == f"attachments: {str(tmp_path)!r} is not a regular file."


def test_a_missing_file_is_refused(tmp_path):
    message = refused(tmp_path / "nope.pdf")
    assert message.startswith(f"attachments: {str(tmp_path / 'nope.pdf')!r} cannot be read: ")
    assert "No such file" in message


def test_an_unreadable_file_is_refused():
    """Read as an unprivileged user when run as root (root reads any file, whatever its mode)."""
    folder = Path(tempfile.mkdtemp(prefix="ct-unreadable-"))
    secret = folder / "secret.txt"
    try:
        folder.chmod(0o755)
        secret.write_bytes(b"x")
        secret.chmod(0o000)

        def attempt() -> str:
            if os.geteuid() == 0:
                os.setgid(65534)  # nogroup / nobody
                os.setuid(65534)
            try:
                read_attachment(secret, LIMIT)
            except Refused as exc:
                return str(exc)
            return "read"

        assert (
            in_child(attempt) == f"attachments: {str(secret)!r} cannot be read: Permission denied."
        )
    finally:
        secret.unlink(missing_ok=True)
        folder.rmdir()


def test_a_file_name_that_is_not_utf8_is_stored_readably(tmp_path):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/r\xe9sum\xe9.txt"))
    path.write_bytes(b"cv")
    att = read_attachment(path, LIMIT)
    assert att.name == "r\ufffdsum\ufffd.txt"
    att.name.encode("utf-8")  # storable


def test_read_regular_file_reads_at_most_limit_plus_one_bytes(tmp_path):
    path = tmp_path / "grows.log"
    path.write_bytes(b"y" * 10)
    assert read_regular_file(path, 10) == (10, b"y" * 10)
    assert read_regular_file(path, 9) == (10, b"")  # over: not read at all
