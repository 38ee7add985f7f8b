"""The audit trail (issue 8, item 4) on SQLite and PostgreSQL: the access log, the change history
and the timeline merged in (at, source, id) order; one case's trail and one person's in a period
of local dates; the entries' words and JSON; who may read a trail, and that reading it and being
refused are both in the access log; keyset pages without gaps or repeats.

The service tests connect as the database's superuser, so on PostgreSQL the change-history
trigger records that login for the program's own changes; what a real agent login changes with
raw SQL is tested in tests/test_pg_audit.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from complaint_tui.domain.parsing import ParseError, parse_date
from complaint_tui.services.audit import log_access
from complaint_tui.services.audit_trail import (
    ACCESS,
    APP_CLAIMED,
    CHANGE,
    OUTSIDE_APP,
    TIMELINE,
    AuditTrail,
    TrailScope,
)
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import NotFound, PermissionDenied, Refused
from complaint_tui.store.models import AccessLog, Case, CaseHistory, TimelineEvent
from tests.conftest import VN
from tests.helpers_db import access_rows, assert_denied, assert_one_sentence, draft

JSON_KEYS = {"at", "actor", "action", "allowed", "detail", "ref", "source", "via", "changes"}


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=VN)


def trail(ctx, actor) -> AuditTrail:
    return AuditTrail(ctx, actor)


def all_keys(ctx, scope: TrailScope) -> list[tuple]:
    """The trail's keys read straight from the three tables, sorted: what the service must give."""
    with ctx.db.session() as s:
        if scope.ref is not None:
            access = select(AccessLog.at, AccessLog.id).where(AccessLog.case_ref == scope.ref)
            change = select(CaseHistory.at, CaseHistory.id).where(
                CaseHistory.case_id == scope.case_id
            )
            events = select(TimelineEvent.at, TimelineEvent.id).where(
                TimelineEvent.case_id == scope.case_id
            )
        else:
            access = select(AccessLog.at, AccessLog.id).where(AccessLog.actor == scope.actor)
            change = select(CaseHistory.at, CaseHistory.id).where(CaseHistory.actor == scope.actor)
            events = select(TimelineEvent.at, TimelineEvent.id).where(
                TimelineEvent.actor == scope.actor
            )
        keys = [
            (at, source, id_)
            for source, stmt in ((ACCESS, access), (CHANGE, change), (TIMELINE, events))
            for at, id_ in s.execute(stmt)
        ]
    return sorted(k for k in keys if in_period(k[0], scope))


def in_period(at: datetime, scope: TrailScope) -> bool:
    return (scope.since is None or at >= scope.since) and (scope.until is None or at < scope.until)


def case_id(ctx, ref: str) -> int:
    with ctx.db.session() as s:
        return s.scalar(select(Case.id).where(Case.ref == ref))


def add_history(ctx, cid: int, ref: str, at: datetime, actor: str, **kw) -> int:
    """A change-history row as the PostgreSQL trigger writes it (SQLite has the table too)."""
    values = dict(
        case_id=cid,
        ref=ref,
        at=at,
        actor=actor,
        operation="update",
        changed=["priority"],
        old_values={"priority": "normal"},
        new_values={"priority": "high"},
        via_app=False,
    )
    values.update(kw)
    with ctx.db.session(write=True) as s:
        return s.execute(insert(CaseHistory).values(**values).returning(CaseHistory.id)).scalar()


# ---- one case's trail --------------------------------------------------------------------------
def test_case_trail_merges_views_refusals_changes_and_the_timeline_in_time_order(
    ctx, agents, clock
):
    alice = CaseDesk(ctx, agents["alice"])
    clock.set(local(24, 9, 0))
    ref = alice.create(draft()).ref
    clock.set(local(24, 9, 5))
    CaseDesk(ctx, agents["bob"]).get(ref)
    clock.set(local(24, 9, 10))
    alice.assign(ref, "alice")
    clock.set(local(24, 9, 15))
    alice.note(ref, "called the customer")
    clock.set(local(24, 9, 20))
    with pytest.raises(PermissionDenied):
        CaseDesk(ctx, agents["ada"]).get(ref)  # admins read no case contents
    clock.set(local(24, 9, 25))
    alice.set_priority(ref, "high")
    clock.set(local(24, 9, 30))
    reader = trail(ctx, agents["sue"])
    scope = reader.open_case(ref.lower())  # refs are found as typed in any case
    entries = list(reader.entries(scope))

    assert scope.ref == ref
    assert [e.key for e in entries] == all_keys(ctx, scope)
    app_clock = [
        (e.at.astimezone(VN).strftime("%H:%M"), e.source, e.actor, e.action, e.mark)
        for e in entries
        if e.source != CHANGE
    ]
    assert app_clock == [
        ("09:00", TIMELINE, "alice", "created", "timeline"),
        ("09:05", ACCESS, "bob", "view", "allowed"),
        ("09:10", TIMELINE, "alice", "assignment", "timeline"),
        ("09:15", TIMELINE, "alice", "note", "timeline"),
        ("09:20", ACCESS, "ada", "view", "REFUSED"),
        ("09:25", TIMELINE, "alice", "priority change", "timeline"),
        ("09:30", ACCESS, "sue", "audit", "allowed"),  # this very read, logged before it
    ]
    refused = next(e for e in entries if e.mark == "REFUSED")
    assert "Admins do not read case contents" in refused.detail and refused.allowed is False
    changes = [e for e in entries if e.source == CHANGE]
    if ctx.db.is_postgres:  # the trigger: creation, assignment, note, priority
        assert [e.action for e in changes] == ["case created"] + ["case changed"] * 3
        assert all(e.via == APP_CLAIMED and e.mark == APP_CLAIMED for e in changes)
        assert "priority: normal → high" in changes[-1].detail
    else:  # SQLite is advisory: nothing writes the change history
        assert changes == []


def test_a_change_lists_its_fields_readably_with_old_and_new_values(ctx, agents, clock):
    ref = CaseDesk(ctx, agents["alice"]).create(draft()).ref
    cid = case_id(ctx, ref)
    outside = add_history(
        ctx,
        cid,
        ref,
        local(25, 9, 0),
        "alice",
        changed=[
            "updated_at",
            "status",
            "assignee_id",
            "priority",
            "outcome",
            "paused_remaining_s",
        ],
        old_values={
            "updated_at": "2026-11-25T02:00:00+00:00",
            "status": "new",
            "assignee_id": None,
            "priority": "normal",
            "outcome": None,
            "paused_remaining_s": None,
        },
        new_values={
            "updated_at": "2026-11-25T10:05:00+07:00",
            "status": "investigating",
            "assignee_id": agents["alice"].id,
            "priority": "[bold red]high[/]\x1b[2J",
            "outcome": "line one\nline two " + "x" * 200,
            "paused_remaining_s": 7200.0,
        },
        via_app=False,
    )
    claimed = add_history(ctx, cid, ref, local(25, 9, 1), "bob", via_app=True)
    reader = trail(ctx, agents["max"])  # a manager
    entries = {e.id: e for e in reader.entries(reader.open_case(ref)) if e.source == CHANGE}

    change = entries[outside]
    assert (change.actor, change.action, change.allowed) == ("alice", "case changed", True)
    assert change.via == change.mark == OUTSIDE_APP
    texts = [c.text for c in change.changes]
    # The case's own order (priority, assignee, status …), bookkeeping last; instants in the
    # calendar's zone; labels, not enum values; customer text inert and cut.
    assert texts[:3] == [
        "priority: normal → [bold red]high[/]",
        "assignee: unassigned → alice",
        "status: new → under investigation",
    ]
    assert texts[3] == "resolution time left at pause: — → 2h left"
    assert texts[4].startswith("outcome: — → line one line two xxx") and texts[4].endswith("…")
    assert texts[5] == "updated: Wed 2026-11-25 09:00 → Wed 2026-11-25 10:05"
    assert change.detail == "; ".join(texts)
    assert "\x1b" not in change.detail and "\n" not in change.detail
    raw = {c["field"]: (c["old"], c["new"]) for c in change.to_json(VN)["changes"]}
    assert raw["priority"] == ("normal", "[bold red]high[/]\x1b[2J")  # JSON keeps what is stored
    assert raw["assignee_id"] == (None, agents["alice"].id)
    assert entries[claimed].via == APP_CLAIMED and entries[claimed].actor == "bob"


def test_a_value_written_outside_the_program_is_shown_as_stored(ctx, agents):
    ref = CaseDesk(ctx, agents["alice"]).create(draft()).ref
    row = add_history(
        ctx,
        case_id(ctx, ref),
        ref,
        local(25, 9, 0),
        "mallory",
        changed=["status", "resolved_at", "assignee_id", "escalation_pending"],
        old_values={"status": "new", "resolved_at": None, "assignee_id": None},
        new_values={
            "status": "bogus",
            "resolved_at": "not a time",
            "assignee_id": 99_999,
            "escalation_pending": True,
        },
    )
    reader = trail(ctx, agents["sue"])
    change = next(e for e in reader.entries(reader.open_case(ref)) if e.id == row)
    assert [c.text for c in change.changes] == [
        "assignee: unassigned → agent #99999",
        "status: new → bogus",
        "resolved: — → not a time",
        "escalation pending: — → yes",
    ]


# ---- one person's trail ------------------------------------------------------------------------
def test_actor_trail_holds_that_login_only_within_local_dates_inclusive(ctx, agents, clock):
    alice = CaseDesk(ctx, agents["alice"])
    clock.set(local(20, 9))
    sue = CaseDesk(ctx, agents["sue"])
    ref = sue.create(draft()).ref
    sue.assign(ref, "alice")  # hers to note
    cid = case_id(ctx, ref)
    with ctx.db.session(write=True) as s:
        for at, who in (
            (local(23, 23, 59, 59), "alice"),  # the day before the period
            (local(24, 0, 0), "alice"),  # its first instant (23 Nov 17:00 UTC)
            (local(25, 23, 59, 59), "alice"),  # its last second
            (local(26, 0, 0), "alice"),  # the day after
            (local(24, 12, 0), "bob"),  # someone else
        ):
            log_access(s, at, who, "view", ref, True, "")
    clock.set(local(24, 10))
    alice.note(ref, "inside the period")
    clock.set(local(26, 10))
    alice.note(ref, "after the period")
    inside = add_history(ctx, cid, ref, local(25, 12), "alice")
    add_history(ctx, cid, ref, local(22, 12), "alice")
    add_history(ctx, cid, ref, local(24, 12), "bob")

    reader = trail(ctx, agents["sue"])
    scope = reader.open_actor(" alice ", date(2026, 11, 24), date(2026, 11, 25))
    entries = list(reader.entries(scope))
    assert [e.key for e in entries] == all_keys(ctx, scope)
    assert {e.actor for e in entries} == {"alice"}
    assert [(e.at.astimezone(VN).isoformat(), e.source, e.ref) for e in entries] == [
        ("2026-11-24T00:00:00+07:00", ACCESS, ref),
        ("2026-11-24T10:00:00+07:00", TIMELINE, ref),
        ("2026-11-25T12:00:00+07:00", CHANGE, ref),
        ("2026-11-25T23:59:59+07:00", ACCESS, ref),
    ]
    assert entries[2].id == inside
    assert scope.title == "alice from 2026-11-24 to 2026-11-25"

    everything = reader.open_actor("alice")
    assert len(list(reader.entries(everything))) == len(all_keys(ctx, everything)) >= 8
    later = reader.open_actor("alice", first=date(2026, 11, 26))
    assert {e.at.astimezone(VN).date() for e in reader.entries(later)} >= {date(2026, 11, 26)}
    assert all(e.at >= local(26, 0) for e in reader.entries(later))


def test_actor_trail_refuses_an_empty_or_impossible_period(ctx, agents):
    reader = trail(ctx, agents["sue"])
    for first, last in ((date(2026, 11, 25), date(2026, 11, 24)), (date(1999, 12, 31), None)):
        with pytest.raises(Refused) as info:
            reader.open_actor("alice", first, last)
        assert_one_sentence(str(info.value))
    with pytest.raises(Refused):
        reader.open_actor("   ")
    with pytest.raises(Refused):
        reader.open_actor("al\x00ice")


def test_dates_are_typed_as_local_dates_and_a_day_starts_in_the_calendar_zone(ctx):
    assert parse_date(" 2026-11-5 ") == date(2026, 11, 5)
    for bad in ("2026-02-30", "25/11/2026", "2026-11-25 10:00", ""):
        with pytest.raises(ParseError):
            parse_date(bad)
    start = ctx.calendar.day_start(date(2026, 11, 24))
    assert start.astimezone(UTC) == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


# ---- who may read it, and the access log --------------------------------------------------------
@pytest.mark.parametrize("who", ["alice", "ada"])
def test_agents_and_admins_are_refused_in_one_sentence_and_the_refusal_is_logged(ctx, agents, who):
    ref = CaseDesk(ctx, agents["bob"]).create(draft()).ref
    reader = trail(ctx, agents[who])
    error = assert_denied(ctx, lambda: reader.open_case(ref), actor=who, what="audit", ref=ref)
    assert "supervisors and managers" in str(error)
    assert_denied(ctx, lambda: reader.open_actor("bob"), actor=who, what="audit", ref=None)
    # No way around the opening: a page asked for directly is refused (and logged) too.
    assert_denied(
        ctx, lambda: reader.first(TrailScope(ref=ref), 10), actor=who, what="audit", ref=ref
    )


@pytest.mark.parametrize("who", ["sue", "max"])
def test_reading_a_trail_is_logged_once_per_opening(ctx, agents, clock, who):
    ref = CaseDesk(ctx, agents["bob"]).create(draft()).ref
    reader = trail(ctx, agents[who])
    before = len(access_rows(ctx))
    scope = reader.open_case(ref)
    for _ in range(3):
        reader.first(scope, 1)
    reader.open_actor("bob", date(2026, 11, 1), date(2026, 11, 30))
    new = [(r.actor, r.action, r.case_ref, r.allowed, r.detail) for r in access_rows(ctx)[before:]]
    assert new == [
        (who, "audit", ref, True, ""),
        (who, "audit", None, True, "trail of bob from 2026-11-01 to 2026-11-30"),
    ]


def test_a_missing_case_is_not_found_but_a_ref_with_only_log_rows_has_a_trail(ctx, agents, clock):
    reader = trail(ctx, agents["sue"])
    for ref in ("C-2026-99999", "C-2026-\x0099", "x" * 40):
        with pytest.raises(NotFound):
            reader.open_case(ref)
    # Someone tried a case that does not exist: the attempt is in the log under that ref.
    with ctx.db.session(write=True) as s:
        log_access(s, clock.now(), "bob", "view", "C-2026-77777", False, "No case.")
    scope = reader.open_case("C-2026-77777")
    assert [(e.actor, e.mark) for e in reader.entries(scope)] == [
        ("bob", "REFUSED"),
        ("sue", "allowed"),
    ]


# ---- JSON ---------------------------------------------------------------------------------------
def test_json_entries_have_the_same_keys_for_every_source(ctx, agents, clock):
    ref = CaseDesk(ctx, agents["alice"]).create(draft()).ref
    add_history(ctx, case_id(ctx, ref), ref, clock.now(), "alice")
    reader = trail(ctx, agents["sue"])
    entries = [e.to_json(VN) for e in reader.entries(reader.open_case(ref))]
    assert {e["source"] for e in entries} == {ACCESS, CHANGE, TIMELINE}
    for entry in entries:
        assert set(entry) == JSON_KEYS
        assert datetime.fromisoformat(entry["at"]).utcoffset() == timedelta(hours=7)
        assert isinstance(entry["allowed"], bool) and isinstance(entry["changes"], list)
        assert entry["ref"] == ref
        assert (entry["via"] is None) == (entry["source"] != CHANGE)


# ---- pages --------------------------------------------------------------------------------------
def test_paging_through_a_long_trail_has_no_gaps_or_repeats(ctx, agents, clock):
    """Many entries share an instant (a frozen clock, a bulk load): the key's source and id
    order them, and a page boundary inside a tie loses and repeats nothing."""
    ref = CaseDesk(ctx, agents["alice"]).create(draft()).ref
    cid = case_id(ctx, ref)
    instants = [local(25, 9, minute) for minute in range(4)]
    with ctx.db.session(write=True) as s:
        for i in range(240):
            log_access(s, instants[i % 4], ("bob", "sue")[i % 2], "view", ref, i % 7 != 0, "")
        s.execute(
            insert(TimelineEvent),
            [
                dict(case_id=cid, kind="note", actor="alice", at=instants[i % 4], text=f"n{i}")
                for i in range(30)
            ],
        )
    for i in range(12):
        add_history(ctx, cid, ref, instants[i % 4], "alice")
    reader = trail(ctx, agents["sue"])
    scope = reader.open_case(ref)
    expected = all_keys(ctx, scope)
    assert len(expected) > 280

    forward, page = [], reader.first(scope, 17)
    assert page.at_start
    while True:
        forward += [e.key for e in page.rows]
        if page.at_end:
            break
        page = reader.after(scope, page.rows[-1].key, 17)
    assert forward == expected

    backward, page = [], reader.last(scope, 23)
    assert page.at_end
    while True:
        backward[:0] = [e.key for e in page.rows]
        if page.at_start:
            break
        page = reader.before(scope, page.rows[0].key, 23)
    assert backward == expected

    # From the middle of a tie, both ways.
    middle = expected[150]
    after = reader.after(scope, middle, 40)
    before = reader.before(scope, middle, 40)
    assert [e.key for e in after.rows] == expected[151:191]
    assert [e.key for e in before.rows] == expected[110:150]
    assert not after.at_end and not before.at_start
