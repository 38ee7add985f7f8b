"""Root causes (policy §6, learning from complaints): a case is resolved with one cause from the
configured list (``[intake] root_causes``), or with "Other: <what it was>" when none fits.

What is stored is the list entry's own text (typed in any case: "hardware failure" is stored as
"Hardware failure"), or "Other: " and the typed text. A stored cause is never rewritten: a cause
renamed or removed from the settings later leaves old cases, and the reports over them, with the
words they were resolved with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from complaint_tui.domain.text import one_line

OTHER_PREFIX = "Other:"  # how every cause outside the list starts, in the database too
MAX_ROOT_CAUSE = 200  # characters, the column's size
# "Other: <text>", any case and spacing; "Other" alone is the escape with its text missing.
_OTHER = re.compile(r"^\s*other\s*(?::(.*))?$", re.IGNORECASE | re.DOTALL)


def other_cause(text: str) -> str:
    """The stored form of a cause outside the list: "Other: <text>"."""
    return f"{OTHER_PREFIX} {text.strip()}"


def is_other(cause: str) -> bool:
    """Whether a stored cause is an "Other: ..." one (a report may group those together)."""
    return cause.startswith(OTHER_PREFIX)


def _listed(value: str, allowed: Sequence[str]) -> str | None:
    wanted = value.strip().casefold()
    return next((entry for entry in allowed if entry.casefold() == wanted), None)


def root_cause_problem(value: str, allowed: Sequence[str]) -> str | None:
    """Why ``value`` is no root cause, in one sentence naming the field; None if it is one."""
    if not value.strip():
        return 'root cause: choose one from the list, or write "Other: " and what it was.'
    if _listed(value, allowed) is not None:
        return None
    other = _OTHER.match(value)
    if other is None:
        shown = one_line(value, 40)
        return (
            f"root cause: {shown!r} is not in the list; use one of {', '.join(allowed)}, "
            f'or write "Other: " and what it was.'
        )
    text = (other[1] or "").strip()
    if not text:
        return 'root cause: after "Other:" write what it was.'
    if "\n" in text or "\r" in text:
        return 'root cause: keep "Other:" and what it was to one line.'
    if len(other_cause(text)) > MAX_ROOT_CAUSE:
        return f"root cause: at most {MAX_ROOT_CAUSE} characters."
    return None


def stored_root_cause(value: str, allowed: Sequence[str]) -> str:
    """The text stored for an accepted ``value`` (root_cause_problem gave None): the list entry
    as configured, or "Other: " and the typed text."""
    listed = _listed(value, allowed)
    if listed is not None:
        return listed
    other = _OTHER.match(value)
    if other is None or not (other[1] or "").strip():
        raise ValueError(f"not a root cause: {value!r}")
    return other_cause(other[1])


def root_cause_list_problem(entries: Sequence[str]) -> str | None:
    """Why a configured list cannot serve as the root causes; None if it can."""
    seen: set[str] = set()
    for entry in entries:
        if _OTHER.match(entry):
            return f'{entry!r} is the built-in "Other: ..." choice; leave it out of the list.'
        if len(entry) > MAX_ROOT_CAUSE or "\n" in entry or "\r" in entry:
            return (
                f"{one_line(entry, 40)!r} must be one line of at most {MAX_ROOT_CAUSE} characters."
            )
        if entry.casefold() in seen:
            return f"{entry!r} is listed twice."
        seen.add(entry.casefold())
    return None
