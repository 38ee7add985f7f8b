"""Changes committed by another process appear in a running app within 2 s, without a key press."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest

from complaint_tui.domain.enums import Role
from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.identity import login_name
from complaint_tui.tui.app import ComplaintApp
from complaint_tui.tui.widgets.queue_table import QueueTable
from tests.conftest import add_agent


@pytest.fixture
def live_ctx(ctx):
    me = login_name(ctx)  # the PostgreSQL role, or the OS login on SQLite
    actor = add_agent(ctx, me, Role.SUPERVISOR)
    desk = CaseDesk(ctx, actor)
    for i in range(3):
        desk.create(
            IntakeDraft(
                customer=f"cust{i}",
                services=["VPS"],
                channel="email",
                subject=f"Existing {i}",
                description="x",
            )
        )
    return ctx, actor


async def test_other_process_change_appears_within_two_seconds(live_ctx):
    ctx, actor = live_ctx
    app = ComplaintApp(ctx, actor, watch_changes=True, save_theme=False, cursor_blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(3):
            await pilot.pause()
        await asyncio.sleep(0.5)  # the change watcher never completes, so no wait_for_complete
        table = app.screen.query_one(QueueTable)
        before = {r.ref for r in table.rows}
        assert len(before) == 3
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINT_TUI_")}
        env["COMPLAINT_TUI_DB"] = ctx.db.url
        if ctx.db.is_sqlite:
            env["COMPLAINT_TUI_AGENT"] = actor.name
        proc = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "complaint_tui", "case", "new", "--customer", "other.process",
             "--service", "VPS", "--channel", "phone", "--subject", "Made elsewhere", "--description", "y"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        new_ref = proc.stdout.strip()
        committed = time.monotonic()
        while time.monotonic() - committed < 2.0:
            await asyncio.sleep(0.05)
            if new_ref in {r.ref for r in table.rows}:
                break
        assert new_ref in {r.ref for r in table.rows}, (
            "the other process's case did not appear within 2 s"
        )
        await pilot.press("q")
