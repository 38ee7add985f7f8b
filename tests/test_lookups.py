"""Look-ups for the case screen: assignable agents and the version check."""

from __future__ import annotations

import pytest

from complaint_tui.services.admin import set_agent_active
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.errors import PermissionDenied
from complaint_tui.services.lookups import assignable_agents, case_version
from tests.test_smoke_services import draft


def test_supervisors_may_assign_to_any_active_case_handler(ctx, agents):
    set_agent_active(ctx, agents["ada"], "bob", False)
    assert assignable_agents(CaseDesk(ctx, agents["sue"])) == ["alice", "max", "sue"]


def test_an_agent_may_assign_only_to_themselves(ctx, agents):
    assert assignable_agents(CaseDesk(ctx, agents["alice"])) == ["alice"]


def test_admins_assign_nothing(ctx, agents):
    with pytest.raises(PermissionDenied):
        assignable_agents(CaseDesk(ctx, agents["ada"]))


def test_case_version_follows_changes_and_need_to_know(ctx, agents):
    sue = CaseDesk(ctx, agents["sue"])
    plain = sue.create(draft())
    secret = sue.create(draft(confidential=True))
    assert case_version(sue, plain.ref) == plain.version
    after = sue.set_priority(plain.ref, "high")
    assert case_version(sue, plain.ref.lower()) == after.version != plain.version
    alice = CaseDesk(ctx, agents["alice"])
    assert case_version(alice, secret.ref) is None
    assert case_version(alice, "C-1999-00001") is None
