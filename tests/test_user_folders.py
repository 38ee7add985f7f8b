"""The test session never writes into the real user folders: tests/conftest.py points the XDG
cache, data and config folders at a temporary folder before any test runs."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import time
from datetime import date

from complaint_tui.domain.calendar import BusinessCalendar, CalendarRules
from complaint_tui.services.config import default_config_path, default_data_dir
from complaint_tui.services.context import HolidayFileStore
from tests.conftest import REAL_USER_FOLDERS, TEST_USER_ROOT


def test_every_user_folder_is_temporary():
    for var in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        assert os.environ[var].startswith(str(TEST_USER_ROOT)), var
    assert default_config_path().is_relative_to(TEST_USER_ROOT)
    assert default_data_dir().is_relative_to(TEST_USER_ROOT)
    assert HolidayFileStore.default().folder.is_relative_to(TEST_USER_ROOT)


def test_the_holiday_cache_is_written_to_the_temporary_folder_not_the_real_home():
    started = time.time() - 1
    store = HolidayFileStore.default()
    year = 2031  # a year no other test needs, so this test computes and saves it

    assert BusinessCalendar(CalendarRules(), store).is_public_holiday(date(year, 9, 2))

    assert (store.folder / f"VN-{year}.json").is_file()
    version = importlib.metadata.version("holidays")
    real = REAL_USER_FOLDERS["cache"] / "holidays" / version / f"VN-{year}.json"
    assert not real.exists() or real.stat().st_mtime < started, real


def test_subprocesses_inherit_the_temporary_folders():
    folder = subprocess.run(
        [
            sys.executable,
            "-c",
            "from complaint_tui.services.context import HolidayFileStore as S;"
            "print(S.default().folder)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert folder.startswith(str(TEST_USER_ROOT)), folder
