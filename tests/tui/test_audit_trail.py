"""`L` on the case screen: the audit trail (issue 8, item 4), for supervisors and managers.

The screen shows the service's entries in the service's order (the CLI's `audit REF` reads the
same), opens at the newest ones and pages through SQL in a bounded window; an agent pressing `L`
is told why not in one sentence, and the refusal is in the access log. Snapshots at 80x24 and
120x40, in colour and NO_COLOR, with the clock frozen at Wed 2026-11-25 10:00.

SQLite writes no change history (PostgreSQL's trigger does), so the case below gets two history
rows as the trigger would write them: one the program claims, one made outside it. That is how
the screen shows a PostgreSQL desk's changes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.services.audit import log_access
from complaint_tui.services.audit_trail import AuditTrail, TrailScope
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import PermissionDenied
from complaint_tui.services.identity import actor_named
from complaint_tui.store.models import AccessLog, Case, CaseHistory
from complaint_tui.tui.screens.audit_trail import AuditTrailScreen
from complaint_tui.tui.screens.case_detail import CaseDetailScreen
from complaint_tui.tui.widgets.audit_table import AuditTable
from complaint_tui.tui.widgets.paged_table import MAX_WINDOW
from tests.conftest import DEFAULT_NOW
from tests.tui.fixtures import local, open_case, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def audited_case(ctx) -> str:
    """A case with a short, varied trail: intake, assignment, a note with markup and escape
    codes in it, a customer update, an admin's refused look, and two change-history rows."""
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    lan = CaseDesk(ctx, actor_named(ctx, "lan.nguyen"))
    try:
        clock.set(local(24, 9, 0))
        ref = lan.create(
            IntakeDraft(
                customer="kh-55120",
                services=["VPS"],
                channel="email",
                subject="VPS rebooted [bold]twice[/] overnight",
                description="The VPS restarted at 02:10 and 03:40.",
                desired_outcome="A stable server.",
            )
        ).ref
        clock.set(local(24, 9, 10))
        lan.assign(ref, "lan.nguyen")
        clock.set(local(24, 9, 20))
        lan.note(ref, "[red]Host node[/] had a kernel panic\x1b[2J; moved the VPS.")
        clock.set(local(24, 9, 30))
        lan.update(ref, "We moved your VPS to a healthy host; it has run since 09:25.")
        clock.set(local(24, 9, 40))
        with pytest.raises(PermissionDenied):
            CaseDesk(ctx, actor_named(ctx, "it.admin")).get(ref)
        with ctx.db.session(write=True) as s:
            case_id = s.scalar(select(Case.id).where(Case.ref == ref))
            s.execute(
                insert(CaseHistory),
                [
                    dict(
                        case_id=case_id,
                        ref=ref,
                        at=local(24, 9, 10),
                        actor="lan.nguyen",
                        operation="update",
                        changed=["assignee_id", "version"],
                        old_values={"assignee_id": None, "version": 1},
                        new_values={
                            "assignee_id": actor_named(ctx, "lan.nguyen").id,
                            "version": 2,
                        },
                        via_app=True,
                    ),
                    dict(
                        case_id=case_id,
                        ref=ref,
                        at=local(24, 22, 5),
                        actor="lan.nguyen",
                        operation="update",
                        changed=["priority"],
                        old_values={"priority": "normal"},
                        new_values={"priority": "critical"},
                        via_app=False,
                    ),
                ],
            )
    finally:
        clock.set(DEFAULT_NOW)
    return ref


def service_entries(ctx, reader: str, ref: str):
    """The trail as the service pages it (first/after do not log a read)."""
    trail = AuditTrail(ctx, actor_named(ctx, reader))
    with ctx.db.session() as s:
        case_id = s.scalar(select(Case.id).where(Case.ref == ref))
    return list(trail.entries(TrailScope(ref=ref, case_id=case_id), page_size=7))


async def open_trail(app, pilot, ref: str) -> AuditTrailScreen:
    await open_case(app, pilot, ref)
    await pilot.press("L")
    await settle(pilot)
    assert isinstance(app.screen, AuditTrailScreen)
    return app.screen


# ---- behaviour ---------------------------------------------------------------------------------
async def test_L_shows_a_supervisor_the_same_trail_as_the_service(make_app, tui_ctx):
    ref = audited_case(tui_ctx)
    app = make_app("anh.vo")  # a supervisor
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_trail(app, pilot, ref)
        table = screen.query_one(AuditTable)
        expected = service_entries(tui_ctx, "anh.vo", ref)
        assert [e.key for e in table.rows] == [e.key for e in expected]
        assert [(e.actor, e.action, e.mark) for e in table.rows] == [
            ("lan.nguyen", "created", "timeline"),
            ("lan.nguyen", "case changed", "app (claimed)"),
            ("lan.nguyen", "assignment", "timeline"),
            ("lan.nguyen", "note", "timeline"),
            ("lan.nguyen", "customer update", "timeline"),
            ("it.admin", "view", "REFUSED"),
            ("lan.nguyen", "case changed", "outside the app"),
            ("anh.vo", "view", "allowed"),
            ("anh.vo", "audit", "allowed"),
        ]
        # Opened at the newest entry, whose detail is shown in full below the list.
        assert table.current() == table.rows[-1] and table.at_start and table.at_end
        await pilot.press("k", "k")
        detail = str(screen.query_one("#audit-detail").render())
        assert "lan.nguyen · case changed · outside the app" in detail
        assert "priority: normal → critical" in detail
        await pilot.press("escape")
        assert isinstance(app.screen, CaseDetailScreen)
    with tui_ctx.db.session() as s:
        reads = s.scalars(
            select(AccessLog).where(AccessLog.action == "audit", AccessLog.case_ref == ref)
        ).all()
    assert [(r.actor, r.allowed) for r in reads] == [("anh.vo", True)]  # one per opening


async def test_L_tells_an_agent_why_not_and_logs_the_refusal(make_app, tui_ctx):
    ref = audited_case(tui_ctx)
    app = make_app("lan.nguyen")  # an agent, the case's own
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(app, pilot, ref)
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, CaseDetailScreen)
        messages = [n.message for n in app._notifications]
        assert messages[-1] == (
            "Only supervisors and managers may read the audit trail; lan.nguyen is an agent."
        )
    with tui_ctx.db.session() as s:
        last = s.scalars(select(AccessLog).order_by(AccessLog.id.desc()).limit(1)).one()
    assert (last.actor, last.action, last.case_ref, last.allowed) == (
        "lan.nguyen",
        "audit",
        ref,
        False,
    )


async def test_a_long_trail_pages_through_sql_without_gaps_or_repeats(make_app, tui_ctx):
    """1,000 views more, many at the same instant: the window stays bounded, every page is a
    contiguous run of the trail, and paging walks it end to end and back."""
    ref = audited_case(tui_ctx)
    with tui_ctx.db.session(write=True) as s:
        for i in range(1_000):
            at = local(25, 8, i // 40)  # 40 views a minute
            log_access(s, at, ("minh.tran", "lan.nguyen")[i % 2], "view", ref, True, f"#{i}")
    app = make_app("anh.vo")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_trail(app, pilot, ref)
        table = screen.query_one(AuditTable)
        expected = [e.key for e in service_entries(tui_ctx, "anh.vo", ref)]
        assert len(expected) > 1_000
        position = {key: i for i, key in enumerate(expected)}

        def contiguous() -> int:
            keys = [e.key for e in table.rows]
            start = position[keys[0]]
            assert keys == expected[start : start + len(keys)]
            assert len(keys) <= MAX_WINDOW
            return start + table.cursor

        assert contiguous() == len(expected) - 1  # opened at the newest
        assert len(table.rows) < len(expected)  # and never read all of it
        await pilot.press("g")
        await settle(pilot)
        assert contiguous() == 0
        seen = [0]
        while seen[-1] < len(expected) - 1:
            await pilot.press("pagedown")
            await settle(pilot)
            seen.append(contiguous())
            assert seen[-1] - seen[-2] in (table.page_height, len(expected) - 1 - seen[-2])
        while seen[-1] > 0:
            await pilot.press("pageup")
            await settle(pilot)
            seen.append(contiguous())
        await pilot.press("G")
        await settle(pilot)
        assert contiguous() == len(expected) - 1


# ---- snapshots ---------------------------------------------------------------------------------
def trail_steps(ref: str):
    async def run_before(pilot) -> None:
        await open_trail(pilot.app, pilot, ref)
        await pilot.press("k", "k")  # the change made outside the app, in the detail pane
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_trail_screen(snap_compare, make_app, tui_ctx, size):
    ref = audited_case(tui_ctx)
    assert snap_compare(make_app("anh.vo"), terminal_size=size, run_before=trail_steps(ref))


@pytest.mark.parametrize("size", SIZES)
def test_trail_screen_no_color(snap_compare, make_app, tui_ctx, monkeypatch, size):
    """Without colour a refusal and a change outside the app still stand out: bold or reversed,
    and their Kind says so in words."""
    monkeypatch.setenv("NO_COLOR", "1")  # before the app is built: Textual reads it in __init__
    ref = audited_case(tui_ctx)
    app = make_app("anh.vo")
    assert app.no_color
    assert snap_compare(app, terminal_size=size, run_before=trail_steps(ref))
