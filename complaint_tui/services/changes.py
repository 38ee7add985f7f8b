"""Noticing changes made by other sessions, cheaply, so screens refresh without a key press.

PostgreSQL: every case change runs pg_notify('complaint_tui_cases', ref) in its transaction (it is
delivered at commit) and the watcher LISTENs. SQLite: PRAGMA data_version on one long-lived
connection changes whenever another connection commits.
"""

from __future__ import annotations

import sqlite3
import threading
import time

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from complaint_tui.store.db import Database

CHANNEL = "complaint_tui_cases"


def announce_change(session: Session, db: Database, ref: str) -> None:
    if db.is_postgres:
        session.execute(text("SELECT pg_notify(:channel, :ref)"), {"channel": CHANNEL, "ref": ref})


class ChangeWatcher:
    """Blocking wait for "something changed"; run it in a worker thread."""

    def __init__(self, db: Database, poll_seconds: float = 0.5) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._conn = None
        self._version: int | None = None

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _open(self) -> None:
        url = make_url(self.db.url)
        if self.db.is_sqlite:
            self._conn = sqlite3.connect(
                url.database, check_same_thread=False, isolation_level=None
            )
            self._version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        else:
            import psycopg

            dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._conn = psycopg.connect(dsn, autocommit=True)
            self._conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> bool:
        """True when another session committed a change within ``timeout`` seconds."""
        if self._conn is None:
            self._open()
        deadline = time.monotonic() + timeout
        if self.db.is_sqlite:
            while not self._stop.is_set() and time.monotonic() < deadline:
                version = self._conn.execute("PRAGMA data_version").fetchone()[0]
                if version != self._version:
                    self._version = version
                    return True
                self._stop.wait(self.poll_seconds)
            return False
        changed = False
        for _ in self._conn.notifies(timeout=max(0.0, deadline - time.monotonic())):
            changed = True
            break
        return changed

    def close(self) -> None:
        self._stop.set()
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - closing a dead connection is not worth an error
                pass
            self._conn = None
