"""The domain rules behind policy versions and procedure reviews: typed dates (domain.parsing),
the accepted range of dates (domain.clock.day_problem), version labels and dates
(domain.policy)."""

from __future__ import annotations

from datetime import date

import pytest

from complaint_tui.domain.clock import day_problem
from complaint_tui.domain.parsing import DATE_FORMAT, ParseError, parse_date
from complaint_tui.domain.policy import (
    MAX_LABEL,
    label_problem,
    last_updated_problem,
    review_date_problem,
)

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("  2026-1-4 ", date(2026, 1, 4)),
        ("1999-12-31", date(1999, 12, 31)),  # a date; whether it is accepted is day_problem's
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["", "2026-11", "2026-02-30", "2026-13-01", "20261120", "2026-11-20 10:00", "today"]
)
def test_parse_date_refuses_what_is_not_a_date(text):
    with pytest.raises(ParseError) as info:
        parse_date(text)
    assert str(info.value) == DATE_FORMAT


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (date(2026, 11, 25), None),
        (date(2000, 1, 1), None),
        (date(1999, 12, 31), "1999-12-31 is before 2000"),
        (date(1, 1, 1), "0001-01-01 is before 2000"),
        (date(2026, 11, 26), "2026-11-26 is in the future"),
        (date(9999, 12, 31), "9999-12-31 is in the future"),
    ],
)
def test_day_problem(day, problem):
    assert day_problem(day, TODAY) == problem


def test_dates_of_versions_and_reviews_name_their_field():
    assert last_updated_problem(date(2026, 11, 20), TODAY) is None
    assert last_updated_problem(date(2026, 11, 26), TODAY) == (
        "last updated: 2026-11-26 is in the future."
    )
    assert review_date_problem(date(1999, 1, 1), TODAY) == "date: 1999-01-01 is before 2000."
    assert review_date_problem(TODAY, TODAY) is None


@pytest.mark.parametrize("label", ["1", "2", "2.1", "2027-01", "3b", "1" * MAX_LABEL])
def test_good_labels(label):
    assert label_problem(label) is None
    assert label_problem(f"  {label} ") is None  # surrounding spaces are dropped


@pytest.mark.parametrize(
    "label",
    [
        "",
        "   ",
        "1" * (MAX_LABEL + 1),
        "v2",  # shown as "v2" already: the label is the number
        "Tết 2027",
        "2 draft",
        "2/3",
        "new\nline",
        "[bold]2[/]",
        "\x1b[2J",
        "a\x00b",
        "\u202eevil",
        "v2;drop",
    ],
)
def test_bad_labels_are_refused_in_one_sentence(label):
    problem = label_problem(label)
    assert problem is not None and problem.startswith("version: ") and problem.endswith(".")
    assert "\n" not in problem and "\x1b" not in problem
