"""A small fixed set of cases with hand-computed report figures (issue 10 item 7).

``build_scenario`` records eight cases through the services with a frozen clock; ``EXPECTED``
is the report a supervisor or manager gets for ``PERIOD`` at ``AS_OF``, worked out by hand
below (the history import's test replays the same histories from a file and expects the same).

Calendar (VN, 08:00-17:00, 9 business hours a day): Tue 2026-11-24 is a public holiday
(Vietnam Cultural Day). Period Mon 2026-11-16 .. Sun 2026-11-29 = ISO weeks 2026-W47, W48;
as_of Mon 2026-11-30 12:00.

A  Mon 16 09:00 email VPS high Outage, alice. Start Mon 16 11:00 (ack 2h, due Tue 17 17:00:
   on time). Resolution due Mon 23 17:00; wait Tue 17 10:00 (43h left), resume Thu 19 10:00
   (paused 7+9+2 = 18h; due Thu 26 17:00: Tue 24 is a holiday). Resolved Wed 25 15:00,
   "Software defect": 8+9+9+9+9+9+0+7 = 60h - 18h = 42h, on time. Closed Thu 26 09:00 accepted.
B  Tue 17 16:00 phone VPS+Backup normal Performance, bob. Ack Thu 19 09:00: due Wed 18 17:00,
   late, 1+9+1 = 11h. Start; extension Mon 23 10:00 +2 days: due Wed 25 17:00 -> Fri 27 17:00.
   Resolved Fri 27 12:00 "Hardware failure": 1+9*6+4 = 59h, on time. Closed Fri 27 16:00
   rejected.
C  Tue 24 10:00 (holiday) chat Domain normal Billing, alice. Ack Wed 25 09:00: due Wed 25
   17:00, on time, 1h. Start; resolved Wed 25 14:00; closed Wed 25 16:00 rejected; escalation
   (level 1) Thu 26 09:00; supervisor decides "reopen" Thu 26 11:00: the resolution clock
   restarts (due Thu 12-03 17:00), the closing response is cleared. Resolved again Fri 27
   15:00 "Configuration error": 0+9+9+7 = 25h, on time.
D  Wed 18 10:00 ticket DNS low Other, bob. Start Wed 18 10:30 (0.5h, on time). Resolved Fri 20
   16:00 "Software defect": 7+9+8 = 24h (due Thu 26 17:00, on time). Escalation level 1 Mon 23
   09:00, referred up Mon 23 11:00 (level 2), manager confirms Wed 25 10:00; referred to the
   external body Wed 25 11:00; closed Thu 26 10:00 no response.
E  Fri 20 15:00 email VPS critical Outage, unassigned, never acknowledged: ack due Mon 23
   17:00, late; resolution due Mon 30 17:00, pending. Open, 9d 21h old, breached.
F  Thu 26 09:00 phone VPS normal Performance, alice. Start 09:30 (0.5h, on time). Waiting on
   the customer from Fri 27 10:00 with time left: resolution pending. 4d 3h old, paused.
G  Sun 29 20:00 chat Backup normal Outage, unassigned, new: ack due Mon 30 17:00 (5h of
   business time left at as_of: "soon"), pending; resolution pending. Under a day old.
H  Mon 16 10:00 email VPS high Outage, bob, confidential. Start Mon 16 11:00 (1h, on time).
   Resolution due Mon 23 17:00; waiting from Wed 25 10:00, after the due instant: stays late.
   14d 2h old, paused.

F, G and H are recorded after policy version "2" is published (the others have none).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.identity import Actor
from complaint_tui.services.policy import publish_policy

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = (date(2026, 11, 16), date(2026, 11, 29))
AS_OF = datetime(2026, 11, 30, 12, 0, tzinfo=VN)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def _draft(channel: str, services: list[str], priority: str, category: str, **kw) -> IntakeDraft:
    return IntakeDraft(
        customer=kw.pop("customer", "khach.hang"),
        services=services,
        channel=channel,
        subject="Report scenario",
        description="A case of the report scenario.",
        desired_outcome="A fix.",
        priority=priority,
        category=category,
        **kw,
    )


def build_scenario(ctx: AppContext, agents: dict[str, Actor], clock: FixedClock) -> dict[str, str]:
    """Record the eight cases; returns their refs by letter. ``agents`` as tests/conftest.py's
    fixture (alice, bob agents; sue supervisor; max manager; ada admin). Leaves the clock at AS_OF."""
    sue = CaseDesk(ctx, agents["sue"])
    mgr = CaseDesk(ctx, agents["max"])
    refs: dict[str, str] = {}

    def new(letter: str, when: datetime, draft: IntakeDraft, assignee: str | None) -> str:
        clock.set(when)
        ref = sue.create(draft).ref
        if assignee:
            sue.assign(ref, assignee)
        refs[letter] = ref
        return ref

    def step(when: datetime, fn, *args, **kw) -> None:
        clock.set(when)
        fn(*args, **kw)

    a = new("A", at(16, 9), _draft("email", ["VPS"], "high", "Outage"), "alice")
    step(at(16, 11), sue.start, a)
    step(at(17, 10), sue.wait, a, "Please send the console log.")
    step(at(19, 10), sue.resume, a)
    step(at(25, 15), sue.resolve, a, "Patched the hypervisor.", "Software defect")
    step(at(26, 9), sue.close, a, "accepted")

    b = new("B", at(17, 16), _draft("phone", ["VPS", "Backup"], "normal", "Performance"), "bob")
    step(at(19, 9), sue.acknowledge, b)
    step(at(19, 9, 30), sue.start, b)
    step(at(23, 10), sue.extend, b, 2, "The vendor needs two more days.")
    step(at(27, 12), sue.resolve, b, "Replaced the disk.", "Hardware failure")
    step(at(27, 16), sue.close, b, "rejected")

    c = new("C", at(24, 10), _draft("chat", ["Domain"], "normal", "Billing"), "alice")
    step(at(25, 9), sue.acknowledge, c)
    step(at(25, 9, 30), sue.start, c)
    step(at(25, 14), sue.resolve, c, "Renewed the domain.", "Billing error")
    step(at(25, 16), sue.close, c, "rejected")
    step(at(26, 9), sue.escalate, c, "I want a supervisor to look at this.")
    step(at(26, 11), sue.decide, c, "reopen", "We are looking again.")
    step(at(27, 15), sue.resolve, c, "Fixed the renewal settings.", "Configuration error")

    d = new("D", at(18, 10), _draft("ticket", ["DNS"], "low", "Other"), "bob")
    step(at(18, 10, 30), sue.start, d)
    step(at(20, 16), sue.resolve, d, "Fixed the zone.", "Software defect")
    step(at(23, 9), sue.escalate, d, "Not good enough.")
    step(at(23, 11), sue.decide, d, "refer-up", "A manager will review it.")
    step(at(25, 10), mgr.decide, d, "confirm", "The resolution stands.")
    step(at(25, 11), sue.refer, d)
    step(at(26, 10), sue.close, d, "no_response")

    new("E", at(20, 15), _draft("email", ["VPS"], "critical", "Outage"), None)

    clock.set(at(26, 8))
    publish_policy(ctx, agents["ada"], "2", "The complaint policy, version 2.")

    f = new("F", at(26, 9), _draft("phone", ["VPS"], "normal", "Performance"), "alice")
    step(at(26, 9, 30), sue.start, f)
    step(at(27, 10), sue.wait, f, "Please confirm the new IP works.")

    new("G", at(29, 20), _draft("chat", ["Backup"], "normal", "Outage"), None)

    h = new("H", at(16, 10), _draft("email", ["VPS"], "high", "Outage", confidential=True), "bob")
    step(at(16, 11), sue.start, h)
    step(at(25, 10), sue.wait, h, "Please send the invoice number.")

    clock.set(AS_OF)
    return refs


EXPECTED = {
    "period": {"from": "2026-11-16", "to": "2026-11-29"},
    "as_of": "2026-11-30T12:00:00+07:00",
    "cases_received": 8,
    "by_channel": {"ticket": 1, "email": 3, "phone": 2, "chat": 2, "other": 0},
    "by_service": {"VPS": 5, "Backup": 2, "DNS": 1, "Domain": 1},
    "by_category": {"Outage": 4, "Performance": 2, "Billing": 1, "Other": 1},
    "by_priority": {"low": 1, "normal": 4, "high": 2, "critical": 1},
    "by_status": {
        "new": 2,
        "acknowledged": 0,
        "investigating": 0,
        "waiting_on_customer": 2,
        "resolved": 1,
        "closed": 3,
    },
    "ack": {"on_time": 5, "late": 2, "pending": 1, "on_time_pct": 71.4},
    "resolve": {"on_time": 4, "late": 1, "pending": 3, "on_time_pct": 80.0},
    # ack hours sorted 0.5 0.5 1 1 2 11: ranks ceil(3) = 3 and ceil(5.4) = 6.
    "ack_business_hours": {"median": 1.0, "p90": 11.0},
    # resolve hours sorted 24 25 42 59: ranks 2 and ceil(3.6) = 4.
    "resolve_business_hours": {"median": 25.0, "p90": 59.0},
    "extensions": 1,
    "reopened": 1,
    "escalations": {
        "requested": 3,
        "by_level": {"1": 2, "2": 1},
        "by_decision": {"confirm": 1, "reopen": 1, "refer-up": 1, "pending": 0},
    },
    "referrals": 1,
    "closing_responses": {"accepted": 1, "rejected": 1, "no_response": 1},
    "root_causes": {"Software defect": 2, "Configuration error": 1, "Hardware failure": 1},
    "backlog": {
        "by_age": {"<1d": 1, "1-2d": 0, "2-5d": 1, "5-10d": 1, "10-30d": 1, ">30d": 0},
        "by_band": {"breached": 1, "urgent": 0, "soon": 1, "ok": 0, "paused": 2},
    },
    "weekly": [
        # W47: A B D E H; ack on A D H, late B E; resolve on A B D, late H.
        {"week": "2026-W47", "received": 5, "ack_on_time_pct": 60.0, "resolve_on_time_pct": 75.0},
        {"week": "2026-W48", "received": 3, "ack_on_time_pct": 100.0, "resolve_on_time_pct": 100.0},
    ],
    "by_agent": [
        # alice: A C F; bob: B D H (ack late B; resolve late H).
        {"agent": "alice", "handled": 3, "ack_on_time_pct": 100.0, "resolve_on_time_pct": 100.0},
        {"agent": "bob", "handled": 3, "ack_on_time_pct": 66.7, "resolve_on_time_pct": 66.7},
    ],
}
