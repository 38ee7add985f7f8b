"""Alerts (issue 9 §6) as a pure function: the previous look and the current one in, what is
worth telling out; each alert told once (AlertLog)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from complaint_tui.domain.alerts import (
    AlertKind,
    AlertLog,
    DeskSnapshot,
    PendingReview,
    WatchedCase,
    Watcher,
    detect_alerts,
)
from complaint_tui.domain.enums import Urgency
from complaint_tui.domain.settings import SettingsError, settings_from_mapping

T0 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)
AGENT = Watcher("lan.nguyen", reviewer=False)
SUPERVISOR = Watcher("anh.vo", reviewer=True)


def case(ref="C-1", band=Urgency.OK, due=T0 + timedelta(hours=5), assignee="lan.nguyen", by=None):
    return WatchedCase(ref, band, due, assignee, by)


def look(at, cases=(), reviews=()) -> DeskSnapshot:
    return DeskSnapshot.of(at, cases, reviews)


def kinds(alerts) -> list[tuple[AlertKind, str]]:
    return [(a.kind, a.ref) for a in alerts]


def test_the_first_look_tells_nothing():
    now = look(T0, [case(band=Urgency.BREACHED)], [PendingReview(1, "C-1", 1)])
    assert detect_alerts(None, now, SUPERVISOR) == []
    assert detect_alerts(None, now, AGENT) == []


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        (Urgency.SOON, Urgency.URGENT, [(AlertKind.URGENT, "C-1")]),
        (Urgency.OK, Urgency.URGENT, [(AlertKind.URGENT, "C-1")]),
        (Urgency.URGENT, Urgency.BREACHED, [(AlertKind.BREACH, "C-1")]),
        (Urgency.SOON, Urgency.BREACHED, [(AlertKind.BREACH, "C-1")]),  # breach, not both
        (Urgency.URGENT, Urgency.URGENT, []),
        (Urgency.BREACHED, Urgency.BREACHED, []),
        (Urgency.URGENT, Urgency.SOON, []),  # extended: less serious is no news
        (Urgency.BREACHED, Urgency.PAUSED, []),
    ],
)
def test_an_agent_hears_of_their_case_turning_urgent_or_breached(before, after, told):
    prev = look(T0, [case(band=before)])
    now = look(T1, [case(band=after)])
    assert kinds(detect_alerts(prev, now, AGENT)) == told


def test_an_agent_hears_nothing_of_a_colleagues_case():
    prev = look(T0, [case(band=Urgency.SOON, assignee="minh.tran")])
    now = look(T1, [case(band=Urgency.BREACHED, assignee="minh.tran")])
    assert detect_alerts(prev, now, AGENT) == []


def test_a_reviewer_hears_of_any_case_turning_breached_not_urgent():
    prev = look(T0, [case("C-1", Urgency.SOON, assignee="minh.tran")])
    now = look(
        T1,
        [
            case("C-1", Urgency.URGENT, assignee="minh.tran"),
            # not in the previous look (a bounded one): its deadline fell after that look
            case("C-2", Urgency.BREACHED, due=T0 + timedelta(seconds=30), assignee="minh.tran"),
            # also not in the previous look, but breached before it: not news
            case("C-3", Urgency.BREACHED, due=T0 - timedelta(hours=1), assignee="minh.tran"),
        ],
    )
    alerts = detect_alerts(prev, now, SUPERVISOR)
    assert kinds(alerts) == [(AlertKind.BREACH, "C-2")]
    assert alerts[0].text == "C-2 (minh.tran) is breached: its deadline has passed."


def test_a_reviewer_hears_of_an_escalation_arriving_at_their_level_once():
    prev = look(T0, reviews=[PendingReview(7, "C-7", 1)])
    now = look(T1, reviews=[PendingReview(7, "C-7", 1), PendingReview(9, "C-9", 1)])
    alerts = detect_alerts(prev, now, SUPERVISOR)
    assert kinds(alerts) == [(AlertKind.ESCALATION, "C-9")]
    assert alerts[0].text == "C-9: a level-1 escalation awaits your decision."
    # one decided: an older request slides into the bounded list; it is not news
    later = look(T1, reviews=[PendingReview(3, "C-3", 1), PendingReview(9, "C-9", 1)])
    assert detect_alerts(now, later, SUPERVISOR) == []
    assert detect_alerts(prev, now, AGENT) == []  # agents do not review


def test_reassignment_to_and_from_the_agent_by_someone_else():
    prev = look(T0, [case("C-1", assignee="lan.nguyen"), case("C-2", assignee=None)])
    now = look(
        T1,
        [
            case("C-1", assignee="minh.tran", by="anh.vo"),
            case("C-2", assignee="lan.nguyen", by="anh.vo"),
            case("C-3", assignee="lan.nguyen", by="anh.vo"),  # new to the look
        ],
    )
    alerts = detect_alerts(prev, now, AGENT)
    assert [a.text for a in alerts] == [
        "C-1 was reassigned from you to minh.tran.",
        "C-2 was assigned to you by anh.vo.",
        "C-3 was assigned to you by anh.vo.",
    ]


def test_the_agents_own_taking_or_releasing_is_not_news():
    prev = look(T0, [case("C-1", assignee="lan.nguyen")])
    now = look(
        T1,
        [
            case("C-1", assignee=None, by="lan.nguyen"),  # released (or recused)
            case("C-2", assignee="lan.nguyen", by="lan.nguyen"),  # taken
        ],
    )
    assert detect_alerts(prev, now, AGENT) == []


def test_kinds_switched_off_are_not_told():
    prev = look(T0, [case(band=Urgency.URGENT)], [PendingReview(1, "C-1", 1)])
    now = look(
        T1, [case(band=Urgency.BREACHED)], [PendingReview(1, "C-1", 1), PendingReview(2, "C-2", 1)]
    )
    quiet = Watcher("anh.vo", True, frozenset({AlertKind.ESCALATION}))
    assert kinds(detect_alerts(prev, now, quiet)) == [(AlertKind.ESCALATION, "C-2")]
    assert detect_alerts(prev, now, Watcher("anh.vo", True, frozenset())) == []


def test_an_alert_is_told_once_per_run():
    log = AlertLog()
    prev = look(T0, [case(band=Urgency.URGENT)])
    now = look(T1, [case(band=Urgency.BREACHED)])
    first = log.fresh(detect_alerts(prev, now, AGENT))
    assert kinds(first) == [(AlertKind.BREACH, "C-1")]
    # extended, then breached again: still the same alert, not told twice
    extended = look(T1, [case(band=Urgency.SOON)])
    again = look(T1 + timedelta(hours=1), [case(band=Urgency.BREACHED)])
    assert log.fresh(detect_alerts(extended, again, AGENT)) == []


def test_alert_kinds_in_the_settings():
    assert settings_from_mapping({}).ui.alerts == frozenset(AlertKind)
    chosen = settings_from_mapping({"ui": {"alerts": ["escalation", "breach"]}}).ui.alerts
    assert chosen == {AlertKind.ESCALATION, AlertKind.BREACH}
    assert settings_from_mapping({"ui": {"alerts": []}}).ui.alerts == frozenset()
    with pytest.raises(SettingsError, match=r"ui\.alerts has an unknown alert kind 'breached'"):
        settings_from_mapping({"ui": {"alerts": ["breached"]}})
    with pytest.raises(SettingsError, match=r"ui\.alerts must be a list"):
        settings_from_mapping({"ui": {"alerts": "breach"}})
