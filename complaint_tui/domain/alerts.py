"""Alerts while the desk runs (issue 9 §6): what changed between two looks at the cases that
concern one person, as plain sentences; each is told once.

Pure: two snapshots in, alerts out. The services take the snapshots with bounded queries
(services/alerts.py); the TUI only shows what comes out.

- A supervisor or manager (a *reviewer*) hears of an escalation arriving at their level, and of
  any case turning breached.
- An agent hears of their own cases turning urgent or breached, and of a case reassigned to or
  from them by someone else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from complaint_tui.domain.enums import Urgency


class AlertKind(StrEnum):
    ESCALATION = "escalation"
    BREACH = "breach"
    URGENT = "urgent"
    REASSIGNED = "reassigned"


ALERT_KINDS: tuple[AlertKind, ...] = tuple(AlertKind)

# How serious a band is; an alert is due when a case reaches a more serious one.
_SEVERITY = {
    Urgency.DONE: 0,
    Urgency.PAUSED: 0,
    Urgency.OK: 1,
    Urgency.SOON: 2,
    Urgency.URGENT: 3,
    Urgency.BREACHED: 4,
}


@dataclass(frozen=True)
class WatchedCase:
    """One case as one look saw it."""

    ref: str
    band: Urgency
    due_at: datetime | None  # the running clock's due instant (None when paused or done)
    assignee: str | None
    assigned_by: str | None = None  # who last changed the assignment (or recused)


@dataclass(frozen=True)
class PendingReview:
    """An escalation awaiting a decision at the watcher's level."""

    escalation_id: int
    ref: str
    level: int


@dataclass(frozen=True)
class DeskSnapshot:
    taken_at: datetime
    cases: Mapping[str, WatchedCase] = field(default_factory=dict)
    reviews: frozenset[PendingReview] = frozenset()

    @classmethod
    def of(
        cls,
        taken_at: datetime,
        cases: Iterable[WatchedCase] = (),
        reviews: Iterable[PendingReview] = (),
    ) -> DeskSnapshot:
        return cls(taken_at, {c.ref: c for c in cases}, frozenset(reviews))


@dataclass(frozen=True)
class Watcher:
    """Whose alerts these are."""

    name: str
    reviewer: bool  # a supervisor or manager
    kinds: frozenset[AlertKind] = frozenset(ALERT_KINDS)


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    ref: str
    text: str
    key: tuple[str, ...]  # the same key is the same alert: told once


def detect_alerts(
    previous: DeskSnapshot | None, current: DeskSnapshot, watcher: Watcher
) -> list[Alert]:
    """What is worth telling ``watcher`` about the change from ``previous`` to ``current``, in a
    stable order. The first look (``previous`` None) only sets the baseline: nothing is told
    about what was already so when the program started."""
    if previous is None:
        return []
    out: list[Alert] = []
    kinds = watcher.kinds
    if watcher.reviewer and AlertKind.ESCALATION in kinds:
        newest_before = max((r.escalation_id for r in previous.reviews), default=0)
        for review in sorted(current.reviews, key=lambda r: r.escalation_id):
            # Newer than any seen before: one that slid into a bounded list is not news.
            if review not in previous.reviews and review.escalation_id > newest_before:
                out.append(
                    Alert(
                        AlertKind.ESCALATION,
                        review.ref,
                        f"{review.ref}: a level-{review.level} escalation awaits your decision.",
                        ("escalation", str(review.escalation_id)),
                    )
                )
    for ref in sorted(current.cases):
        case = current.cases[ref]
        before = previous.cases.get(ref)
        mine = case.assignee == watcher.name
        if _turned(Urgency.BREACHED, before, case, previous.taken_at) and (
            watcher.reviewer or mine
        ):
            if AlertKind.BREACH in kinds:
                whose = "" if mine or not case.assignee else f" ({case.assignee})"
                out.append(
                    Alert(
                        AlertKind.BREACH,
                        ref,
                        f"{ref}{whose} is breached: its deadline has passed.",
                        ("breach", ref),
                    )
                )
        elif mine and _turned(Urgency.URGENT, before, case, None) and AlertKind.URGENT in kinds:
            out.append(
                Alert(
                    AlertKind.URGENT, ref, f"{ref} is urgent: little time is left.", ("urgent", ref)
                )
            )
        if AlertKind.REASSIGNED in kinds and case.assigned_by != watcher.name:
            had = before is not None and before.assignee == watcher.name
            if mine and before is not None and not had:
                by = f" by {case.assigned_by}" if case.assigned_by else ""
                out.append(
                    Alert(
                        AlertKind.REASSIGNED,
                        ref,
                        f"{ref} was assigned to you{by}.",
                        ("reassigned", ref, "to", watcher.name),
                    )
                )
            elif had and not mine:
                to = f" to {case.assignee}" if case.assignee else ""
                out.append(
                    Alert(
                        AlertKind.REASSIGNED,
                        ref,
                        f"{ref} was reassigned from you{to}.",
                        ("reassigned", ref, "from", watcher.name),
                    )
                )
    for ref in sorted(set(current.cases) - set(previous.cases)):
        case = current.cases[ref]
        if (
            case.assignee == watcher.name
            and case.assigned_by not in (None, watcher.name)
            and AlertKind.REASSIGNED in kinds
        ):
            by = f" by {case.assigned_by}"
            out.append(
                Alert(
                    AlertKind.REASSIGNED,
                    ref,
                    f"{ref} was assigned to you{by}.",
                    ("reassigned", ref, "to", watcher.name),
                )
            )
    return out


def _turned(
    band: Urgency, before: WatchedCase | None, now: WatchedCase, since: datetime | None
) -> bool:
    """The case reached ``band`` (or worse) since the previous look. A case the previous look
    did not hold counts when its deadline fell after that look (``since``; bounded queries
    do not hold every case)."""
    if _SEVERITY[now.band] < _SEVERITY[band]:
        return False
    if before is not None:
        return _SEVERITY[before.band] < _SEVERITY[band]
    return since is not None and now.due_at is not None and now.due_at > since


class AlertLog:
    """The alerts told so far in this run: each key once (issue 9: never repeated)."""

    def __init__(self) -> None:
        self._told: set[tuple[str, ...]] = set()

    def fresh(self, alerts: Iterable[Alert]) -> list[Alert]:
        out = []
        for alert in alerts:
            if alert.key not in self._told:
                self._told.add(alert.key)
                out.append(alert)
        return out
