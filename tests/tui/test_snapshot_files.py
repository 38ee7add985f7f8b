"""Every approved snapshot belongs to a test that still exists.

syrupy fails a run on unused snapshots only without pytest-xdist; the suite runs in parallel, so
this test does that check: an SVG left behind by a renamed or removed test or parameter fails it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).parent / "__snapshots__"
# syrupy's file name: the test's name with its parameters, without the characters it strips, and
# ".N" for a test's second and later snapshots.
_STRIPPED = re.compile(r'[\\/?*:|"<>\x00-\x1f\x7f]')
_INDEX = re.compile(r"\.\d+$")


def orphan_snapshots(snapshot_root: Path, test_ids: list[str]) -> list[str]:
    """The SVGs under snapshot_root/<module>/ whose test is not among test_ids (pytest node ids)."""
    expected = set()
    for test_id in test_ids:
        path, sep, name = test_id.partition("::")
        if sep:
            expected.add((Path(path).stem, _STRIPPED.sub("", name.replace("::", "."))))
    return sorted(
        f"{svg.parent.name}/{svg.name}"
        for svg in snapshot_root.glob("*/*.svg")
        if (svg.parent.name, _INDEX.sub("", svg.stem)) not in expected
    )


def test_orphan_snapshots_are_found(tmp_path):
    (tmp_path / "test_screens").mkdir()
    for name in ("test_queue[80x24].svg", "test_queue[80x24].1.svg", "test_gone.svg"):
        (tmp_path / "test_screens" / name).write_text("<svg/>")
    ids = ["tests/tui/test_screens.py::test_queue[80x24]", "tests/tui/test_screens.py::test_new"]

    assert orphan_snapshots(tmp_path, ids) == ["test_screens/test_gone.svg"]


def test_every_snapshot_file_has_its_test():
    modules = sorted(d.name for d in SNAPSHOTS.iterdir() if d.is_dir())
    existing = [
        f"tests/tui/{m}.py" for m in modules if (ROOT / "tests" / "tui" / f"{m}.py").is_file()
    ]
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
        ]
        + existing,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()

    assert orphan_snapshots(SNAPSHOTS, collected) == []
