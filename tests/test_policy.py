"""Policy versions (policy §8) and procedure reviews (policy §6) in the services, on SQLite and
PostgreSQL: the version in force is the one published last, new cases are stamped with it and
old ones keep theirs; only admins publish and only managers record reviews; every refusal is one
sentence and changes nothing (a refused permission adds only its access-log row)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from complaint_tui.services.admin import init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import Conflict, NotFound, Refused
from complaint_tui.services.policy import (
    add_review,
    last_review_date,
    list_policies,
    list_reviews,
    publish_policy,
    publish_policy_file,
    show_policy,
)
from tests.helpers_db import assert_denied, assert_unchanged, draft

TODAY = date(2026, 11, 25)  # the fixture clock's local date


@pytest.fixture
def team(ctx, agents):
    init_database(ctx)  # version "1", the bundled text (the agents exist: no admin is added)
    return agents


def case_version(ctx, actor, ref: str) -> str | None:
    return CaseDesk(ctx, actor).get(ref).policy_version


def test_init_installs_version_1_in_force(ctx, team):
    [v1] = list_policies(ctx, team["alice"])
    assert (v1.label, v1.in_force, v1.cases, v1.last_updated) == ("1", True, 0, TODAY)
    shown = show_policy(ctx, team["alice"])
    assert shown.label == "1" and shown.in_force and "Complaint Policy" in shown.text


def test_publishing_applies_to_new_cases_only(ctx, team, clock):
    sue = CaseDesk(ctx, team["sue"])
    before = sue.create(draft()).ref
    clock.advance(timedelta(minutes=5))
    view = publish_policy(ctx, team["ada"], "2", "The new policy.\n", date(2026, 11, 20))
    assert (view.label, view.last_updated, view.in_force) == ("2", date(2026, 11, 20), True)
    after = sue.create(draft()).ref
    assert case_version(ctx, team["sue"], before) == "1"
    assert case_version(ctx, team["sue"], after) == "2"
    assert sue.get(after).to_json(ctx.calendar.tz)["policy_version"] == "2"

    listed = list_policies(ctx, team["max"])
    assert [(v.label, v.in_force, v.cases) for v in listed] == [("2", True, 1), ("1", False, 1)]
    assert listed[0].published_by == "ada" and listed[0].published_at == clock.now()
    assert show_policy(ctx, team["alice"]).text == "The new policy."
    old = show_policy(ctx, team["alice"], "1")
    assert old.label == "1" and not old.in_force


def test_the_version_in_force_is_the_one_published_last_whatever_its_date(ctx, team):
    publish_policy(ctx, team["ada"], "2027-01", "Newer text.", date(2026, 11, 24))
    publish_policy(
        ctx, team["ada"], "2026-12", "Written earlier, published later.", date(2026, 1, 5)
    )
    assert show_policy(ctx, team["bob"]).label == "2026-12"
    assert [v.label for v in list_policies(ctx, team["bob"]) if v.in_force] == ["2026-12"]
    ref = CaseDesk(ctx, team["bob"]).create(draft()).ref
    assert case_version(ctx, team["bob"], ref) == "2026-12"


def test_counts_include_cases_an_agent_may_not_see(ctx, team):
    sue = CaseDesk(ctx, team["sue"])
    sue.create(draft(confidential=True))
    sue.create(draft())
    counts = {v.label: v.cases for v in list_policies(ctx, team["alice"])}
    assert counts == {"1": 2}
    assert {v.label: v.cases for v in list_policies(ctx, team["ada"])} == {"1": 2}


def test_last_updated_defaults_to_today_and_label_is_trimmed(ctx, team):
    view = publish_policy(ctx, team["ada"], "  2.1  ", "Text.")
    assert (view.label, view.last_updated) == ("2.1", TODAY)
    assert show_policy(ctx, team["ada"], "2.1").last_updated == TODAY


@pytest.mark.parametrize(
    ("label", "text", "day", "words"),
    [
        ("1", "Text.", None, "Policy version 1 already exists"),
        ("2", "", None, "policy text: this cannot be empty."),
        ("2", " \n\t ", None, "policy text: this cannot be empty."),
        ("2", "ok\udcff", None, "policy text: this is not valid UTF-8 text."),
        ("2", "x" * 1_000_001, None, "policy text: at most 1,000,000 characters."),
        ("2", "Text.", date(2026, 11, 26), "last updated: 2026-11-26 is in the future."),
        ("2", "Text.", date(1999, 12, 31), "last updated: 1999-12-31 is before 2000."),
        ("", "Text.", None, "version: give the version a label"),
        ("two  spaces", "Text.", None, "is not a version number"),
        ("[b]2[/]", "Text.", None, "is not a version number"),
        ("2\x00", "Text.", None, "is not a version number"),
    ],
)
def test_publishing_refuses_and_changes_nothing(ctx, team, label, text, day, words):
    err = assert_unchanged(ctx, lambda: publish_policy(ctx, team["ada"], label, text, day))
    assert words in str(err)


def test_a_duplicate_label_is_a_conflict(ctx, team):
    err = assert_unchanged(ctx, lambda: publish_policy(ctx, team["ada"], "1", "Text."))
    assert isinstance(err, Conflict)


@pytest.mark.parametrize("who", ["alice", "sue", "max"])
def test_only_an_admin_publishes(ctx, team, who, tmp_path):
    err = assert_denied(
        ctx,
        lambda: publish_policy(ctx, team[who], "2", "Text."),
        actor=who,
        what="policy_publish",
        ref=None,
    )
    assert str(err) == "Only an admin may publish a policy version."
    path = tmp_path / "policy.txt"
    path.write_text("Text.")
    assert_denied(
        ctx,
        lambda: publish_policy_file(ctx, team[who], path, "2"),
        actor=who,
        what="policy_publish",
        ref=None,
    )


def test_publishing_a_file(ctx, team, tmp_path):
    path = tmp_path / "policy.txt"
    path.write_bytes("\ufeffChính sách khiếu nại\r\nLast Updated: 2026-11-20\r\n".encode())
    publish_policy_file(ctx, team["ada"], path, "2", date(2026, 11, 20))
    assert show_policy(ctx, team["ada"]).text == "Chính sách khiếu nại\nLast Updated: 2026-11-20"


def test_showing_an_unknown_version(ctx, team):
    for label in ("9", "", "x\x00", "\udcff"):
        with pytest.raises(NotFound) as info:
            show_policy(ctx, team["alice"], label)
        assert str(info.value).startswith("No policy version ")


def test_before_any_version_show_says_so(ctx, agents):
    with pytest.raises(NotFound, match="No policy version has been published"):
        show_policy(ctx, agents["alice"])
    assert list_policies(ctx, agents["alice"]) == []


# ---- procedure reviews ----------------------------------------------------------------------
def test_a_manager_records_reviews_and_everyone_reads_them(ctx, team, clock):
    assert last_review_date(ctx, team["max"]) is None
    assert list_reviews(ctx, team["alice"]) == []
    first = add_review(ctx, team["max"], " Acks late on Mondays. ", "Two agents on Monday.", TODAY)
    publish_policy(ctx, team["ada"], "2", "Text.")
    clock.advance(timedelta(hours=1))
    second = add_review(ctx, team["max"], "Better.", "None.", date(2026, 10, 1))
    assert (first.findings, first.policy_version, first.recorded_by) == (
        "Acks late on Mondays.",
        "1",
        "max",
    )
    assert second.policy_version == "2" and second.recorded_at == clock.now()
    for who in ("alice", "sue", "max", "ada"):
        listed = list_reviews(ctx, team[who])
        assert [(r.reviewed_on, r.findings) for r in listed] == [
            (TODAY, "Acks late on Mondays."),
            (date(2026, 10, 1), "Better."),
        ]
        assert last_review_date(ctx, team[who]) == TODAY
    assert add_review(ctx, team["max"], "Again.", "More.").reviewed_on == TODAY  # default today


@pytest.mark.parametrize("who", ["alice", "sue", "ada"])
def test_only_a_manager_records_a_review(ctx, team, who):
    err = assert_denied(
        ctx,
        lambda: add_review(ctx, team[who], "Findings.", "Actions.", TODAY),
        actor=who,
        what="review_add",
        ref=None,
    )
    assert str(err) == "Only a manager may record a procedure review."


@pytest.mark.parametrize(
    ("findings", "actions", "day", "words"),
    [
        ("", "Actions.", TODAY, "findings: this cannot be empty."),
        ("Findings.", "  ", TODAY, "actions: this cannot be empty."),
        ("x" * 20_001, "Actions.", TODAY, "findings: at most 20,000 characters."),
        ("Findings.", "ok\udcff", TODAY, "actions: this is not valid UTF-8 text."),
        ("Findings.", "Actions.", date(2026, 11, 26), "date: 2026-11-26 is in the future."),
        ("Findings.", "Actions.", date(1999, 12, 31), "date: 1999-12-31 is before 2000."),
    ],
)
def test_a_review_is_refused_and_changes_nothing(ctx, team, findings, actions, day, words):
    err = assert_unchanged(ctx, lambda: add_review(ctx, team["max"], findings, actions, day))
    assert str(err) == words
    assert isinstance(err, Refused)
