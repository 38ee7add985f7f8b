"""History import (issue 10 §5): one JSON line per case, checked by the rules of live intake,
then replayed through the live workflow steps (domain/lifecycle.py) with each event's instant as
the clock. The due instants are never read from the file: the replay computes them, so an
imported case carries exactly the clocks it would have had if it had been handled here.

Every problem is one sentence naming the field ("received_at: ..."); the caller prefixes the
line number. Nothing here touches a database: the assignee names known to the desk are given.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from complaint_tui.domain import lifecycle
from complaint_tui.domain.clock import instant_problem
from complaint_tui.domain.enums import CustomerResponse, EscalationOutcome, Status
from complaint_tui.domain.intake import IntakeDraft, cleaned, validate_intake
from complaint_tui.domain.labels import show_instant
from complaint_tui.domain.lifecycle import Entry, StepRefused
from complaint_tui.domain.parsing import ParseError, parse_instant
from complaint_tui.domain.root_cause import root_cause_problem, stored_root_cause
from complaint_tui.domain.settings import ExternalSettings, IntakeSettings
from complaint_tui.domain.sla import Sla
from complaint_tui.domain.text import InvalidText, clean_input

MAX_SOURCE_REF = 100  # characters, the column's size
MAX_HISTORY_ITEMS = 1_000  # per list (pauses, notes, ...): a case's history, not a log dump
INSTANT_HINT = "give an ISO 8601 instant with its offset, e.g. 2026-11-20T14:30:00+07:00"

FIELDS = (
    "source_ref",
    "customer",
    "services",
    "channel",
    "subject",
    "description",
    "desired_outcome",
    "priority",
    "category",
    "assignee",
    "confidential",
    "received_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "outcome",
    "root_cause",
    "customer_response",
    "pauses",
    "extensions",
    "escalations",
    "reopens",
    "referral",
    "notes",
)
_ITEM_FIELDS = {
    "pauses": ("from", "to"),
    "extensions": ("at", "business_days", "note"),
    "escalations": ("requested_at", "level", "reason", "decided_at", "decision", "note"),
    "reopens": (
        "at",
        "reason",
        "resolved_at",
        "outcome",
        "root_cause",
        "closed_at",
        "customer_response",
    ),
    "referral": ("at", "reference"),
    "notes": ("at", "author", "text", "customer_visible"),
}


class BadLine(ValueError):
    """One sentence naming the field, e.g. "pauses[1].to: ..."."""


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class Extension:
    at: datetime
    business_days: int
    note: str


@dataclass(frozen=True)
class EscalationItem:
    requested_at: datetime
    level: int
    reason: str
    decided_at: datetime | None
    decision: EscalationOutcome | None
    note: str  # the decision's explanation, sent to the customer


@dataclass(frozen=True)
class Reopen:
    at: datetime
    reason: str
    resolved_at: datetime  # when the outcome it reopened was given
    outcome: str
    root_cause: str  # stored form
    closed_at: datetime | None
    customer_response: CustomerResponse | None


@dataclass(frozen=True)
class Referral:
    at: datetime
    reference: str


@dataclass(frozen=True)
class Note:
    at: datetime
    author: str
    text: str
    customer_visible: bool


@dataclass(frozen=True)
class HistoryRecord:
    """One valid line: the intake draft and the histories to replay."""

    source_ref: str | None
    draft: IntakeDraft
    assignee: str | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    root_cause: str | None  # stored form
    customer_response: CustomerResponse | None
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    escalations: tuple[EscalationItem, ...] = ()
    reopens: tuple[Reopen, ...] = ()
    referral: Referral | None = None
    notes: tuple[Note, ...] = ()


# ---- reading one line ------------------------------------------------------------------------
class _Reader:
    def __init__(self, rules: IntakeSettings, now: datetime) -> None:
        self.rules = rules
        self.now = now

    def instant(self, value: Any, name: str, *, required: bool = True) -> datetime | None:
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise BadLine(f"{name}: {INSTANT_HINT}.")
        try:
            at = parse_instant(value, None)  # type: ignore[arg-type] # no zone to assume
        except ParseError:
            raise BadLine(f"{name}: {INSTANT_HINT}.") from None
        problem = instant_problem(at)
        if problem is not None:
            raise BadLine(f"{name}: {problem}.")
        if at > self.now:
            raise BadLine(f"{name}: {show_instant(at, at.tzinfo)} is in the future.")
        return at

    def text(self, value: Any, name: str, *, required: bool = True, one_line: int = 0) -> str:
        if value is None and not required:
            return ""
        if value is None:
            raise BadLine(f"{name}: this is required here.")
        if not isinstance(value, str):
            raise BadLine(f"{name}: give text in double quotes.")
        try:
            value = clean_input(value, name).strip()
        except InvalidText as exc:
            raise BadLine(str(exc)) from None
        if required and not value:
            raise BadLine(f"{name}: this cannot be empty.")
        if one_line and (len(value) > one_line or "\n" in value or "\r" in value):
            raise BadLine(f"{name}: keep it to one line of at most {one_line} characters.")
        if len(value) > self.rules.max_text_chars:
            raise BadLine(f"{name}: at most {self.rules.max_text_chars:,} characters.")
        return value

    def cause(self, value: Any, name: str) -> str:
        typed = self.text(value, name, required=False)
        problem = root_cause_problem(typed, self.rules.root_causes)
        if problem is not None:
            raise BadLine(problem.replace("root cause:", f"{name}:", 1))
        return stored_root_cause(typed, self.rules.root_causes)

    @staticmethod
    def response(value: Any, name: str) -> CustomerResponse:
        try:
            return CustomerResponse(value)
        except (ValueError, TypeError):
            raise BadLine(
                f"{name}: choose one of {', '.join(r.value for r in CustomerResponse)}."
            ) from None

    @staticmethod
    def items(obj: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise BadLine(f"{key}: give a list of objects, [] when there are none.")
        if len(value) > MAX_HISTORY_ITEMS:
            raise BadLine(f"{key}: at most {MAX_HISTORY_ITEMS:,} entries.")
        out = []
        for i, item in enumerate(value):
            name = f"{key}[{i}]"
            out.append((name, _object(item, name, _ITEM_FIELDS[key])))
        return out


def _object(value: Any, name: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise BadLine(f"{name}: give an object with {', '.join(allowed)}.")
    unknown = [k for k in value if k not in allowed]
    if unknown:
        raise BadLine(
            f"{name}: {unknown[0]!r} is not a field of this file (fields: {', '.join(allowed)})."
        )
    return value


def _ordered(items: list[tuple[str, datetime]], what: str) -> None:
    for (_, a), (name, b) in zip(items, items[1:], strict=False):
        if b < a:
            raise BadLine(f"{name}: {what} are listed oldest first; this one is earlier.")


def parse_line(
    text: str, rules: IntakeSettings, agents: Mapping[str, object], now: datetime
) -> tuple[HistoryRecord | None, list[str]]:
    """One line of the file: the record, or every problem found (each a sentence naming its
    field). ``agents`` are the names that may be assignees."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [f"not JSON: {exc.msg} at character {exc.pos + 1}."]
    except RecursionError:
        return None, ["not JSON this program can read: nested too deeply."]
    try:
        obj = _object(obj, "the line", FIELDS)
    except BadLine as exc:
        return None, [str(exc).replace("the line: ", "", 1)]
    problems: list[str] = []
    read = _Reader(rules, now)

    def get(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except BadLine as exc:
            problems.append(str(exc))
            return None

    # The intake fields, judged by live intake's own rules.
    services = obj.get("services")
    draft_problems: list[str] = []
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        draft_problems.append('services: give a list of service names, e.g. ["VPS"].')
        services = []
    strings = {}
    for key in ("customer", "channel", "subject", "description", "desired_outcome", "priority"):
        value = obj.get(key, "normal" if key == "priority" else "")
        if value is None and key == "desired_outcome":
            value = ""
        if not isinstance(value, str):
            draft_problems.append(f"{key}: give text in double quotes.")
            value = ""
        strings[key] = value
    category = obj.get("category")
    if category is not None and not isinstance(category, str):
        draft_problems.append("category: give text in double quotes, or null.")
        category = None
    confidential = obj.get("confidential", False)
    if not isinstance(confidential, bool):
        draft_problems.append("confidential: give true or false.")
        confidential = False
    received = get(lambda: read.instant(obj.get("received_at"), "received_at"))
    draft = IntakeDraft(
        customer=strings["customer"],
        services=list(services),
        channel=strings["channel"],
        subject=strings["subject"],
        description=strings["description"],
        desired_outcome=strings["desired_outcome"],
        priority=strings["priority"],
        category=category,
        confidential=confidential,
        received_at=received,
    )
    try:
        draft = cleaned(draft)
    except InvalidText as exc:
        draft_problems.append(str(exc))
    else:
        for err in validate_intake(draft, rules, now):
            if err.field != "received_at":  # judged above, with the file's field name
                draft_problems.append(err.message)
    problems[:0] = draft_problems

    source_ref = get(
        lambda: read.text(
            obj.get("source_ref"), "source_ref", required=False, one_line=MAX_SOURCE_REF
        )
    )
    assignee = obj.get("assignee")
    if assignee is not None and (not isinstance(assignee, str) or assignee not in agents):
        problems.append(
            f"assignee: {str(assignee)[:64]!r} is no active agent of this desk; "
            "give an agent's name, or null."
        )
        assignee = None
    ack = get(lambda: read.instant(obj.get("acknowledged_at"), "acknowledged_at", required=False))
    resolved = get(lambda: read.instant(obj.get("resolved_at"), "resolved_at", required=False))
    closed = get(lambda: read.instant(obj.get("closed_at"), "closed_at", required=False))
    outcome = cause = response = None
    if resolved is not None or "outcome" in obj or "root_cause" in obj:
        if resolved is None and obj.get("resolved_at") is None:
            problems.append("resolved_at: an outcome and root cause go with a resolution instant.")
        outcome = get(lambda: read.text(obj.get("outcome"), "outcome"))
        cause = get(lambda: read.cause(obj.get("root_cause"), "root_cause"))
    if closed is not None or obj.get("customer_response") is not None:
        if closed is None and obj.get("closed_at") is None:
            problems.append("closed_at: a customer response goes with a closing instant.")
        response = get(lambda: read.response(obj.get("customer_response"), "customer_response"))
    histories = get(lambda: _histories(obj, read))
    if problems:
        return None, problems
    record = HistoryRecord(
        source_ref=source_ref or None,
        draft=draft,
        assignee=assignee,
        acknowledged_at=ack,
        resolved_at=resolved,
        closed_at=closed,
        outcome=outcome,
        root_cause=cause,
        customer_response=response,
        **histories,
    )
    problem = _within_life(record)
    return (None, [problem]) if problem else (record, [])


def _histories(obj: Mapping[str, Any], read: _Reader) -> dict[str, Any]:
    pauses = []
    for name, item in read.items(obj, "pauses"):
        start = read.instant(item.get("from"), f"{name}.from")
        end = read.instant(item.get("to"), f"{name}.to", required=False)
        if end is not None and end <= start:  # type: ignore[operator]
            raise BadLine(f"{name}.to: a pause ends after it starts.")
        pauses.append(Pause(start, end))  # type: ignore[arg-type]
    for p in pauses[:-1]:
        if p.end is None:
            raise BadLine('pauses: only the last pause may still be running ("to": null).')
    _ordered([(f"pauses[{i}]", p.start) for i, p in enumerate(pauses)], "pauses")
    extensions = []
    for name, item in read.items(obj, "extensions"):
        at = read.instant(item.get("at"), f"{name}.at")
        problem = lifecycle.extension_days_problem(item.get("business_days"))
        if problem is not None:
            raise BadLine(problem.replace("days:", f"{name}.business_days:", 1))
        note_text = read.text(item.get("note"), f"{name}.note")
        extensions.append(Extension(at, item["business_days"], note_text))  # type: ignore[arg-type]
    _ordered([(f"extensions[{i}]", e.at) for i, e in enumerate(extensions)], "extensions")
    escalations = []
    for name, item in read.items(obj, "escalations"):
        requested = read.instant(item.get("requested_at"), f"{name}.requested_at")
        level = item.get("level")
        if level not in (1, 2) or isinstance(level, bool):
            raise BadLine(f"{name}.level: give 1 (supervisor) or 2 (manager).")
        reason = read.text(item.get("reason"), f"{name}.reason")
        decided = read.instant(item.get("decided_at"), f"{name}.decided_at", required=False)
        decision = None
        note_text = ""
        if decided is not None or item.get("decision") is not None:
            if decided is None:
                raise BadLine(f"{name}.decided_at: a decision goes with the instant it was made.")
            try:
                decision = EscalationOutcome(item.get("decision"))
            except ValueError:
                raise BadLine(
                    f"{name}.decision: choose one of "
                    f"{', '.join(o.value for o in EscalationOutcome)}."
                ) from None
            if decided < requested:  # type: ignore[operator]
                raise BadLine(f"{name}.decided_at: a decision comes after its request.")
            note_text = read.text(item.get("note"), f"{name}.note")
        escalations.append(
            EscalationItem(requested, level, reason, decided, decision, note_text)  # type: ignore[arg-type]
        )
    _ordered(
        [(f"escalations[{i}]", e.requested_at) for i, e in enumerate(escalations)], "escalations"
    )
    reopens = []
    for name, item in read.items(obj, "reopens"):
        at = read.instant(item.get("at"), f"{name}.at")
        reason = read.text(item.get("reason"), f"{name}.reason")
        before = read.instant(item.get("resolved_at"), f"{name}.resolved_at")
        outcome = item.get("outcome", obj.get("outcome"))
        cause = item.get("root_cause", obj.get("root_cause"))
        if outcome is None or cause is None:
            raise BadLine(
                f"{name}: give the outcome and root_cause of the resolution it reopened "
                "(the case's own are used when it has them)."
            )
        out_text = read.text(outcome, f"{name}.outcome")
        stored = read.cause(cause, f"{name}.root_cause")
        closed = read.instant(item.get("closed_at"), f"{name}.closed_at", required=False)
        response = None
        if closed is not None or item.get("customer_response") is not None:
            if closed is None:
                raise BadLine(f"{name}.closed_at: a customer response goes with a closing instant.")
            response = read.response(item.get("customer_response"), f"{name}.customer_response")
        if before > at or (closed is not None and not before <= closed <= at):  # type: ignore[operator]
            raise BadLine(
                f"{name}: the resolution it reopened (and its closing) come before the reopen."
            )
        reopens.append(Reopen(at, reason, before, out_text, stored, closed, response))  # type: ignore[arg-type]
    _ordered([(f"reopens[{i}]", r.at) for i, r in enumerate(reopens)], "reopens")
    referral = None
    if obj.get("referral") is not None:
        item = _object(obj["referral"], "referral", _ITEM_FIELDS["referral"])
        referral = Referral(
            read.instant(item.get("at"), "referral.at"),  # type: ignore[arg-type]
            read.text(item.get("reference"), "referral.reference"),
        )
    notes = []
    for name, item in read.items(obj, "notes"):
        at = read.instant(item.get("at"), f"{name}.at")
        author = read.text(item.get("author"), f"{name}.author", required=False, one_line=64)
        body = read.text(item.get("text"), f"{name}.text")
        visible = item.get("customer_visible", False)
        if not isinstance(visible, bool):
            raise BadLine(f"{name}.customer_visible: give true or false.")
        notes.append(Note(at, author, body, visible))  # type: ignore[arg-type]
    _ordered([(f"notes[{i}]", n.at) for i, n in enumerate(notes)], "notes")
    return {
        "pauses": tuple(pauses),
        "extensions": tuple(extensions),
        "escalations": tuple(escalations),
        "reopens": tuple(reopens),
        "referral": referral,
        "notes": tuple(notes),
    }


def _within_life(r: HistoryRecord) -> str | None:
    """Every instant at or after the receipt (the replay judges the order of the steps)."""
    received = r.draft.received_at
    assert received is not None
    named: list[tuple[str, datetime | None]] = [
        ("acknowledged_at", r.acknowledged_at),
        ("resolved_at", r.resolved_at),
        ("closed_at", r.closed_at),
    ]
    named += [(f"pauses[{i}].from", p.start) for i, p in enumerate(r.pauses)]
    named += [(f"extensions[{i}].at", e.at) for i, e in enumerate(r.extensions)]
    named += [
        (f"escalations[{i}].requested_at", e.requested_at) for i, e in enumerate(r.escalations)
    ]
    named += [(f"reopens[{i}].resolved_at", x.resolved_at) for i, x in enumerate(r.reopens)]
    named += [(f"notes[{i}].at", n.at) for i, n in enumerate(r.notes)]
    if r.referral is not None:
        named.append(("referral.at", r.referral.at))
    for name, at in named:
        if at is not None and at < received:
            return f"{name}: it is before received_at; a case's history starts at its receipt."
    if r.closed_at is not None and (r.resolved_at is None or r.closed_at < r.resolved_at):
        return "closed_at: a case is closed after it is resolved (resolved_at)."
    return None


# ---- the replay ------------------------------------------------------------------------------
class CaseRecord:
    """A case being replayed: the attributes the workflow steps read and write."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self.status = Status.NEW.value
        self.received_at: datetime | None = None
        self.acknowledged_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.ack_due_at: datetime | None = None
        self.resolve_due_at: datetime | None = None
        self.paused_at: datetime | None = None
        self.paused_remaining_s: float | None = None
        self.ack_business_s: float | None = None
        self.resolve_business_s: float | None = None
        self.paused_business_s = 0.0
        self.next_update_due_at: datetime | None = None
        self.last_customer_update_at: datetime | None = None
        self.escalation_level = 0
        self.escalation_pending = False
        self.escalation_requested_at: datetime | None = None
        self.escalation_due_at: datetime | None = None
        self.outcome: str | None = None
        self.root_cause: str | None = None
        self.customer_response: str | None = None
        self.reopen_count = 0
        self.extension_count = 0
        self.referred_to: str | None = None
        self.queue_bucket = 0
        self.queue_at: datetime | None = None


@dataclass
class EscalationRow:
    level: int
    request: str
    requested_at: datetime
    due_at: datetime
    decision: tuple[EscalationOutcome, str, datetime] | None = None  # outcome, explanation, at


@dataclass
class Replayed:
    case: CaseRecord
    timeline: list[tuple[datetime, Entry]] = field(default_factory=list)
    escalations: list[EscalationRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Step:
    at: datetime
    rank: int
    name: str
    apply: Callable[[CaseRecord, datetime], list[Entry]]


# Steps at the same instant happen in this order.
_RANK = {
    "ack": 1,
    "resume": 2,
    "pause": 3,
    "extension": 4,
    "note": 5,
    "earlier resolve": 6,
    "earlier close": 7,
    "resolve": 8,
    "close": 9,
    "escalate": 10,
    "decide": 11,
    "reopen": 12,
    "refer": 13,
}

WAITING_REQUEST = "Waiting on the customer (from the imported history)."


def replay(
    record: HistoryRecord, sla: Sla, external: ExternalSettings, label: str = "this case"
) -> Replayed:
    """The case as the live workflow would have left it after its history, with the timeline
    entries each step wrote. BadLine names the history entry the workflow refused, with its
    sentence."""
    case = CaseRecord(label)
    result = Replayed(case)
    received = record.draft.received_at
    assert received is not None
    steps: list[_Step] = []

    def add(at: datetime, kind: str, name: str, fn: Callable[[CaseRecord, datetime], list[Entry]]):
        steps.append(_Step(at, _RANK[kind], name, fn))

    if record.acknowledged_at is not None:
        add(
            record.acknowledged_at,
            "ack",
            "acknowledged_at",
            lambda c, t: lifecycle.acknowledge(c, sla, t),
        )
    for i, p in enumerate(record.pauses):
        name = f"pauses[{i}]"

        def pause(c: CaseRecord, t: datetime, name: str = name) -> list[Entry]:
            out: list[Entry] = []
            if Status(c.status) is Status.NEW:
                raise StepRefused(
                    "a case waits on the customer only once acknowledged; "
                    "acknowledged_at is missing or later."
                )
            if Status(c.status) is Status.ACKNOWLEDGED:  # investigating begins with the wait
                out += lifecycle.start(c, sla, t)
            return out + lifecycle.wait(c, sla, t, WAITING_REQUEST)

        add(p.start, "pause", f"{name}.from", pause)
        if p.end is not None:
            add(p.end, "resume", f"{name}.to", lambda c, t: lifecycle.resume(c, sla, t))
    for i, e in enumerate(record.extensions):
        add(
            e.at,
            "extension",
            f"extensions[{i}]",
            lambda c, t, e=e: lifecycle.extend(c, sla, t, e.business_days, e.note),
        )
    for i, n in enumerate(record.notes):
        body = f"{n.author}: {n.text}" if n.author else n.text
        if n.customer_visible:
            fn = lambda c, t, b=body: lifecycle.update(c, sla, t, b)  # noqa: E731
        else:
            fn = lambda c, t, b=body: lifecycle.note(c, t, b)  # noqa: E731
        add(n.at, "note", f"notes[{i}]", fn)
    decided_reopens = {
        e.decided_at
        for e in record.escalations
        if e.decision is EscalationOutcome.REOPEN and e.decided_at is not None
    }
    for i, r in enumerate(record.reopens):
        name = f"reopens[{i}]"
        add(
            r.resolved_at,
            "earlier resolve",
            f"{name}.resolved_at",
            lambda c, t, r=r: lifecycle.resolve(c, sla, t, r.outcome, r.root_cause),
        )
        if r.closed_at is not None and r.customer_response is not None:
            add(
                r.closed_at,
                "earlier close",
                f"{name}.closed_at",
                lambda c, t, r=r: lifecycle.close(c, t, r.customer_response),
            )
        if r.at not in decided_reopens:  # else the escalation decision reopens it
            add(
                r.at,
                "reopen",
                f"{name}.at",
                lambda c, t, r=r: lifecycle.reopen(c, sla, t, r.reason),
            )
    if record.resolved_at is not None:
        outcome, cause = record.outcome or "", record.root_cause or ""
        add(
            record.resolved_at,
            "resolve",
            "resolved_at",
            lambda c, t: lifecycle.resolve(c, sla, t, outcome, cause),
        )
    if record.closed_at is not None and record.customer_response is not None:
        answer = record.customer_response
        add(record.closed_at, "close", "closed_at", lambda c, t: lifecycle.close(c, t, answer))
    # A level-2 request made by a level-1 decision to refer it up is that decision's.
    referred_up = {
        e.decided_at for e in record.escalations if e.decision is EscalationOutcome.REFER_UP
    }
    for i, e in enumerate(record.escalations):
        name = f"escalations[{i}]"

        def request(c: CaseRecord, t: datetime, e: EscalationItem = e) -> list[Entry]:
            out = lifecycle.escalate(c, sla, t, e.reason)
            if c.escalation_level != e.level:
                raise StepRefused(
                    f"this request is level {c.escalation_level}, not {e.level}, "
                    "after the ones before it."
                )
            row = EscalationRow(c.escalation_level, e.reason, t, c.escalation_due_at)  # type: ignore[arg-type]
            result.escalations.append(row)
            return out

        if not (e.level == 2 and e.requested_at in referred_up):
            add(e.requested_at, "escalate", f"{name}.requested_at", request)
        if e.decided_at is not None and e.decision is not None:

            def decide(c: CaseRecord, t: datetime, e: EscalationItem = e) -> list[Entry]:
                assert e.decision is not None
                upcoming = [x for x in record.escalations if x.level == 2 and x.requested_at == t]
                request_text = upcoming[0].reason if upcoming else e.reason
                out = lifecycle.decide(c, sla, t, e.decision, e.note, "", request_text)
                result.escalations[-1].decision = (e.decision, e.note, t)
                if e.decision is EscalationOutcome.REFER_UP:
                    row = EscalationRow(c.escalation_level, request_text, t, c.escalation_due_at)  # type: ignore[arg-type]
                    result.escalations.append(row)
                return out

            add(e.decided_at, "decide", f"{name}.decided_at", decide)
    if record.referral is not None:
        ref_item = record.referral
        add(
            ref_item.at,
            "refer",
            "referral.at",
            lambda c, t: lifecycle.refer(
                c,
                t,
                external.name,
                external.contact,
                external.info,
                f"Reference: {ref_item.reference}",
            ),
        )

    draft = record.draft
    entries = lifecycle.receive(case, sla, received, draft.channel)
    result.timeline += [(received, e) for e in entries]
    # A stable sort: steps of one kind at one instant keep the file's order.
    for step in sorted(steps, key=lambda s: (s.at, s.rank)):
        try:
            entries = step.apply(case, step.at)
        except StepRefused as exc:
            raise BadLine(f"{step.name}: {exc}") from None
        result.timeline += [(step.at, e) for e in entries]
    for name, want, got in (
        ("acknowledged_at", record.acknowledged_at, case.acknowledged_at),
        ("resolved_at", record.resolved_at, case.resolved_at),
        ("closed_at", record.closed_at, case.closed_at),
    ):
        if want != got:
            raise BadLine(
                f"{name}: the history reopens the case after it; give the last one here and the "
                "earlier ones in reopens."
            )
    lifecycle.set_queue(case)
    return result
