"""domain/labels.py: every stored value has one human label, and an instant has one format."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from complaint_tui.domain.enums import CustomerResponse, EventKind, Status
from complaint_tui.domain.labels import (
    clock_label,
    event_label,
    response_label,
    show_instant,
    status_label,
    status_short,
)
from complaint_tui.domain.workflow import describe
from tests.conftest import VN


@pytest.mark.parametrize(
    ("label", "values"),
    [
        (status_label, list(Status)),
        (status_short, list(Status)),
        (event_label, list(EventKind)),
        (response_label, list(CustomerResponse)),
        (clock_label, ["acknowledgement", "resolution", "next_update", "escalation_review"]),
    ],
    ids=["status", "status-short", "event", "response", "clock"],
)
def test_every_value_has_a_label_in_words(label, values):
    labels = [label(v) for v in values]
    assert all(text and "_" not in text for text in labels), labels
    assert len(set(labels)) == len(labels), "two values read alike"


def test_the_workflow_names_statuses_with_the_same_labels():
    assert [describe(s) for s in Status] == [status_label(s) for s in Status]
    assert status_label("waiting_on_customer") == "waiting on the customer"
    assert len(status_short(Status.WAITING_ON_CUSTOMER)) <= 13  # the queue's status column


def test_an_instant_reads_in_the_calendar_time_zone_with_its_weekday():
    instant = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert show_instant(instant, VN) == "Wed 2026-11-25 10:00"
    assert show_instant(None, VN) == "—"
    with pytest.raises(ValueError):
        show_instant(datetime(2026, 11, 25, 3, 0), VN)
