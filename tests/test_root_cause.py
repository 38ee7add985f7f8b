"""The root cause rule (domain/root_cause.py) and its settings key, [intake] root_causes: a value
is one of the configured causes or "Other: <text>"; what is stored is the list entry's own text."""

from __future__ import annotations

import pytest

from complaint_tui.domain.root_cause import (
    MAX_ROOT_CAUSE,
    is_other,
    other_cause,
    root_cause_problem,
    stored_root_cause,
)
from complaint_tui.domain.settings import (
    DEFAULT_ROOT_CAUSES,
    Settings,
    SettingsError,
    settings_from_mapping,
)

LIST = ("Hardware failure", "Billing error", "Customer-side issue")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Hardware failure", "Hardware failure"),
        ("  hardware FAILURE ", "Hardware failure"),  # any case: the entry's own text is stored
        ("billing error", "Billing error"),
        ("Other: expired card on file", "Other: expired card on file"),
        ("other:expired card", "Other: expired card"),
        ("  OTHER  :   the registrar's outage  ", "Other: the registrar's outage"),
        ("Other: Hardware failure", "Other: Hardware failure"),
    ],
)
def test_accepted_values_and_what_is_stored(typed, stored):
    assert root_cause_problem(typed, LIST) is None
    assert stored_root_cause(typed, LIST) == stored


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", 'choose one from the list, or write "Other: " and what it was'),
        ("   ", 'choose one from the list, or write "Other: " and what it was'),
        ("Hardware", "'Hardware' is not in the list"),
        ("Other", 'after "Other:" write what it was'),
        ("Others", "'Others' is not in the list"),
        ("Other:", 'after "Other:" write what it was'),
        ("other:    ", 'after "Other:" write what it was'),
        ("Other: two\nlines", "to one line"),
        ("Other: " + "x" * (MAX_ROOT_CAUSE - 6), f"at most {MAX_ROOT_CAUSE} characters"),
        ("Misc: something", "'Misc: something' is not in the list"),
    ],
)
def test_refused_values_say_why_in_one_sentence(typed, words):
    problem = root_cause_problem(typed, LIST)
    assert problem is not None and words in problem
    assert problem.startswith("root cause: ") and problem.endswith(".")
    assert "\n" not in problem


def test_an_unknown_value_lists_every_allowed_cause_and_the_other_escape():
    problem = root_cause_problem("Gremlins", LIST)
    assert problem == (
        "root cause: 'Gremlins' is not in the list; use one of Hardware failure, Billing error, "
        'Customer-side issue, or write "Other: " and what it was.'
    )


def test_a_long_or_hostile_unknown_value_is_shown_short_and_inert():
    problem = root_cause_problem("\x1b[2J" + "y" * 5000, LIST)
    assert problem is not None and "\x1b" not in problem and len(problem) < 300


def test_the_longest_other_fits_the_column():
    longest = "Other: " + "x" * (MAX_ROOT_CAUSE - 7)
    assert root_cause_problem(longest, LIST) is None
    assert len(stored_root_cause(longest, LIST)) == MAX_ROOT_CAUSE


def test_other_helpers():
    assert other_cause("  late notice ") == "Other: late notice"
    assert is_other("Other: late notice") and not is_other("Hardware failure")


def test_stored_root_cause_refuses_a_value_that_is_none():
    with pytest.raises(ValueError):
        stored_root_cause("Gremlins", LIST)


# ---- settings -----------------------------------------------------------------------------------
def test_the_default_list():
    assert Settings().intake.root_causes == DEFAULT_ROOT_CAUSES
    assert 10 <= len(DEFAULT_ROOT_CAUSES) <= 12
    assert settings_from_mapping({}).intake.root_causes == DEFAULT_ROOT_CAUSES
    for cause in DEFAULT_ROOT_CAUSES:  # each is accepted as itself
        assert stored_root_cause(cause.upper(), DEFAULT_ROOT_CAUSES) == cause


def test_a_configured_list_replaces_the_defaults():
    s = settings_from_mapping({"intake": {"root_causes": [" DNS provider ", "Power"]}})
    assert s.intake.root_causes == ("DNS provider", "Power")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ([], "intake.root_causes must be a non-empty list of strings."),
        ("Hardware", "intake.root_causes must be a non-empty list of strings."),
        (["ok", ""], "intake.root_causes must be a non-empty list of strings."),
        (["ok", 3], "intake.root_causes must be a non-empty list of strings."),
        (["Power", "Other"], "intake.root_causes: 'Other' is the built-in \"Other: ...\" choice"),
        (
            ["other: misc"],
            "intake.root_causes: 'other: misc' is the built-in \"Other: ...\" choice",
        ),
        (["Power", "power "], "intake.root_causes: 'power' is listed twice."),
        (["x" * (MAX_ROOT_CAUSE + 1)], f"must be one line of at most {MAX_ROOT_CAUSE} characters"),
        (["two\nlines"], f"must be one line of at most {MAX_ROOT_CAUSE} characters"),
    ],
)
def test_a_bad_list_is_refused_naming_the_key(value, words):
    with pytest.raises(SettingsError) as info:
        settings_from_mapping({"intake": {"root_causes": value}})
    assert words in str(info.value)
