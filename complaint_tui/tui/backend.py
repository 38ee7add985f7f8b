"""What the screens call: the services for one actor. Every method here may block on the
database, so screens call it only from worker threads."""

from __future__ import annotations

from datetime import datetime

from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.escalations import EscalationService
from complaint_tui.services.identity import Actor
from complaint_tui.services.queue import QueueService
from complaint_tui.services.team import TeamService


class Backend:
    def __init__(self, ctx: AppContext, actor: Actor) -> None:
        self.ctx = ctx
        self.actor = actor
        self.desk = CaseDesk(ctx, actor)
        self.queue = QueueService(self.desk)
        self.escalations = EscalationService(self.desk)
        self.team = TeamService(self.desk)

    def now(self) -> datetime:
        return self.ctx.now()
