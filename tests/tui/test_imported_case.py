"""The case screen names where an imported case came from ("imported from OLD-1002")."""

from __future__ import annotations

import json

from complaint_tui.services.history_import import import_history
from complaint_tui.services.identity import actor_named
from tests.test_history_import import LINES
from tests.tui.conftest import settle
from tests.tui.fixtures import new_case, open_case
from tests.tui.test_policy_version import screen_text


async def test_the_case_screen_shows_the_source_ref_of_an_imported_case(make_app, tmp_path):
    app = make_app("anh.vo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ctx = app.backend.ctx
        path = tmp_path / "history.jsonl"
        obj = json.loads(LINES[1])
        path.write_text(json.dumps(obj) + "\n", encoding="utf-8")
        ((ref, source),) = import_history(ctx, actor_named(ctx, "anh.vo"), path).refs
        await open_case(app, pilot, ref)
        assert f"imported from {source}" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        made_here = new_case(app)
        await open_case(app, pilot, made_here.ref)
        assert "imported from" not in screen_text(app)
