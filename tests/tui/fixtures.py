"""Deterministic TUI fixtures shared by the tests (tests/tui/conftest.py), the snapshot tests and
screenshots/make_screenshots.py: a seeded demo database, a frozen clock, a handful of story cases
with a full timeline, a case full of hostile customer text, and an app that renders the same
way every time (no change watcher, no cursor blink, no theme saving, no animations).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

from complaint_tui.domain.clock import FixedClock
from complaint_tui.domain.enums import Role
from complaint_tui.domain.intake import AttachmentInput, EventDate, IntakeDraft
from complaint_tui.domain.settings import Settings
from complaint_tui.services.admin import init_database
from complaint_tui.services.cases import CaseDesk
from complaint_tui.services.context import AppContext
from complaint_tui.services.demo import seed_demo
from complaint_tui.services.identity import actor_named
from complaint_tui.tui.app import ComplaintApp
from complaint_tui.tui.screens.case_detail import CaseDetailScreen
from tests.conftest import DEFAULT_NOW, VN

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

SEED_CASES = 60
SEED = 3
VOLUME_CASES = 2_000  # what `complaint-tui --demo` seeds: counts in the thousands


# ---- databases --------------------------------------------------------------------------------
def open_context(path: Path, now: datetime = DEFAULT_NOW) -> AppContext:
    """An AppContext on the SQLite file at ``path`` with a FixedClock at ``now``."""
    return AppContext.build(Settings(), f"sqlite:///{path}", FixedClock(now))


def seed_database(path: Path, count: int = SEED_CASES) -> Path:
    """A demo database at ``path``: fixed seed, fixed clock (Wed 2026-11-25 10:00 local)."""
    ctx = open_context(path)
    try:
        init_database(ctx, "it.admin")
        seed_demo(ctx, actor_named(ctx, "it.admin"), count, seed=SEED)
    finally:
        ctx.db.dispose()
    return path


def copy_database(template: Path, target: Path) -> Path:
    shutil.copy(template, target)
    return target


def build_app(
    ctx: AppContext,
    agent: str = "anh.vo",
    theme: str = "complaint-dark",
    *,
    config_path: Path,
    **kw,
) -> ComplaintApp:
    """A ComplaintApp as one demo agent that renders deterministically.

    NO_COLOR is read by Textual in App.__init__: set it in the environment before calling this.
    """
    if theme != ctx.settings.ui.theme:
        ctx.settings = replace(ctx.settings, ui=replace(ctx.settings.ui, theme=theme))
    kw.setdefault("watch_changes", False)
    kw.setdefault("save_theme", False)
    kw.setdefault("cursor_blink", False)
    app = ComplaintApp(ctx, actor_named(ctx, agent), config_path=config_path, **kw)
    # Textual reads TEXTUAL_ANIMATIONS when it is first imported, which under pytest is before any
    # conftest runs (pytest-textual-snapshot imports it): switch animations off on the app itself.
    app.animation_level = "none"
    return app


class StandardColors(LineFilter):
    """What a 16-colour terminal shows: every colour reduced to the 16 ANSI ones.

    Textual's driver does this when it writes to such a terminal (Strip.render downgrades each
    colour to the console's color_system with Rich's Color.downgrade). An SVG screenshot is
    exported in truecolor and never goes through the driver, so this filter applies the same
    reduction to the lines the screenshot is made from.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, _standard(style) if style is not None else None, control)
            for text, style, control in segments
        ]


def _standard(style: Style) -> Style:
    color = style.color.downgrade(ColorSystem.STANDARD) if style.color else None
    bgcolor = style.bgcolor.downgrade(ColorSystem.STANDARD) if style.bgcolor else None
    return style + Style.from_color(color, bgcolor)


def in_sixteen_colours(app: ComplaintApp) -> ComplaintApp:
    """The app as a 16-colour terminal shows it (the filter runs after Textual's own)."""
    app._filters.append(StandardColors())
    return app


async def settle(pilot) -> None:
    """Wait until every worker that loads data has reported back and the screen repainted."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


# ---- cases made and opened inside a running app ------------------------------------------------
def new_case(app: ComplaintApp, *, take: bool = True, **kw):
    """A plain new case, made through the app's own desk; any field can be given. An agent
    takes it (``take``): agents change only the cases they hold."""
    base = dict(
        customer="nguyen.van.a",
        services=["VPS"],
        channel="email",
        subject="VPS unreachable since the morning",
        description="Cannot SSH into my VPS since 9:00.",
        desired_outcome="Working server and a credit.",
    )
    base.update(kw)
    desk = app.backend.desk
    created = desk.create(IntakeDraft(**base))
    if take and desk.actor.role is Role.AGENT:
        return desk.assign(created.ref, desk.actor.name)
    return created


async def open_case(app: ComplaintApp, pilot, ref: str):
    """Open a case and wait until it shows; returns its CaseDetailScreen."""
    app.open_case(ref)
    await settle(pilot)
    assert isinstance(app.screen, CaseDetailScreen)
    assert app.screen.detail is not None
    return app.screen


# ---- story cases ------------------------------------------------------------------------------
def local(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in November 2026, Ho Chi Minh City time (the frozen now is the 25th, 10:00)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=VN)


# One customer with a complaint in each open band (search the queue for it): a reseller with
# several services.
BANDS_CUSTOMER = "kh-60606"


@dataclass(frozen=True)
class Story:
    """Refs of the cases add_story_cases made, each for one kind of screen."""

    new: str  # new and unassigned; acknowledgement due at today's close (soon)
    investigating: str  # notes and customer updates, events, attachments; 2h left (urgent)
    waiting: str  # waiting on the customer: the resolution clock is paused
    escalated: str  # resolved, then the customer asked for a supervisor: review clock runs
    resolved: str  # resolved, not closed: close and reopen apply
    urgent_escalated: str  # investigating, 1h of resolution time left, escalated (ack was late)
    bands: tuple[str, ...]  # BANDS_CUSTOMER's open cases: breached, urgent, soon, ok, paused
    review_breached: str  # level-1 review past its deadline
    review_soon: str  # level-1 review due at today's close
    level2: str  # referred to level 2 by the supervisor: the manager's to decide
    referred: str  # decided at level 2, then referred to the external body
    rejected_after_decision: str  # reopened at level 1, resolved again, rejected at closing


def add_story_cases(ctx: AppContext) -> Story:
    """Add realistic cases with histories: five for the case screens, one customer's case in
    each open band, and escalations at both levels, pending (each band of the review clock the
    frozen 10:00 allows: breached, soon, ok) and decided.

    Runs on a seeded database; the clock is moved by hand and set back to DEFAULT_NOW after.
    """
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    desks: dict[str, CaseDesk] = {}

    def desk(name: str) -> CaseDesk:
        if name not in desks:
            desks[name] = CaseDesk(ctx, actor_named(ctx, name))
        return desks[name]

    def at(day: int, hour: int, minute: int = 0) -> None:
        clock.set(local(day, hour, minute))

    try:
        # 1. New and unassigned, received on Tuesday's holiday (Vietnam Cultural Day): the
        # acknowledgement is due at today's close, "● 7h left".
        at(24, 12)
        new = (
            desk("lan.nguyen")
            .create(
                IntakeDraft(
                    customer="kh-30417",
                    services=["Email hosting", "DNS"],
                    channel="phone",
                    subject="Mail to our domain bounces since the DNS move",
                    description=(
                        "Since we moved our DNS to you on Monday every email sent to "
                        "@hoaphat-logistics.vn bounces with '550 5.1.1 user unknown'. Our sales "
                        "team cannot receive orders."
                    ),
                    desired_outcome="Mail delivered again today, and the lost messages re-sent.",
                    priority="high",
                    category="Outage",
                    events=[EventDate(local(23, 16, 40), "DNS zone moved; first bounce at 16:52")],
                )
            )
            .ref
        )

        # 2. Investigating, with internal notes and customer updates over ten days; it waited
        # on the customer and resumed this morning with 2h30 left: "▲ 2h left" (urgent).
        at(16, 9, 10)
        inv = (
            desk("lan.nguyen")
            .create(
                IntakeDraft(
                    customer="nguyen.thi.mai",
                    services=["Backup", "VPS"],
                    channel="email",
                    subject="Nightly backups fail since the migration",
                    description=(
                        "Since you migrated my VPS to the new cluster on 13 November, the nightly "
                        "backup job ends with 'snapshot quota exceeded'. I have had no backup for "
                        "three nights. Tôi cần bản sao lưu hoạt động lại."
                    ),
                    desired_outcome="Working nightly backups and one month of backup fees refunded.",
                    priority="high",
                    category="Data loss",
                    events=[
                        EventDate(local(13, 22, 0), "Migration to the new cluster"),
                        EventDate(local(14, 2, 0), "First failed backup: snapshot quota exceeded"),
                    ],
                    attachments=[
                        AttachmentInput(
                            "backup-job.log",
                            "text/plain",
                            b"2026-11-14 02:00:01 start snapshot vps-4411\n"
                            b"2026-11-14 02:00:07 ERROR snapshot quota exceeded (20/20)\n",
                        ),
                        AttachmentInput(
                            "quota-screenshot.png", "image/png", b"\x89PNG\r\n" + b"0" * 90
                        ),
                    ],
                )
            )
            .ref
        )
        lan = desk("lan.nguyen")
        at(16, 9, 40)
        lan.assign(inv, "lan.nguyen")
        lan.acknowledge(inv, "We have received your complaint about the failing backups.")
        at(16, 10, 5)
        lan.start(inv, "checking the backup cluster")
        at(16, 11, 30)
        lan.note(
            inv,
            "Quota on the new cluster is 20 snapshots; the migration copied 20 old ones, so "
            "every new snapshot is refused. Asked the storage team (ticket OPS-8812).",
        )
        at(16, 15, 0)
        lan.update(
            inv,
            "We found the cause: old snapshots copied during the migration fill your quota. "
            "We are clearing them and will confirm tomorrow.",
        )
        at(17, 10, 15)
        lan.note(inv, "Storage team cleared 18 stale snapshots; tonight's run will tell.")
        at(18, 9, 5)
        lan.update(inv, "Last night's backup completed. We are checking the refund with billing.")
        at(23, 14, 30)
        lan.wait(inv, "Please confirm the backups of the last three nights restore for you.")
        at(25, 9, 30)
        lan.resume(inv, "customer confirmed the restores work")
        at(25, 9, 45)
        lan.note(inv, "Billing agrees to refund one month; waiting for the credit note number.")

        # 3. Waiting on the customer: the resolution clock is paused with its time left.
        at(23, 8, 30)
        wait = (
            desk("anh.vo")
            .create(
                IntakeDraft(
                    customer="tran.quoc.bao",
                    services=["SSL certificate", "Web hosting"],
                    channel="chat",
                    subject="Certificate renewal failed, site shows a warning",
                    description="Browsers warn that my shop's certificate expired on 22 November.",
                    desired_outcome="A valid certificate and an explanation.",
                    category="Security",
                )
            )
            .ref
        )
        anh = desk("anh.vo")
        at(23, 9, 0)
        anh.assign(wait, "anh.vo")
        anh.start(wait)
        at(23, 9, 20)
        anh.note(wait, "Auto-renewal failed: the CAA record only allows another CA.")
        at(23, 9, 45)
        anh.wait(
            wait,
            "Please remove the CAA record at your DNS host, or add our CA to it, and tell us "
            "when it is done.",
        )

        # 4. Resolved (not closed): the customer has not answered yet.
        at(16, 14, 0)
        res = (
            desk("anh.vo")
            .create(
                IntakeDraft(
                    customer="le.van.hung",
                    services=["Billing", "Domain"],
                    channel="ticket",
                    subject="Charged twice for the domain renewal",
                    description="My card was charged 450,000 VND twice on 14 November.",
                    desired_outcome="Refund of the second charge.",
                    category="Billing",
                )
            )
            .ref
        )
        at(16, 14, 30)
        anh.assign(res, "anh.vo")
        anh.start(res)
        at(17, 10, 0)
        anh.note(res, "Payment gateway retried after a timeout; both captures went through.")
        at(18, 16, 0)
        anh.resolve(
            res,
            "We refunded the second charge of 450,000 VND; it reaches your card in 3-5 days.",
            "Third-party provider",
        )

        # 5. Resolved, then the customer asked for a supervisor: the review clock runs.
        at(12, 10, 0)
        esc = (
            desk("lan.nguyen")
            .create(
                IntakeDraft(
                    customer="pham.minh.chau",
                    services=["Dedicated server"],
                    channel="email",
                    subject="Server down 9 hours, compensation too low",
                    description=(
                        "Our dedicated server was down from 01:00 to 10:00 on 11 November. The SLA "
                        "promises 99.9% uptime."
                    ),
                    desired_outcome="A credit of one month, as the SLA says.",
                    priority="critical",
                    category="Outage",
                )
            )
            .ref
        )
        at(12, 10, 30)
        lan.assign(esc, "lan.nguyen")
        lan.start(esc)
        at(17, 11, 0)
        lan.resolve(
            esc,
            "We credited 3 days of service for the outage, as our SLA table provides.",
            "Hardware failure",
        )
        at(23, 11, 0)
        lan.escalate(esc, "The SLA says one month of credit for under 99.5%; I want a supervisor.")

        # 6. Investigating with 1h of resolution time left, and escalated: urgent.
        at(16, 11, 0)
        hot = (
            desk("anh.vo")
            .create(
                IntakeDraft(
                    customer="vo.thanh.tam",
                    services=["Web hosting"],
                    channel="ticket",
                    subject="Shop offline after the PHP upgrade",
                    description="My online shop shows error 500 since your PHP 8.3 upgrade.",
                    desired_outcome="The shop online again.",
                    category="Outage",
                )
            )
            .ref
        )
        at(18, 9, 20)  # two days in: the acknowledgement was late, so escalation is open to them
        anh.assign(hot, "anh.vo")
        anh.start(hot)
        at(23, 15, 0)
        anh.wait(hot, "Please send the error log of your shop's admin page.")
        at(25, 9, 0)
        anh.resume(hot, "log received")
        at(25, 9, 10)
        anh.escalate(hot, "The customer wants a supervisor: the shop has been down a week.")

        bands = _band_cases(desk("lan.nguyen"), at)
        escalations = _escalation_cases(desk, at)
    finally:
        clock.set(DEFAULT_NOW)
    return Story(
        new=new,
        investigating=inv,
        waiting=wait,
        escalated=esc,
        resolved=res,
        urgent_escalated=hot,
        bands=bands,
        **escalations,
    )


def _band_cases(lan: CaseDesk, at) -> tuple[str, ...]:
    """BANDS_CUSTOMER's cases: breached, urgent, soon, ok and paused at the frozen now."""

    def create(subject: str, service: str, **kw) -> str:
        return lan.create(
            IntakeDraft(
                customer=BANDS_CUSTOMER,
                services=[service],
                channel="email",
                subject=subject,
                description=f"{subject}. We resell this service to our own customers.",
                desired_outcome="A fix and a written explanation for our customers.",
                **kw,
            )
        ).ref

    at(18, 10)  # acknowledgement was due Thu 19 17:00
    breached = create("Invoices for November list the wrong VAT rate", "Billing")
    at(16, 9)
    urgent = create("Reseller VPS pool reboots every night", "VPS", priority="high")
    at(16, 9, 30)
    lan.assign(urgent, "lan.nguyen")
    lan.start(urgent)
    at(23, 15)  # two business hours left when it paused
    lan.wait(urgent, "Please send the console log of one of the rebooting servers.")
    at(25, 9)
    lan.resume(urgent, "console log received")
    at(24, 12)  # a public holiday: the acknowledgement is due at today's close
    soon = create("DNS changes take a day to show", "DNS")
    at(25, 9)
    ok = create("Backup restore is slower than promised", "Backup")
    at(20, 9)
    paused = create("Two mailboxes lost their forwarding rules", "Email hosting")
    lan.assign(paused, "lan.nguyen")
    lan.start(paused)
    at(23, 10)
    lan.wait(paused, "Which two mailboxes, and where should their mail be forwarded?")
    return (breached, urgent, soon, ok, paused)


def _escalation_cases(desk, at) -> dict[str, str]:
    """Escalations at both levels and in every state the escalation screen lists."""
    lan, anh, thao = desk("lan.nguyen"), desk("anh.vo"), desk("thao.dang")

    def resolved_case(
        day: int, resolved: int, customer: str, subject: str, service: str, outcome: str
    ) -> str:
        at(day, 9)
        ref = lan.create(
            IntakeDraft(
                customer=customer,
                services=[service],
                channel="ticket",
                subject=subject,
                description=f"{subject}, and nobody told us why.",
                desired_outcome="An explanation and a credit.",
            )
        ).ref
        lan.assign(ref, "lan.nguyen")
        lan.start(ref)
        at(resolved, 15)
        lan.resolve(ref, outcome, "Capacity shortfall")
        return ref

    review_breached = resolved_case(
        10, 12, "do.thi.hoa", "Invoice charged for a cancelled server", "Billing",
        "We refunded the invoice of the cancelled server.",
    )  # fmt: skip
    at(18, 10)  # review due Fri 20 17:00
    lan.escalate(review_breached, "A refund is not enough; I want the late fees back too.")

    review_soon = resolved_case(
        16, 18, "hoang.gia.bao", "VPS disk is slow every evening", "VPS",
        "We moved your VPS to a faster storage pool.",
    )  # fmt: skip
    at(20, 14)  # review due Wed 25 17:00: today's close
    lan.escalate(review_soon, "It is still slow at 20:00; please have a supervisor look at it.")

    level2 = resolved_case(
        9, 11, "ngo.thanh.son", "Database backups lost after the storage fault", "Backup",
        "We restored the backups we could and credited one month.",
    )  # fmt: skip
    at(12, 10)
    lan.escalate(level2, "One month does not cover three weeks of lost orders.")
    at(23, 16)  # a week late; the manager's review is due Thu 26 17:00
    anh.decide(
        level2,
        "refer-up",
        "Your request goes to our support manager, who can offer more than a month's credit.",
        "Beyond what a supervisor may credit; the lost orders need the manager's call.",
    )

    referred = resolved_case(
        2, 4, "bui.van.long", "Outage of the whole reseller cluster", "VPS",
        "We credited three days for the outage.",
    )  # fmt: skip
    at(5, 10)
    lan.escalate(referred, "Three days is not what the SLA promises.")
    at(6, 11)
    anh.decide(referred, "refer-up", "A manager reviews the credit.", "")
    at(9, 14)
    thao.decide(referred, "confirm", "The credit follows the SLA table for this outage.", "")
    at(10, 9)
    lan.close(referred, "rejected")
    lan.refer(referred, "The customer will contact the dispute body.")

    rejected = resolved_case(
        3, 5, "ly.minh.thu", "Mail to Gmail lands in spam", "Email hosting",
        "We added SPF and DKIM records for your domain.",
    )  # fmt: skip
    at(6, 9)
    lan.escalate(rejected, "Mail still lands in spam; please look again.")
    at(6, 15)
    anh.decide(
        rejected, "reopen", "We will check the DMARC policy as well.", "DMARC was never set up."
    )
    at(9, 11)
    lan.resolve(rejected, "We published a DMARC policy for your domain.", "Configuration error")
    at(11, 10)
    lan.close(rejected, "rejected")
    return {
        "review_breached": review_breached,
        "review_soon": review_soon,
        "level2": level2,
        "referred": referred,
        "rejected_after_decision": rejected,
    }


def story_database(seeded: Path, target: Path) -> tuple[Path, Story]:
    """A copy of the seeded database with the story cases added."""
    copy_database(seeded, target)
    ctx = open_context(target)
    try:
        story = add_story_cases(ctx)
    finally:
        ctx.db.dispose()
    return target, story


# ---- hostile customer text (issue 3, item 7) ---------------------------------------------------
HOSTILE_CUSTOMER = "kh-hostile-01"
HOSTILE_SUBJECT = (
    "[bold red]x[/] [link=https://evil.example]y[/link] \x1b[31mred\x1b[0m "
    "\x1b]8;;https://evil.example\x1b\\osc8\x1b]8;;\x1b\\ 😀🔥 Nguye\u0302\u0303n "
    "\u05e9\u05dc\u05d5\u05dd"
)
HOSTILE_TEXT = (
    "Markup: [bold red]x[/] and [link=https://evil.example]y[/link] and [/] [reverse]\n"
    "ANSI: \x1b[31mred\x1b[0m \x1b[2J\x1b[Hcleared? \x1b[?1049h\n"
    "OSC 8: \x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\ and title \x1b]0;pwned\x07\n"
    "C0: NUL\x00 BEL\x07 BS\x08 VT\x0b FF\x0c CR\r ESC\x1b DEL\x7f end\n"
    "Long word: " + "W" * 300 + "\n"
    "Emoji: 😀🔥👨‍👩‍👧 ✅ and wide: 中文字\n"
    "Vietnamese, combining marks: Nguye\u0302\u0303n \u0110u\u031b\u0301c Tha\u0306\u0301ng "
    "(precomposed: Nguyễn Đức Thắng)\n"
    "Right-to-left: \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 "
    "\u202eevil\u202c \u2067isolate\u2069"
)


def add_hostile_case(ctx: AppContext, agent: str = "anh.vo") -> str:
    """A case whose subject, description, outcome, event and notes hold hostile text."""
    desk = CaseDesk(ctx, actor_named(ctx, agent))
    case = desk.create(
        IntakeDraft(
            customer=HOSTILE_CUSTOMER,
            services=["VPS"],
            channel="email",
            subject=HOSTILE_SUBJECT,
            description=HOSTILE_TEXT,
            desired_outcome=HOSTILE_TEXT,
            events=[EventDate(DEFAULT_NOW - timedelta(hours=1), HOSTILE_TEXT)],
        )
    )
    desk.note(case.ref, HOSTILE_TEXT)
    desk.update(case.ref, HOSTILE_TEXT)
    return case.ref


__all__ = [
    "DEFAULT_NOW",
    "HOSTILE_CUSTOMER",
    "HOSTILE_SUBJECT",
    "HOSTILE_TEXT",
    "BANDS_CUSTOMER",
    "SEED_CASES",
    "Story",
    "add_hostile_case",
    "add_story_cases",
    "build_app",
    "copy_database",
    "in_sixteen_colours",
    "new_case",
    "open_case",
    "open_context",
    "seed_database",
    "settle",
    "story_database",
]
