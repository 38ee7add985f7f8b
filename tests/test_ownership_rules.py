"""The ownership rules over plain values (domain/ownership.py): what a screen asks up front
("which actions may this person take on this case now"); the services ask the same
(tests/test_permission_matrix.py runs them against both databases)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from complaint_tui.domain.enums import Role
from complaint_tui.domain.ownership import (
    CaseHold,
    Holder,
    assign_refusal,
    case_refusal,
    decider_refusal,
    view_refusal,
)
from complaint_tui.domain.workflow import Action
from tests.helpers_db import assert_one_sentence


@dataclass(frozen=True)
class P:
    id: int
    name: str
    role: Role


ALICE, SUE, ADA = P(1, "alice", Role.AGENT), P(3, "sue", Role.SUPERVISOR), P(5, "ada", Role.ADMIN)
MAX = P(4, "max", Role.MANAGER)
BOB = 2
CHANGES = frozenset(Action) - {Action.SAVE_ATTACHMENT}
HANDLING = CHANGES - {Action.DECIDE}  # what an agent does with a case they hold


YOU, ELSE, NOBODY = Holder.YOU, Holder.SOMEONE_ELSE, Holder.NOBODY


def hold(holder=NOBODY, *, confidential=False, recused=False, level=1) -> CaseHold:
    return CaseHold("C-2026-00007", confidential, holder, recused, level)


@pytest.mark.parametrize(
    ("person", "case", "allowed"),
    [
        (ALICE, hold(YOU), HANDLING | {Action.SAVE_ATTACHMENT}),
        (ALICE, hold(YOU, confidential=True), HANDLING | {Action.SAVE_ATTACHMENT}),
        (ALICE, hold(ELSE), {Action.SAVE_ATTACHMENT}),
        (ALICE, hold(), {Action.SAVE_ATTACHMENT, Action.ASSIGN}),  # she may take it
        (ALICE, hold(ELSE, confidential=True), set()),
        (ALICE, hold(recused=True), {Action.SAVE_ATTACHMENT}),
        (SUE, hold(ELSE, confidential=True), CHANGES | {Action.SAVE_ATTACHMENT}),
        (SUE, hold(recused=True), CHANGES | {Action.SAVE_ATTACHMENT}),  # as the database has it
        (SUE, hold(YOU, level=2), HANDLING | {Action.SAVE_ATTACHMENT}),  # a manager decides
        (MAX, hold(ELSE, level=2), CHANGES | {Action.SAVE_ATTACHMENT}),
        (ADA, hold(), set()),
    ],
)
def test_which_actions_a_person_may_take_on_a_case(person, case, allowed):
    refusals = {action: case_refusal(person, action, case) for action in Action}
    assert {a for a, r in refusals.items() if r is None} == set(allowed)
    for refusal in refusals.values():
        if refusal is not None:
            assert_one_sentence(refusal)


def test_the_sentences_say_what_to_do():
    assert "assign it to yourself first" in case_refusal(ALICE, Action.NOTE, hold())
    assert "ask a supervisor" in case_refusal(ALICE, Action.NOTE, hold(ELSE))
    assert "recused" in case_refusal(ALICE, Action.START, hold(recused=True))
    assert view_refusal(ALICE, hold(ELSE, confidential=True)).endswith("it is not shown.")
    assert view_refusal(ALICE, hold(ELSE)) is None


@pytest.mark.parametrize(
    ("person", "target", "recused", "expected"),
    [
        (ALICE, ALICE.id, False, None),
        (ALICE, None, False, None),
        (ALICE, BOB, False, "Agents may assign cases only to themselves"),
        (SUE, BOB, False, None),
        (SUE, BOB, True, "bob recused themselves"),
        (SUE, SUE.id, True, "You recused yourself"),
    ],
)
def test_whom_a_case_may_go_to(person, target, recused, expected):
    name = {BOB: "bob"}.get(target, person.name)
    refusal = assign_refusal(person, "C-2026-00007", target, name, target_recused=recused)
    if expected is None:
        assert refusal is None
    else:
        assert expected in refusal
        assert_one_sentence(refusal)


@pytest.mark.parametrize(
    ("person", "level", "expected"),
    [
        (ALICE, 0, "Only a supervisor or manager may decide an escalation."),
        (ALICE, 1, "Only a supervisor or manager may decide a level-1 escalation."),
        (ALICE, 2, "Only a manager may decide a level-2 escalation."),
        (SUE, 1, None),
        (SUE, 2, "Only a manager may decide a level-2 escalation."),
        (MAX, 1, None),
        (MAX, 2, None),
    ],
)
def test_who_decides_an_escalation(person, level, expected):
    assert decider_refusal(person, level) == expected
    # The case's rule asks the same for a decision, once the person may handle the case at all.
    assert case_refusal(person, Action.DECIDE, hold(YOU, level=level)) == expected
