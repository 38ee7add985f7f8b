"""Intake: what policy §1 asks a complainant to give, and the checks on it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from complaint_tui.domain.clock import instant_problem
from complaint_tui.domain.enums import Channel, Priority
from complaint_tui.domain.labels import show_instant
from complaint_tui.domain.settings import IntakeSettings

_CUSTOMER_ID = re.compile(r"^[\w.@+-]{2,64}$")
MAX_SUBJECT = 200
MAX_EVENTS = 100
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class EventDate:
    at: datetime
    note: str


@dataclass(frozen=True)
class AttachmentInput:
    name: str
    content_type: str
    data: bytes


@dataclass
class IntakeDraft:
    customer: str = ""
    services: list[str] = field(default_factory=list)
    channel: str = ""
    subject: str = ""
    description: str = ""
    desired_outcome: str = ""
    priority: str = Priority.NORMAL.value
    category: str | None = None
    confidential: bool = False
    received_at: datetime | None = None
    events: list[EventDate] = field(default_factory=list)
    attachments: list[AttachmentInput] = field(default_factory=list)


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


def cleaned(draft: IntakeDraft) -> IntakeDraft:
    """The draft's text through text.clean_input: NUL removed, NFC; InvalidText if a field holds
    bytes that were not UTF-8."""
    from dataclasses import replace

    from complaint_tui.domain.text import clean_input

    return replace(
        draft,
        customer=clean_input(draft.customer, "customer"),
        services=[clean_input(s, "services") for s in draft.services],
        subject=clean_input(draft.subject, "subject"),
        description=clean_input(draft.description, "description"),
        desired_outcome=clean_input(draft.desired_outcome, "desired outcome"),
        category=None if draft.category is None else clean_input(draft.category, "category"),
        events=[EventDate(e.at, clean_input(e.note, "events")) for e in draft.events],
    )


def stored_fields(draft: IntakeDraft) -> dict:
    """The case columns a (cleaned, valid) draft sets, as live intake and the history import
    store them: names and one-line texts trimmed, the description kept as typed."""
    return {
        "customer": draft.customer.strip(),
        "channel": draft.channel,
        "subject": draft.subject.strip(),
        "description": draft.description,
        "desired_outcome": draft.desired_outcome.strip(),
        "priority": draft.priority,
        "category": draft.category,
        "confidential": draft.confidential,
    }


def validate_intake(draft: IntakeDraft, rules: IntakeSettings, now: datetime) -> list[FieldError]:
    """Every problem with a draft, each naming its field; an empty list means it may be saved."""
    errors: list[FieldError] = []

    def err(name: str, message: str) -> None:
        errors.append(FieldError(name, message))

    customer = draft.customer.strip()
    if not customer:
        err("customer", "customer: the account username or customer ID is required.")
    elif not _CUSTOMER_ID.match(customer):
        err(
            "customer",
            "customer: use the account username or customer ID (2-64 letters, digits, . _ @ + -).",
        )
    if not draft.services:
        err("services", "services: name at least one service the complaint is about.")
    else:
        unknown = [s for s in draft.services if s not in rules.services]
        if unknown:
            err(
                "services",
                f"services: {unknown[0]!r} is not a configured service "
                f"(one of: {', '.join(rules.services)}).",
            )
        elif len(set(draft.services)) != len(draft.services):
            err("services", "services: each service may be named once.")
    if draft.channel not in {c.value for c in Channel}:
        err("channel", f"channel: choose one of {', '.join(c.value for c in Channel)}.")
    subject = draft.subject.strip()
    if not subject:
        err("subject", "subject: a short subject line is required.")
    elif len(subject) > MAX_SUBJECT or "\n" in subject:
        err("subject", f"subject: keep it to one line of at most {MAX_SUBJECT} characters.")
    if not draft.description.strip():
        err("description", "description: describe the issue and what happened.")
    elif len(draft.description) > rules.max_text_chars:
        err("description", f"description: at most {rules.max_text_chars:,} characters.")
    if len(draft.desired_outcome) > rules.max_text_chars:
        err("desired_outcome", f"desired outcome: at most {rules.max_text_chars:,} characters.")
    if draft.priority not in {p.value for p in Priority}:
        err("priority", f"priority: choose one of {', '.join(p.value for p in Priority)}.")
    if draft.category is not None and draft.category not in rules.categories:
        err(
            "category",
            f"category: {draft.category!r} is not a configured category "
            f"(one of: {', '.join(rules.categories)}).",
        )
    if draft.received_at is not None:
        problem = instant_problem(draft.received_at)
        if problem is not None:
            err("received_at", f"received at: {problem}.")
        elif draft.received_at > now:
            err("received_at", "received at: cannot be in the future.")
    if len(draft.events) > MAX_EVENTS:
        err("events", f"events: at most {MAX_EVENTS} dated events.")
    for ev in draft.events:
        problem = event_problem(ev, now)
        if problem is not None:
            err("events", problem)
            break
    if len(draft.attachments) > MAX_ATTACHMENTS:
        err("attachments", f"attachments: at most {MAX_ATTACHMENTS} files.")
    for att in draft.attachments:
        problem = attachment_problem(att.name, len(att.data), rules.max_attachment_bytes)
        if problem is not None:
            err("attachments", problem)
            break
    return errors


def event_problem(event: EventDate, now: datetime) -> str | None:
    """Why a dated event cannot be taken, as the "events" field's sentence; None if it can."""
    problem = instant_problem(event.at)
    if problem is not None:
        return f"events: {problem}."
    if event.at > now:
        return f"events: {show_instant(event.at, event.at.tzinfo)} is in the future."
    if not event.note.strip():
        return "events: after the time, say what happened."
    return None


def attachment_problem(name: str, size: int, limit: int) -> str | None:
    """Why a file of ``size`` bytes cannot be attached, in one sentence; None if it can."""
    if size > limit:
        return f"attachments: {name!r} is {size:,} bytes, over the {limit:,}-byte limit."
    if size == 0:
        return f"attachments: {name!r} is empty."
    return None
