"""Messages workers post back to the UI thread; named for what happened (past tense)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.message import Message

from complaint_tui.domain.alerts import Alert
from complaint_tui.services.escalations import EscalationCounts
from complaint_tui.services.queue import QueueCounts
from complaint_tui.services.team import TeamRow
from complaint_tui.services.views import CaseDetail


@dataclass
class QueueCountsLoaded(Message):
    generation: int
    counts: QueueCounts


@dataclass
class EscalationCountsLoaded(Message):
    generation: int
    counts: EscalationCounts


@dataclass
class TeamLoaded(Message):
    generation: int
    rows: tuple[TeamRow, ...]


@dataclass
class CasesChanged(Message):
    """Another session (or this one) committed a change."""


@dataclass
class CaseLoaded(Message):
    detail: CaseDetail


@dataclass
class CaseLoadFailed(Message):
    ref: str
    error: str


@dataclass
class CaseTaken(Message):
    detail: CaseDetail | None


@dataclass
class CaseSaved(Message):
    detail: CaseDetail
    what: str


@dataclass
class CaseSaveFailed(Message):
    error: str
    field: str | None = None
    conflict: bool = False  # someone else changed the case since it was shown
    errors: tuple[tuple[str, str], ...] = ()  # (field, message) for each invalid field


@dataclass
class AgentsLoaded(Message):
    """Who the case may be assigned to (the assign form), or the queue filtered to (the filter);
    ``labels``: how to show each name, e.g. with its workload."""

    names: tuple[str, ...]
    labels: dict[str, str] | None = None


@dataclass
class AttachmentRead(Message):
    name: str
    text: str


@dataclass
class AttachmentSaved(Message):
    path: str


@dataclass
class AlertsRaised(Message):
    """New alerts for this person (services/alerts.py), each told once."""

    alerts: tuple[Alert, ...]


@dataclass
class RefLocated(Message):
    """`:` go to ref: the case exists and may be shown (its stored ref)."""

    ref: str


@dataclass
class RefNotLocated(Message):
    """`:` go to ref: the one sentence saying why not."""

    typed: str
    error: str


@dataclass
class ReportLoaded(Message):
    """The report screen's figures: the service's report dict, the resolution-hours counts for
    its histogram and the last procedure review's date, for the query it asked with
    ``generation``."""

    generation: int
    report: dict
    resolve_hours: list[int]
    last_review: date | None


@dataclass
class ReportFailed(Message):
    generation: int
    error: str


@dataclass
class ReportFilterOptionsLoaded(Message):
    """The agents and policy versions the report's filter form offers."""

    agents: tuple[str, ...]
    policy_versions: tuple[str, ...]
