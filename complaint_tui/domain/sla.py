"""The four clocks of a case and the urgency band that colours it (SPEC §3 "Clocks", "Urgency")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from complaint_tui.domain.calendar import BusinessCalendar
from complaint_tui.domain.enums import QueueBucket, Status, Urgency


@dataclass(frozen=True)
class SlaRules:
    ack_business_days: int = 1
    resolve_business_days: int = 5
    escalation_review_business_days: int = 2
    update_every_business_days: int = 2
    soon_business_hours: float = 9
    urgent_business_hours: float = 3

    def __post_init__(self) -> None:
        for name in (
            "ack_business_days",
            "resolve_business_days",
            "escalation_review_business_days",
            "update_every_business_days",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not 0 < self.urgent_business_hours <= self.soon_business_hours:
            raise ValueError(
                "urgent_business_hours must be positive and not above soon_business_hours"
            )


@dataclass(frozen=True)
class PausedClock:
    """What pausing a clock keeps: the business time that was left, or the breached due."""

    due_at: datetime
    remaining: timedelta | None  # None when the clock was already breached at the pause


class Sla:
    """Deadline arithmetic for one calendar and one set of rules."""

    def __init__(self, calendar: BusinessCalendar, rules: SlaRules | None = None) -> None:
        self.calendar = calendar
        self.rules = rules or SlaRules()

    # -- due instants -------------------------------------------------------------------------
    def ack_due(self, received_at: datetime) -> datetime:
        return self.calendar.due_in_business_days(received_at, self.rules.ack_business_days)

    def resolve_due(self, started_at: datetime) -> datetime:
        """From receipt, or from a reopen (the resolution clock restarts there)."""
        return self.calendar.due_in_business_days(started_at, self.rules.resolve_business_days)

    def escalation_due(self, requested_at: datetime) -> datetime:
        return self.calendar.due_in_business_days(
            requested_at, self.rules.escalation_review_business_days
        )

    def next_update_due(self, last_contact_at: datetime) -> datetime:
        return self.calendar.due_in_business_days(
            last_contact_at, self.rules.update_every_business_days
        )

    def extend(self, due_at: datetime, business_days: int) -> datetime:
        if business_days < 1:
            raise ValueError("an extension is at least 1 business day")
        return self.calendar.due_in_business_days(due_at, business_days)

    # -- pause / resume -----------------------------------------------------------------------
    def pause(self, due_at: datetime, paused_at: datetime) -> PausedClock:
        if paused_at >= due_at:
            return PausedClock(due_at=due_at, remaining=None)
        return PausedClock(
            due_at=due_at, remaining=self.calendar.business_time_between(paused_at, due_at)
        )

    def resume(self, paused: PausedClock, resumed_at: datetime) -> datetime:
        if paused.remaining is None:
            return paused.due_at
        return self.calendar.add_business_time(resumed_at, paused.remaining)

    # -- urgency ------------------------------------------------------------------------------
    def band(self, due_at: datetime, now: datetime) -> Urgency:
        if now >= due_at:
            return Urgency.BREACHED
        left = self.calendar.business_time_between(now, due_at)
        if left <= timedelta(hours=self.rules.urgent_business_hours):
            return Urgency.URGENT
        if left <= timedelta(hours=self.rules.soon_business_hours):
            return Urgency.SOON
        return Urgency.OK

    def band_limits(self, now: datetime) -> tuple[datetime, datetime]:
        """Due instants up to which a running clock is urgent, and soon: lets SQL filter and
        count bands with index range scans instead of computing each row's business time."""
        return (
            self._latest_due_within(now, timedelta(hours=self.rules.urgent_business_hours)),
            self._latest_due_within(now, timedelta(hours=self.rules.soon_business_hours)),
        )

    def _latest_due_within(self, now: datetime, amount: timedelta) -> datetime:
        cal = self.calendar
        limit = cal.add_business_time(now, amount)
        day = cal.local(limit).date()
        if limit == cal.closing(day):
            # Close of business and the next opening are the same business instant.
            limit = cal.opening(cal.nth_business_day_after(day, 1))
        return limit

    def urgency(self, status: Status, active_due_at: datetime | None, now: datetime) -> Urgency:
        if status is Status.WAITING_ON_CUSTOMER:
            return Urgency.PAUSED
        if not status.is_open:
            return Urgency.DONE
        if active_due_at is None:  # pragma: no cover - every open case has an active due
            return Urgency.OK
        return self.band(active_due_at, now)

    def badge(self, status: Status, active_due_at: datetime | None, now: datetime) -> Badge:
        band = self.urgency(status, active_due_at, now)
        if band is Urgency.PAUSED:
            return Badge(band, "⏸ paused")
        if band is Urgency.DONE:
            return Badge(band, "✓ " + ("closed" if status is Status.CLOSED else "resolved"))
        assert active_due_at is not None
        return self.running_badge(active_due_at, now)

    def running_badge(self, due_at: datetime, now: datetime) -> Badge:
        """A running clock's band and text, e.g. "▲ 2h left" (the escalation review clock never
        pauses, so this is its badge while the decision is awaited)."""
        band = self.band(due_at, now)
        return Badge(band, f"{GLYPHS[band]} {self.describe_left(due_at, now)}")

    def met_badge(self, due_at: datetime | None, met_at: datetime) -> Badge:
        """A clock that was met: "✓ on time", "✓ 2d late", or "✓ met" when its due instant is
        unknown (escalations recorded before the schema kept it)."""
        if due_at is None:
            return Badge(Urgency.DONE, "✓ met")
        if met_at <= due_at:
            return Badge(Urgency.DONE, "✓ on time")
        late = self.describe_left(due_at, met_at).removesuffix(" over")
        return Badge(Urgency.DONE, f"✓ {late} late")

    def describe_left(self, due_at: datetime, now: datetime) -> str:
        """ "2h left", "1d over": business time, a business day counted as one working day.

        Under a minute reads "<1m": a clock that breached at Friday's close has used no business
        time by Saturday, and "0m over" would read as not late at all.
        """
        left = self.calendar.business_time_between(now, due_at)
        over = now >= due_at
        word = "over" if over else "left"
        amount = abs(left)
        if amount < timedelta(minutes=1):
            return f"<1m {word}"
        return f"{format_business_span(amount, self.calendar.business_day_length)} {word}"


GLYPHS = {
    Urgency.BREACHED: "✖",
    Urgency.URGENT: "▲",
    Urgency.SOON: "●",
    Urgency.OK: "○",
    Urgency.PAUSED: "⏸",
    Urgency.DONE: "✓",
}


@dataclass(frozen=True)
class Badge:
    band: Urgency
    text: str


def format_business_span(amount: timedelta, day_length: timedelta) -> str:
    if amount >= day_length:
        return f"{int(amount / day_length)}d"
    if amount >= timedelta(hours=1):
        return f"{int(amount / timedelta(hours=1))}h"
    minutes = int(amount / timedelta(minutes=1))
    return f"{minutes}m"


def deadline_missed(
    status: Status,
    ack_due_at: datetime,
    acknowledged_at: datetime | None,
    resolve_due_at: datetime,
    resolved_at: datetime | None,
    paused_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether the acknowledgement or the resolution clock was missed (a customer may then ask
    for an escalation before any outcome). Met exactly at the due instant is on time."""
    ack_missed = now >= ack_due_at if acknowledged_at is None else acknowledged_at > ack_due_at
    if status is Status.WAITING_ON_CUSTOMER:
        # A clock paused after its due instant stays breached (Sla.pause).
        resolve_missed = paused_at is not None and paused_at >= resolve_due_at
    elif not status.is_open:
        resolve_missed = resolved_at is not None and resolved_at > resolve_due_at
    else:
        resolve_missed = now >= resolve_due_at
    return ack_missed or resolve_missed


def queue_position(
    status: Status,
    ack_due_at: datetime,
    resolve_due_at: datetime,
    paused_at: datetime | None,
    done_at: datetime | None,
) -> tuple[int, datetime]:
    """The (bucket, instant) the queue sorts by: active clocks first by due instant,
    paused cases by when they paused, done cases by when they were resolved or closed."""
    if status is Status.NEW:
        return QueueBucket.ACTIVE, ack_due_at
    if status in (Status.ACKNOWLEDGED, Status.INVESTIGATING):
        return QueueBucket.ACTIVE, resolve_due_at
    if status is Status.WAITING_ON_CUSTOMER:
        assert paused_at is not None
        return QueueBucket.PAUSED, paused_at
    assert done_at is not None
    return QueueBucket.DONE, done_at
