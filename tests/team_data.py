"""A fixed team data set: who holds which case, in which band, at TEAM_NOW (Wed 2026-11-25
14:30, Ho Chi Minh City: an acknowledgement due at 17:00 has 2.5 business hours left, urgent).
Shared by the team service, CLI and TUI tests.

alice (agent): a breached case that is escalated, an urgent one, one waiting on the customer,
  and one resolved (not open) whose outcome the customer escalated.
bob (agent): one case with time to spare, and one confidential.
sue (supervisor): one urgent case.  max (manager): none.  Unassigned: one case.
"""

from __future__ import annotations

from datetime import datetime

from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.identity import Actor
from tests.conftest import VN
from tests.helpers_db import draft

# What the team view must show for this data set: (open, breached, urgent, waiting, escalations).
EXPECTED = {
    "alice": (3, 1, 1, 1, 2),
    "bob": (2, 0, 0, 0, 0),
    "max": (0, 0, 0, 0, 0),
    "sue": (1, 0, 1, 0, 0),
}
# The oldest open case of each (its receipt), None for nobody's.
OLDEST = {
    "alice": datetime(2026, 11, 20, 9, 0, tzinfo=VN),
    "bob": datetime(2026, 11, 25, 9, 0, tzinfo=VN),
    "max": None,
    "sue": datetime(2026, 11, 24, 12, 30, tzinfo=VN),
}

BREACHED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=VN)  # Fri: acknowledgement due Mon 17:00
URGENT_AT = datetime(2026, 11, 24, 12, 0, tzinfo=VN)  # Tue: due Wed 17:00, urgent at TEAM_NOW
TEAM_NOW = datetime(2026, 11, 25, 14, 30, tzinfo=VN)


def build_team(
    ctx: AppContext, people: dict[str, Actor], names: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """The data set, through the services (as supervisor ``sue``), written at the context's
    fixed clock (DEFAULT_NOW), which is then moved on to TEAM_NOW; returns refs by holder.
    ``names``: the real name of each person (PostgreSQL logins carry a suffix)."""
    sue = CaseDesk(ctx, people["sue"])
    real = names or {}

    def new(received: datetime, holder: str | None, **kw) -> str:
        ref = sue.create(draft(received_at=received, **kw)).ref
        if holder is not None:
            sue.assign(ref, real.get(holder, holder))
        return ref

    refs: dict[str, list[str]] = {"alice": [], "bob": [], "sue": [], "nobody": []}
    breached = new(BREACHED_AT, "alice")
    sue.escalate(breached, "The deadline was missed; a supervisor, please.")
    refs["alice"].append(breached)
    refs["alice"].append(new(URGENT_AT, "alice"))
    waiting = new(datetime(2026, 11, 24, 9, 0, tzinfo=VN), "alice")
    sue.start(waiting)
    sue.wait(waiting, "Please send the server logs.")
    refs["alice"].append(waiting)
    resolved = new(datetime(2026, 11, 19, 9, 0, tzinfo=VN), "alice")
    sue.start(resolved)
    sue.resolve(resolved, "Restarted the VPS and credited the downtime.", "Hardware failure")
    sue.escalate(resolved, "Not good enough; a supervisor, please.")  # pending, not open
    refs["alice"].append(resolved)
    refs["bob"].append(new(datetime(2026, 11, 25, 9, 0, tzinfo=VN), "bob"))
    refs["bob"].append(new(datetime(2026, 11, 25, 9, 30, tzinfo=VN), "bob", confidential=True))
    refs["sue"].append(new(datetime(2026, 11, 24, 12, 30, tzinfo=VN), "sue"))
    refs["nobody"].append(new(datetime(2026, 11, 23, 9, 0, tzinfo=VN), None))
    ctx.clock.advance(TEAM_NOW - ctx.clock.now())
    return refs
