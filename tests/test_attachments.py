"""Attachments: size cap from settings, sha256 and size, sanitised names, safe saving to disk."""

from __future__ import annotations

import hashlib
import os

import pytest
from sqlalchemy import select

from complaint_tui.domain.intake import AttachmentInput
from complaint_tui.domain.settings import IntakeSettings, Settings
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import NotFound, PermissionDenied, Refused, ValidationFailed
from complaint_tui.services.files import save_attachment
from complaint_tui.store.models import Attachment, Case
from tests.helpers_db import assert_unchanged, draft, dump

CAP = 64


def att(name: str, data: bytes, ctype: str = "application/octet-stream") -> AttachmentInput:
    return AttachmentInput(name, ctype, data)


@pytest.fixture
def desk(ctx, agents) -> CaseDesk:
    return CaseDesk(ctx, agents["alice"])


@pytest.fixture
def small_cap(db_url, clock, agents):
    """A second context on the same database whose settings cap attachments at CAP bytes."""
    ctx = AppContext.build(Settings(intake=IntakeSettings(max_attachment_bytes=CAP)), db_url, clock)
    yield CaseDesk(ctx, agents["alice"])
    ctx.db.dispose()


def test_default_cap_is_ten_mebibytes(ctx, desk):
    assert Settings().intake.max_attachment_bytes == 10 * 1024 * 1024
    before = dump(ctx)
    with pytest.raises(ValidationFailed) as info:
        desk.create(draft(attachments=[att("dump.bin", b"\0" * (10 * 1024 * 1024 + 1))]))
    assert dump(ctx) == before
    assert str(info.value).startswith("attachments")


def test_size_cap_from_settings(small_cap):
    desk = small_cap
    ctx = desk.ctx
    before = dump(ctx)
    with pytest.raises(ValidationFailed) as info:
        desk.create(draft(attachments=[att("big.log", b"x" * (CAP + 1))]))
    assert dump(ctx) == before, "an oversized attachment must not create the case"
    assert "big.log" in str(info.value) and f"{CAP}" in str(info.value)

    at_cap = desk.create(draft(attachments=[att("fits.log", b"y" * CAP)]))
    desk.assign(at_cap.ref, "alice")
    assert [a.size for a in at_cap.attachments] == [CAP]
    err = assert_unchanged(
        ctx, lambda: desk.attach(at_cap.ref, att("later.log", b"z" * (CAP + 1))), ValidationFailed
    )
    assert "later.log" in str(err)
    assert_unchanged(ctx, lambda: desk.attach(at_cap.ref, att("empty.log", b"")), ValidationFailed)


def test_sha256_size_and_bytes_are_kept(desk):
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 3
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 100
    created = desk.create(
        draft(attachments=[att("invoice.pdf", pdf, "application/pdf"), att("shot.png", png, "")])
    )
    views = {a.name: a for a in created.attachments}
    assert set(views) == {"invoice.pdf", "shot.png"}
    assert views["invoice.pdf"].size == len(pdf)
    assert views["invoice.pdf"].sha256 == hashlib.sha256(pdf).hexdigest()
    assert views["invoice.pdf"].content_type == "application/pdf"
    assert views["shot.png"].sha256 == hashlib.sha256(png).hexdigest()
    assert views["shot.png"].content_type == "image/png"  # guessed when not given
    assert views["shot.png"].added_by == "alice"
    view, data = desk.attachment_data(created.ref, views["invoice.pdf"].id)
    assert data == pdf and view.sha256 == hashlib.sha256(data).hexdigest()

    desk.assign(created.ref, "alice")
    later = desk.attach(created.ref, att("log.txt", b"late evidence"))
    assert later.attachments[-1].sha256 == hashlib.sha256(b"late evidence").hexdigest()
    assert later.timeline[-1].kind.value == "attachment"
    with pytest.raises(NotFound):
        desk.attachment_data(created.ref, 999_999)


HOSTILE = [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\win.ini", "win.ini"),
    ("/var/lib/report.pdf", "report.pdf"),
    (".bashrc", "bashrc"),
    ("\x1b[31mred\x1b[0m.txt", "red.txt"),
    ("nul\x00byte.txt", None),
    ("line\nbreak\r.txt", None),
    ("\u202eexe.pdf", None),
    ("[bold]markup[/bold].txt", None),
    ("..", None),
    ("", None),
    ("a" * 300 + ".txt", None),
    ("Hóa đơn tháng 11.pdf", None),
]


def assert_safe_name(name: str) -> None:
    assert name and len(name) <= 128
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert name not in (".", "..")
    assert all(ch.isprintable() for ch in name), repr(name)
    assert "\u202e" not in name


def test_hostile_file_names_are_sanitised(desk):
    created = desk.create(draft(attachments=[att(n, b"data") for n, _ in HOSTILE]))
    names = [a.name for a in created.attachments]
    assert len(names) == len(HOSTILE)
    for (given, expected), stored in zip(HOSTILE, names, strict=True):
        assert_safe_name(stored)
        if expected is not None:
            assert stored.lower() == expected.lower(), (given, stored)
    vietnamese = names[-1]
    assert vietnamese.isascii() and "don" in vietnamese.lower()
    assert "\x00" not in names[5] and "byte" in names[5]


# ---- saving to disk ---------------------------------------------------------------------------
def case_with(desk: CaseDesk, name: str, data: bytes) -> tuple[str, int]:
    created = desk.create(draft(attachments=[att(name, data)]))
    return created.ref, created.attachments[0].id


def test_save_writes_inside_the_folder_and_never_overwrites(desk, tmp_path):
    root = tmp_path / "fs"  # tmp_path itself holds the SQLite file
    folder = root / "downloads"
    folder.mkdir(parents=True)
    ref, att_id = case_with(desk, "evidence.txt", b"the evidence")
    (folder / "evidence.txt").write_bytes(b"ORIGINAL")

    first = save_attachment(desk, ref, att_id, folder)
    second = save_attachment(desk, ref, att_id, folder)
    assert first.parent == folder.resolve() and second.parent == folder.resolve()
    assert len({first, second, folder / "evidence.txt"}) == 3
    assert (folder / "evidence.txt").read_bytes() == b"ORIGINAL"
    assert first.read_bytes() == second.read_bytes() == b"the evidence"
    assert first.suffix == ".txt"
    assert sorted(p.name for p in root.iterdir()) == ["downloads"]


def test_save_of_a_hostile_stored_name_stays_inside(ctx, desk, tmp_path):
    tmp_path = tmp_path / "fs"  # tmp_path itself holds the SQLite file
    ref, att_id = case_with(desk, "harmless.txt", b"payload")
    with ctx.db.session(write=True) as s:  # a name written by an older or foreign client
        row = s.get(Attachment, att_id)
        row.name = "../../escaped.txt"
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    saved = save_attachment(desk, ref, att_id, folder)
    assert saved.parent == folder.resolve()
    assert saved.read_bytes() == b"payload"
    assert not (tmp_path / "escaped.txt").exists()
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [
        str(saved.relative_to(tmp_path.resolve()))
    ]


def test_save_does_not_follow_symlinks_out_of_the_folder(desk, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    ref, att_id = case_with(desk, "notes.txt", b"attachment bytes")
    # A dangling link where the file would go, and a link to an existing file outside.
    os.symlink(outside / "created-through-link.txt", folder / "notes.txt")
    victim = outside / "victim.txt"
    victim.write_bytes(b"keep me")
    os.symlink(victim, folder / "notes (1).txt")

    try:
        saved = save_attachment(desk, ref, att_id, folder)
    except Refused:
        saved = None
    assert not (outside / "created-through-link.txt").exists()
    assert victim.read_bytes() == b"keep me"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    if saved is not None:
        assert saved.parent == folder.resolve() and not saved.is_symlink()
        assert saved.read_bytes() == b"attachment bytes"


def test_save_refusals(ctx, agents, desk, tmp_path):
    ref, att_id = case_with(desk, "a.txt", b"A")
    with pytest.raises(Refused) as info:
        save_attachment(desk, ref, att_id, tmp_path / "missing")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "missing").exists()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(Refused):
        save_attachment(desk, ref, att_id, a_file)

    sue = CaseDesk(ctx, agents["sue"])
    secret = sue.create(draft(confidential=True, attachments=[att("s.txt", b"secret")]))
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(PermissionDenied):
        save_attachment(desk, secret.ref, secret.attachments[0].id, folder)
    assert list(folder.iterdir()) == []
    with pytest.raises(NotFound):  # an attachment of another case is not reachable via this one
        save_attachment(desk, ref, secret.attachments[0].id, folder)
    assert list(folder.iterdir()) == []
    with ctx.db.session() as s:
        assert s.scalar(select(Case.ref).where(Case.id == s.get(Attachment, att_id).case_id)) == ref
