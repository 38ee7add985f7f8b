"""The case actions of SPEC §4 as form specs: what each key asks, and which service call saves it.

Presentation only: every rule is enforced by the services; the pre-check here only spares the
agent a form the service would refuse (services.permissions.action_refusal_for: who may change
the case, then what its state allows, in the service's words).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from complaint_tui.domain.enums import (
    CustomerResponse,
    EscalationOutcome,
    Priority,
    Status,
)
from complaint_tui.domain.labels import outcome_label
from complaint_tui.domain.root_cause import MAX_ROOT_CAUSE, other_cause
from complaint_tui.domain.text import one_line
from complaint_tui.domain.workflow import Action, decidable_outcomes
from complaint_tui.services.cases import MAX_NOTE_CHARS
from complaint_tui.services.files import save_attachment
from complaint_tui.services.identity import Actor
from complaint_tui.services.permissions import action_refusal_for
from complaint_tui.services.views import CaseDetail
from complaint_tui.tui.screens.action_form import CHOICE, INT, LINE, ActionSpec, FieldSpec

# key, action name, footer/help description, shown in the footer (when valid for the case and
# the person: CaseDetailScreen.check_action); in workflow order, which the help keeps
CASE_ACTIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("a", "acknowledge", "Acknowledge", True),
    ("i", "investigate", "Investigate / resume", True),
    ("c", "note", "Internal note", True),
    ("u", "update", "Customer update", True),
    ("w", "wait", "Wait on customer", True),
    ("R", "resolve", "Resolve", True),
    ("x", "close", "Close", True),
    ("o", "reopen", "Reopen", True),
    ("e", "escalate", "Escalation request", True),
    ("d", "decide", "Decide escalation", True),
    ("F", "refer", "Refer to external body", True),
    ("A", "assign", "Assign", False),
    ("p", "priority", "Priority", False),
    ("E", "extend", "Extend deadline", False),
    ("C", "recuse", "Recuse (conflict of interest)", False),
    ("s", "save_attachment", "Save attachment", False),
)

NOBODY = "-"  # the "unassign" choice; no agent name can be "-"


def precheck(name: str, detail: CaseDetail, actor: Actor) -> str | None:
    """Why ``actor`` cannot apply this action to the case as shown, in one sentence; None if
    they may.

    The services' own rules and words (who may change the case, then what its state allows; the
    service checks the same when saving); "investigate" is resume for a case waiting on the
    customer, else start.
    """
    if name == "investigate":
        action = Action.RESUME if detail.status is Status.WAITING_ON_CUSTOMER else Action.START
    elif name == "attachment":  # opening the attachment viewer
        action = Action.SAVE_ATTACHMENT
    else:
        action = Action(name)
    return action_refusal_for(actor, action, detail)


def _request_intro(detail: CaseDetail) -> str:
    """What the decider reads first: the request under review, in the customer's words."""
    if not detail.escalations:
        return f"Level {detail.summary.escalation_level} escalation request."
    e = detail.escalations[-1]
    if not e.pending:
        return (
            f"The customer rejected the outcome at closing after the level-{e.level} decision; "
            "a manager can review it at level 2."
        )
    return f"Level {e.level} request, recorded by {one_line(e.requested_by, 40)}: " + one_line(
        e.request, 300
    )


# What each decision does to the case, as the decision form offers it.
DECISION_OPTIONS = {
    EscalationOutcome.CONFIRM: "the resolution stands",
    EscalationOutcome.REOPEN: "the case goes back to investigating",
    EscalationOutcome.REFER_UP: "a manager reviews it",
}


def _decide_spec(detail: CaseDetail, desk) -> ActionSpec:
    ref = detail.ref
    outcomes = decidable_outcomes(detail.state)
    return ActionSpec(
        "decide",
        "Decide escalation",
        lambda v, ver: desk.decide(
            ref, v["outcome"], v["explanation"], v["note"], expected_version=ver
        ),
        (
            FieldSpec(
                "outcome",
                "Decision",
                CHOICE,
                value=outcomes[0] if len(outcomes) == 1 else "",
                options=tuple(
                    (f"{outcome_label(o)}: {DECISION_OPTIONS[o]}", o.value) for o in outcomes
                ),
                error_keys=("outcome",),
            ),
            FieldSpec(
                "explanation",
                "Explanation (sent to the customer)",
                max_chars=MAX_NOTE_CHARS,
                error_keys=("explanation",),
            ),
            FieldSpec(
                "note",
                "INTERNAL note, never sent to the customer",
                LINE,
                required=False,
                max_chars=MAX_NOTE_CHARS,
                error_keys=("note",),
            ),
        ),
        intro=_request_intro(detail),
        done=f"{ref}: escalation decided.",
    )


def default_folder() -> str:
    downloads = Path.home() / "Downloads"
    return str(downloads if downloads.is_dir() else Path.home())


def build_spec(
    name: str,
    detail: CaseDetail,
    backend,
    agents: tuple[str, ...] | None = None,
    labels: dict[str, str] | None = None,
) -> ActionSpec:
    """The form for one action on the case as shown. ``backend`` is the app's Backend;
    ``labels`` show the assign form's candidates (with their workload)."""
    desk = backend.desk
    ref = detail.ref
    status = detail.status
    local = backend.ctx.calendar.local

    def when(instant) -> str:
        return f"{local(instant):%a %d %b %Y %H:%M}"

    if name == "acknowledge":
        return ActionSpec(
            name,
            "Acknowledge",
            lambda v, ver: desk.acknowledge(ref, v["message"], expected_version=ver),
            (
                FieldSpec(
                    "message",
                    "Message to the customer",
                    required=False,
                    placeholder="We have received your complaint and are looking into it.",
                    max_chars=MAX_NOTE_CHARS,
                    error_keys=("message",),
                ),
            ),
            intro="The customer sees this message; leave it empty for the standard one.",
            done=f"{ref} acknowledged.",
        )
    if name == "investigate":
        if status is Status.WAITING_ON_CUSTOMER:
            return ActionSpec(
                name,
                "Resume investigating",
                lambda v, ver: desk.resume(ref, v["note"], expected_version=ver),
                (FieldSpec("note", "Note (what the customer sent)", LINE, required=False),),
                intro="The resolution clock resumes with the business time it had left.",
                done=f"{ref} is under investigation again.",
            )
        return ActionSpec(
            name,
            "Start investigating",
            lambda v, ver: desk.start(ref, v["note"], expected_version=ver),
            (FieldSpec("note", "Note", LINE, required=False),),
            intro="A new case is acknowledged on the way." if status is Status.NEW else "",
            done=f"{ref} is under investigation.",
        )
    if name == "note":
        return ActionSpec(
            name,
            "Internal note",
            lambda v, ver: desk.note(ref, v["text"], expected_version=ver),
            (
                FieldSpec(
                    "text",
                    "INTERNAL note: never shown to the customer",
                    max_chars=MAX_NOTE_CHARS,
                    error_keys=("note",),
                ),
            ),
            done="Internal note added.",
        )
    if name == "update":
        return ActionSpec(
            name,
            "Update to the customer",
            lambda v, ver: desk.update(ref, v["text"], expected_version=ver),
            (
                FieldSpec(
                    "text",
                    "TO CUSTOMER: the customer sees this update",
                    max_chars=MAX_NOTE_CHARS,
                    error_keys=("update",),
                ),
            ),
            done="Customer update recorded.",
        )
    if name == "wait":
        return ActionSpec(
            name,
            "Wait on the customer",
            lambda v, ver: desk.wait(ref, v["request"], expected_version=ver),
            (
                FieldSpec(
                    "request",
                    "What you need from the customer (sent to them)",
                    max_chars=MAX_NOTE_CHARS,
                    error_keys=("request",),
                ),
            ),
            intro="The resolution clock pauses until you resume.",
            done=f"{ref} is waiting on the customer.",
        )
    if name == "resolve":
        return ActionSpec(
            name,
            "Resolve",
            lambda v, ver: desk.resolve(ref, v["outcome"], v["root_cause"], expected_version=ver),
            (
                FieldSpec(
                    "outcome",
                    "Outcome and actions taken (sent to the customer)",
                    max_chars=MAX_NOTE_CHARS,
                    error_keys=("outcome",),
                ),
                FieldSpec(
                    "root_cause",
                    "Root cause (for reports)",
                    CHOICE,
                    options=tuple(
                        (cause, cause) for cause in backend.ctx.settings.intake.root_causes
                    ),
                    placeholder="choose a root cause…",
                    max_chars=MAX_ROOT_CAUSE,
                    error_keys=("root cause",),
                    other=other_cause,
                    other_label="Other: none of these, type it below",
                    other_placeholder="what it was, in a few words",
                ),
            ),
            done=f"{ref} resolved.",
        )
    if name == "close":
        return ActionSpec(
            name,
            "Close",
            lambda v, ver: desk.close(ref, v["response"], expected_version=ver),
            (
                FieldSpec(
                    "response",
                    "The customer's response to the outcome",
                    CHOICE,
                    options=(
                        ("accepted: the customer accepted the outcome", CustomerResponse.ACCEPTED),
                        ("rejected: the customer rejected it", CustomerResponse.REJECTED),
                        ("no response from the customer", CustomerResponse.NO_RESPONSE),
                    ),
                    error_keys=("response",),
                ),
            ),
            done=f"{ref} closed.",
        )
    if name == "reopen":
        return ActionSpec(
            name,
            "Reopen",
            lambda v, ver: desk.reopen(ref, v["reason"], expected_version=ver),
            (FieldSpec("reason", "Reason", max_chars=MAX_NOTE_CHARS, error_keys=("reason",)),),
            intro="The case goes back to investigating; the resolution clock restarts now.",
            done=f"{ref} reopened.",
        )
    if name == "escalate":
        level = detail.summary.escalation_level + 1
        who = "supervisor" if level == 1 else "manager"
        return ActionSpec(
            name,
            "Record escalation request",
            lambda v, ver: desk.escalate(ref, v["request"], expected_version=ver),
            (
                FieldSpec(
                    "request",
                    "The customer's request, in their words",
                    max_chars=MAX_NOTE_CHARS,
                    error_keys=("request",),
                ),
            ),
            intro=f"Level {level} review by a {who}; the review clock starts now.",
            done=f"{ref}: level-{level} escalation recorded.",
        )
    if name == "decide":
        return _decide_spec(detail, desk)
    if name == "assign":
        me = backend.actor.name
        if backend.actor.sees_all_cases:
            shown = labels or {}
            options = tuple((shown.get(n, n), n) for n in (agents or ())) + (
                ("nobody (unassign)", NOBODY),
            )
            intro = f"Now assigned to {detail.summary.assignee or 'nobody'}."
        else:
            options = ((f"take it myself ({me})", me), ("release it (unassign)", NOBODY))
            intro = "Agents take cases or release them; a supervisor reassigns."
        return ActionSpec(
            name,
            "Assign",
            lambda v, ver: desk.assign(
                ref, None if v["assignee"] == NOBODY else v["assignee"], expected_version=ver
            ),
            (FieldSpec("assignee", "Assign to", CHOICE, options=options),),
            intro=intro,
            done=f"{ref} assignment changed.",
        )
    if name == "priority":
        return ActionSpec(
            name,
            "Priority",
            lambda v, ver: desk.set_priority(ref, v["priority"], expected_version=ver),
            (
                FieldSpec(
                    "priority",
                    "Priority",
                    CHOICE,
                    value=detail.summary.priority,
                    options=tuple((p.value, p.value) for p in Priority),
                    error_keys=("priority",),
                ),
            ),
            done=f"{ref} priority changed.",
        )
    if name == "extend":
        return ActionSpec(
            name,
            "Extend the resolution deadline",
            lambda v, ver: desk.extend(ref, v["days"], v["explanation"], expected_version=ver),
            (
                FieldSpec(
                    "days", "Business days", INT, min_value=1, max_value=60, error_keys=("days",)
                ),
                FieldSpec(
                    "explanation",
                    "Explanation (sent to the customer)",
                    max_chars=MAX_NOTE_CHARS,
                    error_keys=("explanation",),
                ),
            ),
            intro=f"Resolution now due {when(detail.resolve_due_at)}.",
            done=f"{ref}: resolution deadline extended.",
        )
    if name == "refer":
        ext = backend.ctx.settings.external
        return ActionSpec(
            name,
            "Refer to external dispute resolution",
            lambda v, ver: desk.refer(ref, v["note"], expected_version=ver),
            (FieldSpec("note", "Note", LINE, required=False, error_keys=("note",)),),
            intro=f"Records that the customer was told about {ext.name} ({ext.contact}).",
            done=f"{ref}: referral recorded.",
        )
    if name == "recuse":
        return ActionSpec(
            name,
            "Recuse yourself",
            lambda v, ver: desk.recuse(ref, v["reason"], expected_version=ver),
            (
                FieldSpec(
                    "reason",
                    "Conflict of interest",
                    max_chars=MAX_NOTE_CHARS,
                    error_keys=("reason",),
                ),
            ),
            intro="You are unassigned and take-next will not give you this case.",
            done=f"You recused yourself from {ref}.",
        )
    if name == "save_attachment":
        options = tuple(
            (f"#{a.id} {one_line(a.name, 50)} ({a.size:,} bytes)", str(a.id))
            for a in detail.attachments
        )
        first = options[0][1] if len(options) == 1 else ""

        def save(v: dict[str, Any], _ver: int) -> Path:
            return save_attachment(desk, ref, int(v["attachment"]), Path(v["folder"].strip()))

        return ActionSpec(
            name,
            "Save attachment",
            save,
            (
                FieldSpec("attachment", "Attachment", CHOICE, value=first, options=options),
                FieldSpec("folder", "Into folder", LINE, value=default_folder()),
            ),
            intro="The file is written inside that folder, never over an existing file.",
            done="Attachment saved.",
        )
    raise ValueError(f"unknown case action {name!r}")
