"""The case screen names the policy version the case was stamped with ("policy v2"); publishing
a version changes no case recorded before."""

from __future__ import annotations

from complaint_tui.services.identity import actor_named
from complaint_tui.services.policy import publish_policy
from tests.tui.conftest import settle
from tests.tui.fixtures import new_case, open_case


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_the_case_header_names_the_version_it_was_stamped_with(make_app):
    app = make_app("lan.nguyen")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        ctx = app.backend.ctx
        old = new_case(app)
        publish_policy(ctx, actor_named(ctx, "it.admin"), "2027-01", "The Tết edition.")
        named = new_case(app)
        publish_policy(ctx, actor_named(ctx, "it.admin"), "3", "The third edition.")
        numbered = new_case(app)
        for case, shown in (
            (old, "policy v1"),
            (named, "policy v2027-01"),
            (numbered, "policy v3"),
        ):
            await open_case(app, pilot, case.ref)
            assert f"  {shown}  version " in screen_text(app), case.ref
            await pilot.press("escape")
            await settle(pilot)
