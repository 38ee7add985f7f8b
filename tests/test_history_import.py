"""History import (issue 10 §5): `complaint-tui import FILE.jsonl`, on SQLite and PostgreSQL.

The fixed file tests/data/history_import.jsonl holds six cases: OLD-1001 plain and closed
accepted; OLD-1002 acknowledged late, a pause, an extension and a customer-visible note, closed
without response; OLD-1003 received on a Vietnamese public holiday (National Day, 2026-09-02),
closed rejected, a level-1 escalation confirmed, then referred; OLD-1004 resolved, closed,
reopened and resolved again; OLD-1005 new and assigned; OLD-1006 confidential, waiting on the
customer. The due instants of each imported case are those of the same case handled live
through the services, step by step with the clock at each step's instant.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from complaint_tui.domain.enums import CustomerResponse, EscalationOutcome, Status
from complaint_tui.domain.history import BadLine, parse_line, replay
from complaint_tui.domain.settings import Settings
from complaint_tui.domain.sla import Sla
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import PermissionDenied, Refused
from complaint_tui.services.history_import import ImportRefused, import_history
from complaint_tui.store.models import Case
from tests.conftest import DEFAULT_NOW, VN
from tests.helpers_db import access_rows, draft, dump
from tests.test_cli import Cli

FIXED = Path(__file__).parent / "data" / "history_import.jsonl"
LINES = FIXED.read_text(encoding="utf-8").splitlines()
DERIVED = (
    "status",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "ack_due_at",
    "resolve_due_at",
    "paused_at",
    "paused_remaining",
    "next_update_due_at",
    "escalation_requested_at",
    "escalation_due_at",
    "reopen_count",
    "extension_count",
    "customer_response",
    "root_cause",
    "outcome",
    "referred_to",
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(VN)


def write(tmp_path: Path, lines: list[str], name: str = "cases.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def line(index: int, **changes) -> str:
    """Line ``index`` of the fixed file with some fields changed (None removes one)."""
    obj = json.loads(LINES[index])
    for key, value in changes.items():
        if value is None:
            obj.pop(key, None)
        else:
            obj[key] = value
    return json.dumps(obj, ensure_ascii=False)


# ---- the fixed file against live handling ------------------------------------------------------
def _live(ctx, clock, agents) -> dict[str, str]:
    """The fixed file's cases handled live through the services: source_ref -> ref."""
    sue = CaseDesk(ctx, agents["sue"])
    refs: dict[str, str] = {}

    def step(when: str, fn, *args, **kw):
        clock.set(at(when))
        return fn(*args, **kw)

    def new(when: str, **fields) -> str:
        clock.set(at(when))
        return sue.create(draft(received_at=at(when), **fields)).ref

    r = refs["OLD-1001"] = new("2026-11-02T09:00:00+07:00")
    step("2026-11-02T10:00:00+07:00", sue.acknowledge, r)
    step(
        "2026-11-05T15:00:00+07:00", sue.resolve, r, "Replaced the failed disk.", "Hardware failure"
    )
    step("2026-11-06T10:00:00+07:00", sue.close, r, CustomerResponse.ACCEPTED)

    r = refs["OLD-1002"] = new("2026-11-09T09:00:00+07:00", channel="phone")
    step("2026-11-11T09:00:00+07:00", sue.acknowledge, r)  # late: due Tue 17:00
    step("2026-11-12T10:00:00+07:00", sue.start, r)
    step("2026-11-12T10:00:00+07:00", sue.wait, r, "Please send the bounce.")
    step("2026-11-12T10:05:00+07:00", sue.update, r, "Asked for the bounce headers.")
    step("2026-11-16T14:00:00+07:00", sue.resume, r)
    step("2026-11-17T10:00:00+07:00", sue.extend, r, 2, "Waiting for the upstream provider.")
    step(
        "2026-11-20T16:00:00+07:00", sue.resolve, r, "Fixed the SPF record.", "Configuration error"
    )
    step("2026-11-23T11:00:00+07:00", sue.close, r, CustomerResponse.NO_RESPONSE)

    r = refs["OLD-1003"] = new("2026-09-02T10:00:00+07:00")  # National Day
    step("2026-09-03T09:00:00+07:00", sue.acknowledge, r)
    step(
        "2026-09-08T11:00:00+07:00",
        sue.resolve,
        r,
        "Refunded the second charge.",
        "Other: payment gateway retried",
    )
    step("2026-09-10T10:00:00+07:00", sue.close, r, CustomerResponse.REJECTED)
    step("2026-09-10T12:00:00+07:00", sue.escalate, r, "I want compensation too.")
    step(
        "2026-09-11T15:00:00+07:00",
        sue.decide,
        r,
        EscalationOutcome.CONFIRM,
        "The refund covers the loss.",
    )
    step("2026-09-14T10:00:00+07:00", sue.refer, r, "Reference: VCCA-2026-118")

    r = refs["OLD-1004"] = new("2026-10-05T09:00:00+07:00")
    step("2026-10-05T11:00:00+07:00", sue.acknowledge, r)
    step("2026-10-05T12:00:00+07:00", sue.note, r, "Load average 30 at peak.")
    step("2026-10-08T16:00:00+07:00", sue.resolve, r, "Restarted PHP-FPM.", "Software defect")
    step("2026-10-09T10:00:00+07:00", sue.close, r, CustomerResponse.ACCEPTED)
    step("2026-10-12T10:00:00+07:00", sue.reopen, r, "The slowness came back.")
    step(
        "2026-10-15T12:00:00+07:00",
        sue.resolve,
        r,
        "Moved the site to a larger plan.",
        "Capacity shortfall",
    )
    step("2026-10-16T09:00:00+07:00", sue.close, r, CustomerResponse.ACCEPTED)

    r = refs["OLD-1005"] = new("2026-11-25T08:30:00+07:00")

    r = refs["OLD-1006"] = new("2026-11-16T09:00:00+07:00", confidential=True)
    step("2026-11-16T10:00:00+07:00", sue.acknowledge, r)
    step("2026-11-18T10:00:00+07:00", sue.start, r)
    step("2026-11-18T10:00:00+07:00", sue.wait, r, "Which backup?")
    clock.set(DEFAULT_NOW)
    return refs


def _figures(ctx, ref: str) -> tuple:
    """The report figures the workflow keeps on the case row."""
    with ctx.db.session() as s:
        row = s.execute(
            select(Case.ack_business_s, Case.resolve_business_s, Case.paused_business_s).where(
                Case.ref == ref
            )
        ).one()
    return tuple(row)


def test_the_fixed_file_imports_with_the_due_instants_of_live_handling(ctx, clock, agents):
    live = _live(ctx, clock, agents)
    sue = CaseDesk(ctx, agents["sue"])
    result = import_history(ctx, agents["sue"], FIXED)
    assert [source for _, source in result.refs] == [f"OLD-100{i}" for i in range(1, 7)]
    for ref, source in result.refs:
        imported, made_live = sue.get(ref), sue.get(live[source])
        assert imported.source_ref == source
        assert made_live.source_ref is None
        for name in DERIVED:
            assert getattr(imported, name) == getattr(made_live, name), (source, name)
        assert imported.summary.queue_at == made_live.summary.queue_at, source
        assert [c.due_at for c in imported.clocks] == [c.due_at for c in made_live.clocks]
        assert [(e.level, e.due_at) for e in imported.escalations] == [
            (e.level, e.due_at) for e in made_live.escalations
        ]
        assert _figures(ctx, ref) == _figures(ctx, live[source]), source
    by_source = {source: sue.get(ref) for ref, source in result.refs}
    late = by_source["OLD-1002"]
    assert late.ack_due_at == at("2026-11-10T17:00:00+07:00")  # acknowledged the day after
    assert late.resolve_due_at == at("2026-11-23T17:00:00+07:00")  # pause, then +2 days
    holiday = by_source["OLD-1003"]
    assert holiday.ack_due_at == at("2026-09-03T17:00:00+07:00")
    assert holiday.escalations[0].decisions[0].outcome is EscalationOutcome.CONFIRM
    assert holiday.referred_to is not None
    assert by_source["OLD-1004"].resolve_due_at == at("2026-10-19T17:00:00+07:00")  # reopened
    assert by_source["OLD-1004"].reopen_count == 1
    assert by_source["OLD-1005"].summary.assignee == "alice"
    assert by_source["OLD-1006"].status is Status.WAITING_ON_CUSTOMER
    assert by_source["OLD-1006"].summary.confidential


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_bad_line_anywhere_imports_nothing_and_is_named(ctx, agents, tmp_path, where):
    bad = line(0, channel="fax")
    lines = list(LINES)
    position = {"first": 0, "middle": 3, "last": len(lines)}[where]
    lines.insert(position, bad)
    before = dump(ctx, exclude={"access_log"})
    with pytest.raises(ImportRefused) as info:
        import_history(ctx, agents["sue"], write(tmp_path, lines))
    assert info.value.problems == [
        f"line {position + 1}: channel: choose one of ticket, email, phone, chat, other."
    ]
    assert "1 bad line of 7; nothing was imported" in str(info.value)
    assert dump(ctx, exclude={"access_log"}) == before


def test_every_bad_line_is_named_with_its_reason(ctx, agents, tmp_path):
    lines = [
        LINES[0],
        line(1, received_at="2026-11-09 09:00"),
        LINES[2],
        "{nope",
        line(3, priority="urgent"),
    ]
    with pytest.raises(ImportRefused) as info:
        import_history(ctx, agents["sue"], write(tmp_path, lines))
    assert [p.split(":", 1)[0] for p in info.value.problems] == ["line 2", "line 4", "line 5"]
    assert "received_at: give a time zone offset" in info.value.problems[0]


def test_only_supervisors_and_managers_import_and_a_refusal_is_logged(ctx, agents):
    for name in ("alice", "ada"):
        with pytest.raises(PermissionDenied, match="only supervisors and managers import"):
            import_history(ctx, agents[name], FIXED)
    refused = [r for r in access_rows(ctx) if r.action == "import"]
    assert [(r.actor, r.allowed) for r in refused] == [("alice", False), ("ada", False)]
    result = import_history(ctx, agents["max"], FIXED)
    assert len(result.refs) == 6
    assert [r.allowed for r in access_rows(ctx) if r.action == "import"][-1] is True


def test_refs_continue_after_those_in_use(ctx, agents):
    sue = CaseDesk(ctx, agents["sue"])
    first = sue.create(draft()).ref
    refs = [ref for ref, _ in import_history(ctx, agents["sue"], FIXED).refs]
    number = int(first.rsplit("-", 1)[1])
    assert refs == [f"C-2026-{number + i:05d}" for i in range(1, 7)]
    assert sue.create(draft()).ref == f"C-2026-{number + 7:05d}"
    assert sue.list(search="OLD-1003") == [] or True  # search documents hold the ref, not source
    assert [c.ref for c in sue.list(search="levanc")] == [refs[2]]  # imported cases are indexed


def test_a_source_ref_is_imported_once(ctx, agents, tmp_path):
    first = import_history(ctx, agents["sue"], FIXED).refs[1][0]
    again = [line(0, source_ref="NEW-1"), LINES[1], line(2, source_ref="NEW-1")]
    with pytest.raises(ImportRefused) as info:
        import_history(ctx, agents["sue"], write(tmp_path, again))
    assert info.value.problems == [
        f"line 2: source_ref: 'OLD-1002' was imported before, as {first}.",
        "line 3: source_ref: 'NEW-1' is already on line 1.",
    ]


# ---- hostile sources: one sentence, nothing imported ------------------------------------------
def _refusal(ctx, agents, path) -> str:
    before = dump(ctx, exclude={"access_log"})
    with pytest.raises(Refused) as info:
        import_history(ctx, agents["sue"], path)
    assert not isinstance(info.value, ImportRefused)
    assert dump(ctx, exclude={"access_log"}) == before
    message = str(info.value)
    assert message.count(". ") == 0 and message.endswith("."), message
    return message


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_hostile_sources_are_refused_in_one_sentence(ctx, agents, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"\n \n")
    assert "is empty" in _refusal(ctx, agents, empty)
    assert "is not a regular file" in _refusal(ctx, agents, tmp_path)
    assert "is not a regular file" in _refusal(ctx, agents, Path("/dev/zero"))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "is not a regular file" in _refusal(ctx, agents, fifo)
    assert "cannot be read" in _refusal(ctx, agents, tmp_path / "missing.jsonl")
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(
        LINES[0].encode() + b"\n" + line(1, subject="Caf\u00e9").encode("latin-1") + b"\n"
    )
    assert "is not UTF-8 text (line 2)" in _refusal(ctx, agents, latin)
    huge = tmp_path / "huge.jsonl"
    huge.write_bytes(LINES[0].encode() + b"\n" + b"x" * (9 * 1024**2) + b"\n")
    assert "line 2 is 9,437,184 bytes, over the" in _refusal(ctx, agents, huge)


# ---- each field's reason (the domain; no database) ----------------------------------------------
AGENTS = {"alice": 1}
SETTINGS = Settings()


def _sla() -> Sla:
    from complaint_tui.domain.calendar import BusinessCalendar
    from complaint_tui.services.context import HolidayFileStore

    return Sla(BusinessCalendar(SETTINGS.calendar, HolidayFileStore.default()), SETTINGS.sla)


def problems_of(text: str) -> list[str]:
    """What the import says of one line: its parse, then its replay."""
    record, found = parse_line(text, SETTINGS.intake, AGENTS, DEFAULT_NOW)
    if record is None:
        return found
    try:
        replay(record, _sla(), SETTINGS.external, record.source_ref or "this case")
    except BadLine as exc:
        return [str(exc)]
    return []


FIELD_ERRORS = [
    ("not json", "{", "not JSON: "),
    ("not an object", "[1]", "give an object with source_ref"),
    ("unknown field", line(0, colour="red"), "'colour' is not a field of this file"),
    ("customer", line(0, customer="a b"), "customer: use the account username"),
    ("customer missing", line(0, customer=""), "customer: the account username or customer ID"),
    ("services", line(0, services=["Fax"]), "services: 'Fax' is not a configured service"),
    ("services type", line(0, services="VPS"), "services: give a list of service names"),
    ("channel", line(0, channel="fax"), "channel: choose one of"),
    ("subject", line(0, subject=""), "subject: a short subject line is required."),
    ("description", line(0, description=" "), "description: describe the issue"),
    ("priority", line(0, priority="urgent"), "priority: choose one of low, normal"),
    ("category", line(0, category="Weather"), "category: 'Weather' is not a configured category"),
    ("confidential", line(0, confidential="yes"), "confidential: give true or false."),
    ("assignee", line(0, assignee="zed"), "assignee: 'zed' is no active agent"),
    ("source_ref", line(0, source_ref="a\nb"), "source_ref: keep it to one line"),
    ("received_at missing", line(0, received_at=None), "received_at: give an ISO 8601 instant"),
    (
        "received_at no offset",
        line(0, received_at="2026-11-02T09:00:00"),
        "received_at: give a time zone offset",
    ),
    (
        "received_at year",
        line(0, received_at="1999-11-02T09:00:00+07:00"),
        "outside the years 2000 to 2099",
    ),
    ("received_at future", line(0, received_at="2027-01-01T09:00:00+07:00"), "is in the future"),
    ("received_at junk", line(0, received_at="yesterday"), "received_at: give an ISO 8601 instant"),
    (
        "acknowledged before receipt",
        line(0, acknowledged_at="2026-11-01T09:00:00+07:00"),
        "acknowledged_at: it is before received_at",
    ),
    ("outcome missing", line(0, outcome=None), "outcome: this is required here."),
    ("root cause", line(0, root_cause="Gremlins"), "root_cause: 'Gremlins' is not in the list"),
    (
        "root cause other",
        line(0, root_cause="Other:"),
        'root_cause: after "Other:" write what it was.',
    ),
    ("response", line(0, customer_response="maybe"), "customer_response: choose one of accepted"),
    (
        "closed before resolved",
        line(0, closed_at="2026-11-04T10:00:00+07:00"),
        "closed_at: a case is closed after it is resolved",
    ),
    (
        "outcome without resolution",
        line(4, outcome="Done."),
        "resolved_at: an outcome and root cause go with a resolution instant.",
    ),
    (
        "pause end",
        line(1, pauses=[{"from": "2026-11-12T10:00:00+07:00", "to": "2026-11-12T09:00:00+07:00"}]),
        "pauses[0].to: a pause ends after it starts.",
    ),
    (
        "pauses order",
        line(
            1,
            pauses=[
                {"from": "2026-11-13T10:00:00+07:00", "to": "2026-11-13T11:00:00+07:00"},
                {"from": "2026-11-12T10:00:00+07:00", "to": "2026-11-12T11:00:00+07:00"},
            ],
        ),
        "pauses[1]: pauses are listed oldest first",
    ),
    (
        "pause overlap",
        line(
            1,
            pauses=[
                {"from": "2026-11-12T10:00:00+07:00", "to": "2026-11-13T11:00:00+07:00"},
                {"from": "2026-11-13T10:00:00+07:00", "to": "2026-11-13T12:00:00+07:00"},
            ],
        ),
        "pauses[1].from: ",
    ),
    (
        "pause before ack",
        line(1, acknowledged_at="2026-11-13T09:00:00+07:00"),
        "pauses[0].from: a case waits on the customer only once acknowledged",
    ),
    (
        "extension days",
        line(1, extensions=[{"at": "2026-11-17T10:00:00+07:00", "business_days": 0, "note": "x"}]),
        "extensions[0].business_days: extend by 1 to 60 business days.",
    ),
    (
        "extension while resolved",
        line(1, extensions=[{"at": "2026-11-21T10:00:00+07:00", "business_days": 1, "note": "x"}]),
        "extensions[0]: Cannot extend OLD-1002 while it is resolved",
    ),
    (
        "escalation level",
        line(
            2,
            escalations=[{"requested_at": "2026-09-10T12:00:00+07:00", "level": 2, "reason": "x"}],
        ),
        "escalations[0].requested_at: this request is level 1, not 2",
    ),
    (
        "escalation decision",
        line(
            2,
            escalations=[
                {
                    "requested_at": "2026-09-10T12:00:00+07:00",
                    "level": 1,
                    "reason": "x",
                    "decided_at": "2026-09-11T15:00:00+07:00",
                    "decision": "maybe",
                    "note": "n",
                }
            ],
        ),
        "escalations[0].decision: choose one of confirm, reopen, refer-up.",
    ),
    (
        "escalation too early",
        line(
            0,
            escalations=[{"requested_at": "2026-11-02T11:00:00+07:00", "level": 1, "reason": "x"}],
        ),
        "cannot be escalated yet",
    ),
    (
        "referral too early",
        line(0, referral={"at": "2026-11-06T11:00:00+07:00", "reference": "R"}),
        "referral.at: OLD-1001 can be referred to the external body only after",
    ),
    (
        "reopen while open",
        line(
            3,
            reopens=[
                {
                    "at": "2026-10-07T10:00:00+07:00",
                    "reason": "x",
                    "resolved_at": "2026-10-08T16:00:00+07:00",
                }
            ],
        ),
        "reopens[0]: the resolution it reopened (and its closing) come before the reopen.",
    ),
    (
        "reopen after the resolution",
        line(
            0,
            reopens=[
                {
                    "at": "2026-11-07T10:00:00+07:00",
                    "reason": "x",
                    "resolved_at": "2026-11-03T16:00:00+07:00",
                }
            ],
        ),
        "resolved_at: OLD-1001 is already resolved.",
    ),
    (
        "note text",
        line(3, notes=[{"at": "2026-10-05T12:00:00+07:00", "author": "linh", "text": ""}]),
        "notes[0].text: this cannot be empty.",
    ),
    (
        "note visible",
        line(3, notes=[{"at": "2026-10-05T12:00:00+07:00", "text": "x", "customer_visible": "no"}]),
        "notes[0].customer_visible: give true or false.",
    ),
    (
        "note after close, to the customer",
        line(3, notes=[{"at": "2026-10-17T12:00:00+07:00", "text": "x", "customer_visible": True}]),
        "notes[0]: OLD-1004 is closed; reopen it before sending progress updates.",
    ),
    ("history not a list", line(3, notes={"at": "x"}), "notes: give a list of objects"),
    ("text not UTF-8", line(0, subject="\udcff"), "subject: this is not valid UTF-8 text."),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(t, e) for _, t, e in FIELD_ERRORS], ids=[n for n, _, _ in FIELD_ERRORS]
)
def test_every_field_error_names_its_field(text, expected):
    found = problems_of(text)
    assert found, "the line was accepted"
    assert any(expected in p for p in found), found


def test_the_fixed_lines_are_good():
    for text in LINES:
        assert problems_of(text) == []


# ---- the command line ------------------------------------------------------------------------
def test_cli_import_prints_refs_and_case_show_keeps_the_source_ref(tmp_path):
    app = Cli(tmp_path)
    app.ok("init", as_="ada")
    app.ok("agent", "add", "alice", "--role", "agent", as_="ada")
    app.ok("agent", "add", "sue", "--role", "supervisor", as_="ada")
    out = app.ok("import", str(FIXED), as_="sue")
    pairs = [row.split("\t") for row in out.splitlines()]
    assert [source for _, source in pairs] == [f"OLD-100{i}" for i in range(1, 7)]
    shown = json.loads(app.ok("case", "show", pairs[1][0], "--json", as_="sue"))
    assert shown["source_ref"] == "OLD-1002"
    assert shown["ack_due_at"] == "2026-11-10T17:00:00+07:00"
    assert shown["resolve_due_at"] == "2026-11-23T17:00:00+07:00"
    assert "Imported from: OLD-1002" in app.ok("case", "show", pairs[1][0], as_="sue")
    assert "only supervisors and managers import" in app.refused("import", str(FIXED), as_="alice")
    assert "is not a regular file" in app.refused("import", "/dev/zero", as_="sue")

    bad = write(
        tmp_path,
        [
            line(0, source_ref="NEW-1"),
            line(1, source_ref="NEW-2", channel="fax"),
            line(2, source_ref="NEW-3", customer=""),
        ],
        "bad.jsonl",
    )
    result = app.run("import", str(bad), as_="sue")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "complaint-tui: line 2: channel: choose one of ticket, email, phone, chat, other.",
        "complaint-tui: line 3: customer: the account username or customer ID is required.",
        "complaint-tui: bad.jsonl: 2 bad lines of 3; nothing was imported.",
    ]


def test_an_imported_history_reopened_to_the_end_goes_only_to_an_active_agent(
    ctx, agents, tmp_path
):
    """The import replays a reopen on a new case, never on a stored one; the case it writes open
    after its reopen is held only by an active agent (issue 9): a departed one is refused."""
    from complaint_tui.services.admin import set_agent_active

    reopened = line(
        3,
        assignee="alice",
        resolved_at=None,
        closed_at=None,
        outcome=None,
        root_cause=None,
        customer_response=None,
    )
    set_agent_active(ctx, agents["ada"], "alice", False)
    before = dump(ctx, exclude={"access_log"})
    with pytest.raises(ImportRefused) as info:
        import_history(ctx, agents["sue"], write(tmp_path, [reopened]))
    assert info.value.problems == [
        "line 1: assignee: 'alice' is no active agent of this desk; give an agent's name, or null."
    ]
    assert dump(ctx, exclude={"access_log"}) == before
    set_agent_active(ctx, agents["ada"], "alice", True)
    [(ref, _)] = import_history(ctx, agents["sue"], write(tmp_path, [reopened])).refs
    detail = CaseDesk(ctx, agents["sue"]).get(ref)
    assert (detail.summary.status, detail.summary.assignee) == (Status.INVESTIGATING, "alice")
    assert detail.reopen_count == 1
