"""Intake validation: what policy §1 asks a complainant for, each problem naming its field."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaint_tui.domain.enums import Channel, Priority
from complaint_tui.domain.intake import (
    MAX_ATTACHMENTS,
    MAX_EVENTS,
    MAX_SUBJECT,
    AttachmentInput,
    EventDate,
    IntakeDraft,
    cleaned,
    validate_intake,
)
from complaint_tui.domain.settings import IntakeSettings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=VN)
RULES = IntakeSettings(
    services=("VPS", "DNS", "Billing"),
    categories=("Outage", "Billing"),
    max_attachment_bytes=1000,
    max_text_chars=500,
)


def good(**changes) -> IntakeDraft:
    draft = IntakeDraft(
        customer="nguyenvana",
        services=["VPS"],
        channel="email",
        subject="VPS unreachable since Monday",
        description="Cannot SSH into vps-01 since 09:00; the panel shows it running.",
        desired_outcome="Restore access and credit the downtime.",
        priority="high",
        category="Outage",
        received_at=NOW - timedelta(hours=2),
        events=[EventDate(NOW - timedelta(days=1), "First timeout seen")],
        attachments=[AttachmentInput("screenshot.png", "image/png", b"\x89PNG" + b"0" * 100)],
    )
    return replace(draft, **changes)


def fields(draft: IntakeDraft, now: datetime = NOW) -> list[str]:
    return [e.field for e in validate_intake(draft, RULES, now)]


def test_a_complete_draft_is_valid() -> None:
    assert validate_intake(good(), RULES, NOW) == []


def test_a_minimal_draft_is_valid() -> None:
    draft = IntakeDraft(
        customer="acct-1042", services=["DNS"], channel="phone", subject="x", description="y"
    )
    assert validate_intake(draft, RULES, NOW) == []


# policy §1: account username or customer ID, the service(s), a description of the issue;
# the product also needs the channel it came in by and a subject line.
REQUIRED = [
    ("customer", {"customer": ""}, "customer"),
    ("customer-blank", {"customer": "   "}, "customer"),
    ("services", {"services": []}, "services"),
    ("channel", {"channel": ""}, "channel"),
    ("subject", {"subject": ""}, "subject"),
    ("subject-blank", {"subject": " \t "}, "subject"),
    ("description", {"description": ""}, "description"),
    ("description-blank", {"description": "\n\n  "}, "description"),
]


@pytest.mark.parametrize(
    ("changes", "field"), [c[1:] for c in REQUIRED], ids=[c[0] for c in REQUIRED]
)
def test_missing_required_field_is_named(changes: dict, field: str) -> None:
    errors = validate_intake(good(**changes), RULES, NOW)
    assert [e.field for e in errors] == [field]
    message = str(errors[0])
    assert message.startswith(field.replace("_", " ") + ":")
    assert message.endswith(".")


def test_everything_missing_names_every_required_field() -> None:
    assert fields(IntakeDraft()) == ["customer", "services", "channel", "subject", "description"]


BAD = [
    ("customer-too-short", {"customer": "a"}, "customer"),
    ("customer-too-long", {"customer": "a" * 65}, "customer"),
    ("customer-with-space", {"customer": "nguyen van a"}, "customer"),
    ("customer-markup", {"customer": "[bold]x[/]"}, "customer"),
    ("customer-newline-inside", {"customer": "ab\ncd"}, "customer"),
    ("unknown-service", {"services": ["VPS", "Colocation"]}, "services"),
    ("duplicate-service", {"services": ["VPS", "VPS"]}, "services"),
    ("unknown-channel", {"channel": "fax"}, "channel"),
    ("channel-wrong-case", {"channel": "Email"}, "channel"),
    ("subject-too-long", {"subject": "s" * (MAX_SUBJECT + 1)}, "subject"),
    ("subject-two-lines", {"subject": "line one\nline two"}, "subject"),
    ("description-too-long", {"description": "d" * 501}, "description"),
    ("desired-outcome-too-long", {"desired_outcome": "o" * 501}, "desired_outcome"),
    ("unknown-priority", {"priority": "urgent"}, "priority"),
    ("unknown-category", {"category": "Weather"}, "category"),
    ("received-in-the-future", {"received_at": NOW + timedelta(seconds=1)}, "received_at"),
    ("received-naive", {"received_at": datetime(2026, 11, 25, 9, 0)}, "received_at"),
    ("event-naive", {"events": [EventDate(datetime(2026, 11, 24, 9), "timeout")]}, "events"),
    ("event-in-the-future", {"events": [EventDate(NOW + timedelta(days=1), "x")]}, "events"),
    ("event-without-note", {"events": [EventDate(NOW - timedelta(hours=1), "  ")]}, "events"),
    (
        "too-many-events",
        {"events": [EventDate(NOW - timedelta(minutes=i + 1), "e") for i in range(MAX_EVENTS + 1)]},
        "events",
    ),
    (
        "oversize-attachment",
        {"attachments": [AttachmentInput("dump.bin", "application/octet-stream", b"x" * 1001)]},
        "attachments",
    ),
    (
        "empty-attachment",
        {"attachments": [AttachmentInput("e.txt", "text/plain", b"")]},
        "attachments",
    ),
    (
        "too-many-attachments",
        {"attachments": [AttachmentInput(f"{i}.txt", "text/plain", b"x") for i in range(21)]},
        "attachments",
    ),
]


@pytest.mark.parametrize(("changes", "field"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_value_is_named(changes: dict, field: str) -> None:
    errors = validate_intake(good(**changes), RULES, NOW)
    assert [e.field for e in errors] == [field]
    assert str(errors[0]).startswith(field.replace("_", " ") + ":")


def test_oversize_attachment_message_names_the_file_and_the_limit() -> None:
    draft = good(attachments=[AttachmentInput("dump.bin", "application/octet-stream", b"x" * 1001)])
    (error,) = validate_intake(draft, RULES, NOW)
    assert "dump.bin" in error.message
    assert "1,001" in error.message and "1,000" in error.message


def test_naive_received_at_asks_for_an_offset() -> None:
    (error,) = validate_intake(good(received_at=datetime(2026, 11, 25, 9)), RULES, NOW)
    assert "time zone" in error.message


def test_several_problems_are_all_reported() -> None:
    draft = good(customer="", channel="fax", received_at=NOW + timedelta(days=1))
    assert fields(draft) == ["customer", "channel", "received_at"]


LIMITS_OK = [
    ("subject-at-limit", {"subject": "s" * MAX_SUBJECT}),
    ("description-at-limit", {"description": "d" * 500}),
    ("desired-outcome-empty", {"desired_outcome": ""}),
    ("attachment-at-limit", {"attachments": [AttachmentInput("a.bin", "x/y", b"x" * 1000)]}),
    (
        "max-attachments",
        {"attachments": [AttachmentInput(f"{i}", "x/y", b"x") for i in range(MAX_ATTACHMENTS)]},
    ),
    (
        "max-events",
        {"events": [EventDate(NOW - timedelta(minutes=i + 1), "e") for i in range(MAX_EVENTS)]},
    ),
    ("received-exactly-now", {"received_at": NOW}),
    ("received-now-in-utc", {"received_at": NOW.astimezone(UTC)}),
    ("received-last-year-by-phone", {"received_at": NOW - timedelta(days=365), "channel": "phone"}),
    ("no-received-at", {"received_at": None}),
    ("no-category", {"category": None}),
    ("several-services", {"services": ["VPS", "DNS", "Billing"]}),
    ("customer-email-style", {"customer": "an.nguyen+vps@example.vn"}),
    ("customer-padded", {"customer": "  nguyenvana \n"}),
]


@pytest.mark.parametrize("changes", [c[1] for c in LIMITS_OK], ids=[c[0] for c in LIMITS_OK])
def test_values_at_the_limits_are_accepted(changes: dict) -> None:
    assert validate_intake(good(**changes), RULES, NOW) == []


@pytest.mark.parametrize("channel", list(Channel), ids=[c.value for c in Channel])
def test_every_channel_is_accepted(channel: Channel) -> None:
    assert validate_intake(good(channel=channel.value), RULES, NOW) == []


@pytest.mark.parametrize("priority", list(Priority), ids=[p.value for p in Priority])
def test_every_priority_is_accepted(priority: Priority) -> None:
    assert validate_intake(good(priority=priority.value), RULES, NOW) == []


def test_cleaned_removes_nul_from_every_text_field() -> None:
    draft = good(
        customer="nguyen\x00vana",
        services=["V\x00PS"],
        subject="VPS\x00 down",
        description="a\x00b",
        desired_outcome="c\x00d",
        events=[EventDate(NOW - timedelta(hours=1), "e\x00f")],
    )
    out = cleaned(draft)
    assert out.customer == "nguyenvana"
    assert out.services == ["VPS"]
    assert out.subject == "VPS down"
    assert out.description == "ab"
    assert out.desired_outcome == "cd"
    assert [e.note for e in out.events] == ["ef"]
    assert validate_intake(out, RULES, NOW) == []
    assert draft.description == "a\x00b"  # the original draft is left alone


def test_a_description_of_only_nul_is_missing_once_cleaned() -> None:
    assert fields(cleaned(good(description="\x00\x00"))) == ["description"]
