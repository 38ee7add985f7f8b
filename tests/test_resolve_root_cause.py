"""Resolving takes a root cause from [intake] root_causes or "Other: <text>", in the service and
on the command line alike, on SQLite and PostgreSQL; a refusal changes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from complaint_tui.domain.enums import EventKind, Status
from complaint_tui.domain.settings import DEFAULT_ROOT_CAUSES, IntakeSettings, Settings
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import ValidationFailed
from complaint_tui.services.identity import actor_named
from tests.helpers_db import assert_unchanged, draft
from tests.test_cli_hostile import World


@pytest.fixture
def desk(ctx, agents) -> CaseDesk:
    return CaseDesk(ctx, agents["sue"])


def investigating(desk: CaseDesk) -> str:
    ref = desk.create(draft()).ref
    desk.start(ref)
    return ref


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("hardware FAILURE", "Hardware failure"),
        ("Customer-side issue", "Customer-side issue"),
        ("other:  expired card on file ", "Other: expired card on file"),
    ],
)
def test_the_stored_cause_is_the_list_entry_or_other(desk, typed, stored):
    ref = investigating(desk)
    detail = desk.resolve(ref, "Fixed.", typed)
    assert detail.status is Status.RESOLVED and detail.root_cause == stored
    change = [e for e in detail.timeline if e.kind is EventKind.STATUS_CHANGE][-1]
    assert change.text.endswith(f"(root cause: {stored})")


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Gremlins", "'Gremlins' is not in the list; use one of Hardware failure,"),
        ("Hardware", "'Hardware' is not in the list"),
        ("", "choose one from the list"),
        ("Other:", 'after "Other:" write what it was'),
        ("Other", 'after "Other:" write what it was'),
        ("Other: \x00 ", 'after "Other:" write what it was'),  # NUL is removed from stored text
    ],
)
def test_a_cause_outside_the_list_is_refused_and_changes_nothing(ctx, desk, typed, words):
    ref = investigating(desk)
    err = assert_unchanged(ctx, lambda: desk.resolve(ref, "Fixed.", typed), ValidationFailed)
    assert str(err).startswith("root cause: ") and words in str(err)
    assert [e.field for e in err.errors] == ["root cause"]
    assert desk.get(ref).status is Status.INVESTIGATING


def test_the_configured_list_is_the_one_that_counts(ctx, agents):
    custom = Settings(intake=replace(IntakeSettings(), root_causes=("DNS provider", "Power")))
    other = AppContext.build(custom, ctx.db.url, ctx.clock)
    try:
        desk = CaseDesk(other, actor_named(other, "sue"))
        ref = investigating(desk)
        err = assert_unchanged(other, lambda: desk.resolve(ref, "Fixed.", "Hardware failure"))
        assert "use one of DNS provider, Power, or write" in str(err)
        assert desk.resolve(ref, "Fixed.", "dns PROVIDER").root_cause == "DNS provider"
    finally:
        other.db.dispose()


def test_a_cause_removed_from_the_settings_stays_on_old_cases(ctx, desk, agents):
    """Old cases keep the words they were resolved with (reports count them as they are); a case
    resolved again takes a cause from the list in force then."""
    ref = investigating(desk)
    desk.resolve(ref, "Fixed.", "Hardware failure")
    renamed = tuple("Hardware fault" if c == "Hardware failure" else c for c in DEFAULT_ROOT_CAUSES)
    later = AppContext.build(
        Settings(intake=replace(IntakeSettings(), root_causes=renamed)), ctx.db.url, ctx.clock
    )
    try:
        desk_later = CaseDesk(later, actor_named(later, "sue"))
        assert desk_later.get(ref).root_cause == "Hardware failure"
        desk_later.reopen(ref, "Back again.")
        assert desk_later.get(ref).root_cause == "Hardware failure"  # until resolved again
        err = assert_unchanged(later, lambda: desk_later.resolve(ref, "Fixed.", "Hardware failure"))
        assert "Hardware fault" in str(err)
        assert desk_later.resolve(ref, "Fixed.", "hardware fault").root_cause == "Hardware fault"
    finally:
        later.db.dispose()


# ---- the command line ---------------------------------------------------------------------------
@pytest.fixture
def world(ctx, tmp_path) -> World:
    return World(ctx, tmp_path)


@pytest.mark.parametrize(
    ("cause", "words"),
    [
        ("Gremlins", "'Gremlins' is not in the list; use one of " + ", ".join(DEFAULT_ROOT_CAUSES)),
        ("Other:", 'after "Other:" write what it was'),
        ("Other:   ", 'after "Other:" write what it was'),
        ("Other", 'after "Other:" write what it was'),
        ("", "choose one from the list"),
        ("Misc: DNS", "'Misc: DNS' is not in the list"),
    ],
    ids=["unknown", "empty-other", "blank-other", "bare-other", "empty", "other-prefix"],
)
def test_cli_resolve_refuses_a_cause_outside_the_list(world, cause, words):
    ref = world.values["investigating"]
    before = world.dump()
    line = world.cli.refused("case", "resolve", ref, "--outcome", "Fixed.", "--root-cause", cause)
    assert line.startswith("complaint-tui: root cause: ") and words in line
    if cause == "Gremlins":
        assert line.endswith('or write "Other: " and what it was.')
    assert world.dump() == before


def test_cli_resolve_with_other(world):
    ref = world.values["investigating"]
    out = world.cli.ok(
        "case", "resolve", ref, "--outcome", "Fixed.", "--root-cause", "Other: registrar outage"
    )
    assert out == f"{ref} resolved.\n"
    assert world.cli.show(ref)["root_cause"] == "Other: registrar outage"


def test_cli_help_names_the_list_and_the_escape(world):
    flat = " ".join(world.cli.ok("case", "resolve", "--help").split())
    assert "([intake] root_causes)" in flat and '"Other: what it was"' in flat
