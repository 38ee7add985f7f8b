"""Policy versions (policy §8: changes are posted with a new "Last Updated" date) and procedure
reviews (policy §6: the complaint handling procedure is reviewed regularly).

The version in force is the one published last: publishing is what puts a text in force, for
the cases recorded from then on (a case keeps the version it was stamped with). The Last Updated
date is what the text itself says (today by default, never in the future); it does not decide
which version is in force (the version `init` installs carries the day of init, and a policy
written earlier may still be published after it).
"""

from __future__ import annotations

import re
from datetime import date

from complaint_tui.domain.clock import day_problem

MAX_LABEL = 32
MAX_POLICY_BYTES = 1_000_000  # a policy is a few pages; this is a whole book
MAX_REVIEW_CHARS = 20_000
# A version number, shown as "v" and the label ("policy v2.1"): a digit, then digits, letters,
# dots and hyphens: "2", "2.1", "2027-01", "3b".
_LABEL = re.compile(r"^[0-9][0-9A-Za-z.-]*$")


def label_problem(label: str) -> str | None:
    """Why ``label`` cannot name a policy version, in one sentence; None if it can."""
    label = label.strip()
    if not label:
        return "version: give the version a label, e.g. 2 or 2027-01."
    if len(label) > MAX_LABEL or not _LABEL.match(label):
        return (
            f"version: {label[: MAX_LABEL + 8]!r} is not a version number; start with a digit, "
            f"then digits, letters, dots or hyphens, at most {MAX_LABEL} (e.g. 2, 2.1 or 2027-01)."
        )
    return None


def last_updated_problem(day: date, today: date) -> str | None:
    """Why a version cannot carry this Last Updated date; None if it can."""
    problem = day_problem(day, today)
    return None if problem is None else f"last updated: {problem}."


def review_date_problem(day: date, today: date) -> str | None:
    problem = day_problem(day, today)
    return None if problem is None else f"date: {problem}."
