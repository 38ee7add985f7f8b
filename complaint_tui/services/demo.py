"""Deterministic demo data: realistic Vietnamese and English complaints in every status and band.

Seeding uses the DB-API directly (SQLite executemany, PostgreSQL COPY) because an ORM round per
row would take minutes at a million cases; the rows are the same the services would write.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select, text

from complaint_tui.domain.enums import (
    Channel,
    CustomerResponse,
    EscalationOutcome,
    EventKind,
    Priority,
    QueueBucket,
    Role,
    Status,
)
from complaint_tui.domain.labels import outcome_label, reviewer_label, status_label
from complaint_tui.domain.settings import Settings
from complaint_tui.services.admin import init_database
from complaint_tui.services.context import AppContext
from complaint_tui.services.errors import PermissionDenied, Refused
from complaint_tui.services.identity import Actor, actor_named, login_name
from complaint_tui.services.permissions import refusals_logged, require_admin
from complaint_tui.store import access
from complaint_tui.store.models import Agent, Case, RefCounter
from complaint_tui.store.policy import in_force_id
from complaint_tui.store.search import (
    PG_SEARCH_COLUMN,
    PG_VECTOR,
    SEARCH_TABLE,
    case_document,
    create_search_index,
    drop_search_index,
)

DEMO_AGENTS = (
    ("lan.nguyen", Role.AGENT),
    ("minh.tran", Role.AGENT),
    ("huong.le", Role.AGENT),
    ("duc.pham", Role.AGENT),
    ("sam.taylor", Role.AGENT),
    ("anh.vo", Role.SUPERVISOR),
    ("thao.dang", Role.MANAGER),
    ("it.admin", Role.ADMIN),
)
DEMO_ADMIN = "it.admin"  # the first admin of the --demo database, who loads its cases

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Hữu", "Thu", "Gia")
GIVEN = (
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hùng",
    "Khánh",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Trang",
    "Tuấn",
    "Vy",
    "Đạt",
    "Đông",
)
EN_NAMES = (
    "alice",
    "ben",
    "chloe",
    "david",
    "emma",
    "frank",
    "grace",
    "henry",
    "isla",
    "jack",
    "kate",
    "liam",
    "mia",
    "noah",
)
COMPANIES = (
    "saigontech",
    "hanoisoft",
    "mekongfood",
    "danangtravel",
    "phuquocresort",
    "acme",
    "globex",
    "initech",
    "vinadesign",
    "bluesky",
)

# (category, services, subject, description) with {svc} and {detail} filled in.
TEMPLATES = (
    (
        "Outage",
        ("VPS",),
        "VPS không truy cập được từ sáng",
        "Máy chủ VPS của tôi không thể truy cập qua SSH từ {time}. Website khách hàng bị gián đoạn. {detail}",
    ),
    (
        "Outage",
        ("VPS", "DNS"),
        "Website down after DNS change",
        "After your DNS maintenance at {time} our site stopped resolving for several hours. {detail}",
    ),
    (
        "Performance",
        ("VPS",),
        "Tốc độ VPS chậm bất thường",
        "CPU steal time rất cao kể từ {time}, ứng dụng phản hồi chậm gấp 5 lần. {detail}",
    ),
    (
        "Performance",
        ("Web hosting",),
        "Hosting very slow during business hours",
        "Page loads take over 10 seconds between 9:00 and 11:00 since {time}. {detail}",
    ),
    (
        "Billing",
        ("Billing", "VPS"),
        "Bị tính phí hai lần cho gói VPS",
        "Tài khoản bị trừ tiền hai lần cho hóa đơn tháng này vào {time}. Đề nghị hoàn tiền. {detail}",
    ),
    (
        "Billing",
        ("Billing", "Domain"),
        "Domain renewal charged at wrong price",
        "The renewal on {time} was charged at the premium rate instead of the promotional rate. {detail}",
    ),
    (
        "Data loss",
        ("Backup", "VPS"),
        "Bản sao lưu không khôi phục được",
        "Khôi phục bản backup ngày {time} báo lỗi checksum, mất dữ liệu đơn hàng. {detail}",
    ),
    (
        "Data loss",
        ("Cloud storage",),
        "Files missing from cloud storage bucket",
        "About 2,000 objects disappeared from our bucket around {time}. {detail}",
    ),
    (
        "Security",
        ("VPS",),
        "VPS bị khóa vì nghi ngờ gửi spam",
        "VPS bị khóa lúc {time} với lý do gửi spam nhưng chúng tôi không gửi email. {detail}",
    ),
    (
        "Security",
        ("SSL certificate", "Web hosting"),
        "SSL certificate expired without notice",
        "Our certificate expired at {time}; auto-renew was enabled. Browsers show warnings. {detail}",
    ),
    (
        "Support quality",
        ("Email hosting",),
        "Hỗ trợ không phản hồi ticket email",
        "Ticket về email bị trả lại mở từ {time} nhưng chưa có phản hồi. {detail}",
    ),
    (
        "Support quality",
        ("Dedicated server",),
        "Technician rebooted the wrong server",
        "During the scheduled maintenance at {time} the technician rebooted our database server. {detail}",
    ),
    (
        "Migration",
        ("Web hosting", "Email hosting"),
        "Chuyển hosting làm mất email",
        "Sau khi chuyển hosting lúc {time}, hộp thư của 12 nhân viên trống. {detail}",
    ),
    (
        "Migration",
        ("Dedicated server",),
        "Migration window overran by 6 hours",
        "The migration planned for {time} overran and our shop was offline all morning. {detail}",
    ),
    (
        "Other",
        ("Domain", "DNS"),
        "Tên miền bị chuyển sai chủ sở hữu",
        "Thông tin chủ thể tên miền bị thay đổi lúc {time} mà không có yêu cầu của tôi. {detail}",
    ),
)
DETAILS = (
    "Mong được xử lý sớm.",
    "Chúng tôi đã gửi ảnh chụp màn hình lỗi.",
    "This is the second time this month.",
    "Our customers are complaining to us directly.",
    "Xin vui lòng liên hệ lại qua số điện thoại.",
    "Please call before making changes.",
    "Đơn hàng bị ảnh hưởng khoảng 30 triệu đồng.",
    "We need a written explanation for our own client.",
)
# (root cause, outcome): causes from the default [intake] root_causes, and one "Other: ...".
OUTCOMES = (
    (
        "Hardware failure",
        "We moved your VPS to a healthy host and credited 3 days of service.",
    ),
    ("Billing error", "Hoàn tiền khoản thu trùng trong 3 ngày làm việc."),
    (
        "Other: no monitoring on the failed component",
        "We added monitoring for the failed component and credited one month.",
    ),
    ("Configuration error", "Đã khôi phục cấu hình DNS và xác nhận tên miền hoạt động."),
    (
        "Customer-side issue",
        "We explained the misconfiguration and fixed it together with the customer.",
    ),
)
HOSTILE = (
    "[bold red]FREE CREDIT[/] [link=https://evil.example]click[/link]",
    "Subject with \x1b[31mANSI red\x1b[0m and \x1b]8;;https://evil.example\x07OSC link\x1b]8;;\x07 and BEL\x07 end",
)


@dataclass(frozen=True)
class SeedResult:
    cases: int
    agents: int
    seconds: float
    # Where the time went, in order: ("prototypes", 2.1), ("load", 20.3), ... (for the benchmark).
    phases: tuple[tuple[str, float], ...] = ()


class _Phases:
    """Wall-clock seconds per named phase of a seeding run."""

    def __init__(self) -> None:
        self.done: list[tuple[str, float]] = []
        self._name: str | None = None
        self._start = 0.0

    def start(self, name: str) -> None:
        self.stop()
        self._name, self._start = name, time.perf_counter()

    def stop(self) -> None:
        if self._name is not None:
            self.done.append((self._name, time.perf_counter() - self._start))
            self._name = None


def _customer(rng: random.Random, i: int) -> str:
    kind = rng.random()
    if kind < 0.45:
        from complaint_tui.domain.text import fold

        name = fold(f"{rng.choice(FAMILY)}{rng.choice(GIVEN)}").replace(" ", "")
        return f"{name}{rng.randint(1, 999)}"
    if kind < 0.7:
        return f"{rng.choice(EN_NAMES)}.{rng.choice(COMPANIES)}"
    return f"CUST-{100000 + (i * 7919) % 900000}"


def _display_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


@refusals_logged("demo")
def seed_demo(ctx: AppContext, actor: Actor, count: int, seed: int) -> SeedResult:
    """Insert ``count`` cases and the demo's people into an initialised, case-free database, in
    one transaction: a failure leaves the database as it was. Only an admin may; on PostgreSQL
    the schema owner, the one role that can (the load switches the per-row audit triggers off
    and rebuilds the keys), who is the desk's first admin."""
    if not ctx.db.is_postgres:
        require_admin(actor, "load demo data")
    else:
        with ctx.db.engine.connect() as conn:
            owner = None if access.is_trusted(conn) else access.schema_owner(conn)
        if owner is not None:
            raise PermissionDenied(
                f"On PostgreSQL only the schema owner ({owner}) may load demo data, since the "
                "load switches the audit triggers off; run demo as that role."
            )
    with ctx.db.session() as s:  # before the load's settings, which need the file to itself
        _refuse_cases(s.scalar(select(func.count()).select_from(Case)))
    started = time.perf_counter()
    phases = _Phases()
    agents = _bulk_insert(ctx, count, seed, ctx.now(), phases)
    phases.start("statistics")
    if ctx.db.is_postgres:
        with ctx.db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            # VACUUM as well as ANALYZE: it marks the fresh pages all-visible, so counts and the
            # queue's index reads are index-only from the start instead of visiting the heap
            # (the summary line's counts at 1M: ~3 s otherwise), and it sets the hint bits the
            # first reads would otherwise write. Autovacuum would get there later.
            conn.execute(text("VACUUM (ANALYZE)"))
    else:
        with ctx.db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")  # sampled statistics are enough
            conn.exec_driver_sql("ANALYZE")
    phases.stop()
    return SeedResult(count, agents, time.perf_counter() - started, tuple(phases.done))


def _refuse_cases(existing: int | None) -> None:
    if existing:
        raise Refused(
            f"The database already has {existing:,} cases; demo data goes only into an empty one."
        )


def _demo_people(
    conn, now: datetime
) -> tuple[list[int], dict[int, str], int | None, dict[str, str]]:
    """The demo's agents (those missing), then (ids of the agents and supervisors who get cases,
    every agent's name by id, the policy version cases are stamped with, and who decides the
    demo's escalations: the first demo person of each role)."""
    names = set(conn.execute(select(Agent.name)).scalars())
    missing = [
        {"name": name, "role": role.value, "active": True, "created_at": now}
        for name, role in DEMO_AGENTS
        if name not in names
    ]
    if missing:
        conn.execute(insert(Agent), missing)
    agent_ids = list(
        conn.execute(
            select(Agent.id).where(Agent.role.in_(["agent", "supervisor"])).order_by(Agent.id)
        ).scalars()
    )
    agents = {row.id: row.name for row in conn.execute(select(Agent.id, Agent.name))}
    policy_id = conn.execute(in_force_id()).scalar()
    reviewers: dict[str, str] = {}
    for name, role in conn.execute(
        select(Agent.name, Agent.role)
        .where(Agent.active.is_(True), Agent.name.in_([name for name, _ in DEMO_AGENTS]))
        .order_by(Agent.id)
    ):
        reviewers.setdefault(role, name)
    return agent_ids, agents, policy_id, reviewers


CASE_COLS = (
    "id", "ref", "customer", "channel", "subject", "description", "desired_outcome", "priority", "category",
    "confidential", "assignee_id", "status", "policy_version_id", "received_at", "acknowledged_at", "resolved_at",
    "closed_at", "ack_due_at", "resolve_due_at", "paused_at", "paused_remaining_s", "next_update_due_at",
    "last_customer_update_at", "escalation_level", "escalation_pending", "escalation_requested_at",
    "escalation_due_at", "outcome", "root_cause", "customer_response", "reopen_count", "extension_count",
    "referred_to", "queue_bucket", "queue_at", "version", "created_at", "updated_at", "ack_business_s",
    "resolve_business_s", "paused_business_s",
)  # fmt: skip
SERVICE_COLS = ("case_id", "service", "position")
EVENT_COLS = ("case_id", "kind", "actor", "at", "text", "customer_visible")
ESCALATION_COLS = ("level", "request", "requested_by", "requested_at", "due_at")
DECISION_COLS = ("level", "outcome", "explanation", "note", "decided_by", "decided_at")


PROTOTYPES = 20_000
CUSTOMERS = 50_000


def _prototypes(
    ctx: AppContext,
    count: int,
    seed: int,
    now: datetime,
    agent_ids,
    agents,
    policy_id,
    reviewers: dict[str, str],
):
    """Up to PROTOTYPES distinct case histories and a pool of customers; deterministic per seed.

    The calendar work (due instants, pauses) is done once per prototype in Python; the database
    then clones them into ``count`` cases with INSERT … SELECT, which keeps 1M cases within a minute.
    """
    rng = random.Random(seed)
    protos = [
        _prototype(ctx, rng, now, agent_ids, agents, policy_id, n, seed, reviewers)
        for n in range(min(count, PROTOTYPES))
    ]
    customers = [_customer(rng, n) for n in range(min(count, CUSTOMERS))]
    return protos, customers


_STATUS_WEIGHTS = (
    (Status.NEW, 14),
    (Status.ACKNOWLEDGED, 10),
    (Status.INVESTIGATING, 30),
    (Status.WAITING_ON_CUSTOMER, 10),
    (Status.RESOLVED, 14),
    (Status.CLOSED, 22),
)
_STATUS_PICK = [s for s, w in _STATUS_WEIGHTS for _ in range(w)]
_PRIORITIES = [Priority.LOW] * 2 + [Priority.NORMAL] * 6 + [Priority.HIGH] * 2 + [Priority.CRITICAL]


def _prototype(
    ctx: AppContext,
    rng: random.Random,
    now: datetime,
    agent_ids,
    agents,
    policy_id,
    n: int,
    seed: int = 0,
    reviewers: dict[str, str] | None = None,
):
    """One case history (without id, ref and customer), consistent with the SLA rules."""
    cal, sla = ctx.calendar, ctx.sla
    status = _STATUS_PICK[rng.randrange(len(_STATUS_PICK))]
    # Open cases were received in the last ~8 days so every band shows; done ones up to 60 days.
    age = timedelta(seconds=rng.randrange(0, (8 if status.is_open else 60) * 86400))
    received = now - age
    category, svcs, subject, desc = TEMPLATES[rng.randrange(len(TEMPLATES))]
    configured = ctx.settings.intake.services
    svcs = tuple(s for s in svcs if s in configured) or (configured[0],)
    if category not in ctx.settings.intake.categories:
        category = None
    when = cal.local(received - timedelta(hours=rng.randrange(1, 48))).strftime("%H:%M %d/%m")
    description = desc.format(time=when, detail=DETAILS[rng.randrange(len(DETAILS))])
    if n % 5_000 == 7:  # customer text is data: a few hostile strings show it stays inert
        subject, description = (
            HOSTILE[(n // 5_000) % 2],
            HOSTILE[(n // 5_000 + 1) % 2] + "\n" + description,
        )
    channel = list(Channel)[rng.randrange(5)].value
    ack_due = sla.ack_due(received)
    res_due = sla.resolve_due(received)
    acknowledged = resolved = closed = paused_at = next_update = last_update = None
    paused_remaining = None
    outcome = root_cause = response = None
    assignee = (
        None
        if status is Status.NEW and rng.random() < 0.8
        else agent_ids[rng.randrange(len(agent_ids))]
    )
    actor = agents.get(assignee, "lan.nguyen")
    events = [(EventKind.CREATED.value, actor, received, f"Received by {channel}.", False)]
    if status is not Status.NEW:
        acknowledged = min(now, received + timedelta(minutes=rng.randrange(10, 60 * 30)))
        last_update = acknowledged
        events.append(
            (
                EventKind.ACKNOWLEDGED.value,
                actor,
                acknowledged,
                "Chúng tôi đã nhận được khiếu nại của bạn / We have received your complaint.",
                True,
            )
        )
    if status in (Status.ACKNOWLEDGED, Status.INVESTIGATING):
        next_update = sla.next_update_due(acknowledged)
        if status is Status.INVESTIGATING and rng.random() < 0.3:
            # Waited on the customer and resumed: the resolution clock moved off close of business.
            resumed = now - timedelta(minutes=rng.randrange(5, 600))
            res_due = cal.add_business_time(resumed, timedelta(minutes=rng.randrange(30, 60 * 20)))
            events.append(
                (
                    EventKind.STATUS_CHANGE.value,
                    actor,
                    resumed,
                    f"{status_label(Status.WAITING_ON_CUSTOMER)} → "
                    f"{status_label(Status.INVESTIGATING)}: logs received",
                    False,
                )
            )
    if status is Status.WAITING_ON_CUSTOMER:
        paused_at = min(now, acknowledged + timedelta(hours=rng.randrange(1, 40)))
        if paused_at < res_due:
            paused_remaining = cal.business_time_between(paused_at, res_due).total_seconds()
        events.append(
            (
                EventKind.CUSTOMER_UPDATE.value,
                actor,
                paused_at,
                "Could you send the exact error message and a screenshot?",
                True,
            )
        )
    if status in (Status.RESOLVED, Status.CLOSED):
        resolved = min(now, acknowledged + timedelta(hours=rng.randrange(2, 24 * 8)))
        root_cause, outcome = OUTCOMES[rng.randrange(len(OUTCOMES))]
        events.append((EventKind.OUTCOME.value, actor, resolved, outcome, True))
        if status is Status.CLOSED:
            closed = min(now, resolved + timedelta(hours=rng.randrange(1, 72)))
            response = (
                CustomerResponse.ACCEPTED,
                CustomerResponse.ACCEPTED,
                CustomerResponse.NO_RESPONSE,
                CustomerResponse.REJECTED,
            )[rng.randrange(4)].value
    bucket, queue_at = {
        Status.NEW: (QueueBucket.ACTIVE, ack_due),
        Status.ACKNOWLEDGED: (QueueBucket.ACTIVE, res_due),
        Status.INVESTIGATING: (QueueBucket.ACTIVE, res_due),
        Status.WAITING_ON_CUSTOMER: (QueueBucket.PAUSED, paused_at),
        Status.RESOLVED: (QueueBucket.DONE, resolved),
        Status.CLOSED: (QueueBucket.DONE, closed),
    }[status]
    esc_level, esc_pending, esc_req, esc_due = 0, False, None, None
    escalations: list[tuple] = []  # ESCALATION_COLS
    decisions: list[tuple] = []  # (index into escalations, *DECISION_COLS)
    if status in (Status.RESOLVED, Status.CLOSED) and rng.random() < 0.06:
        esc_level, esc_pending = 1, rng.random() < 0.6
        esc_req = min(now, (closed or resolved) + timedelta(hours=rng.randrange(1, 30)))
        esc_due = sla.escalation_due(esc_req)
        # A generator of its own: the draws above stay those of earlier demo databases.
        more = random.Random(seed * 1_000_003 + n)
        history = _escalation_history(
            sla, more, now, actor, reviewers or {}, esc_req, esc_due, esc_pending
        )
        escalations, decisions, extra_events = history
        events += extra_events
        esc_level, _text, _by, esc_req, esc_due = escalations[-1]
        esc_pending = not any(d[0] == len(escalations) - 1 for d in decisions)
    updated = max(e[2] for e in events)
    desired = (
        "Hoàn tiền hoặc bồi thường thời gian gián đoạn."
        if rng.random() < 0.5
        else "A credit for the downtime and an explanation."
    )
    row = (
        channel, subject, description, desired, _PRIORITIES[rng.randrange(len(_PRIORITIES))].value, category,
        rng.random() < 0.03, assignee, status.value, policy_id, received, acknowledged, resolved, closed, ack_due,
        res_due, paused_at, paused_remaining, next_update, last_update, esc_level, esc_pending, esc_req, esc_due,
        outcome, root_cause, response, 0, 0, None, bucket, queue_at, 1, received, updated,
        _business_s(cal, received, acknowledged), _business_s(cal, received, resolved), 0.0,
    )  # fmt: skip
    if ctx.db.is_sqlite:  # format instants once per prototype, not once per clone
        row = tuple(_sqlite_value(v) for v in row)
        events = [tuple(_sqlite_value(v) for v in e) for e in events]
        escalations = [tuple(_sqlite_value(v) for v in e) for e in escalations]
        decisions = [tuple(_sqlite_value(v) for v in d) for d in decisions]
    return (
        row,
        [(svc, pos) for pos, svc in enumerate(svcs)],
        events,
        escalations,
        decisions,
    )


def _business_s(cal, start: datetime, end: datetime | None) -> float | None:
    """The report figure the workflow keeps (services/cases.py): business seconds, or None."""
    return None if end is None else max(0.0, cal.business_time_between(start, end).total_seconds())


REQUESTS = (
    "Tôi không đồng ý với kết quả xử lý.",
    "The credit does not cover the downtime; I want someone senior to look at it.",
    "Không ai trả lời email của tôi suốt ba ngày. I want to speak to a supervisor.",
)
EXPLANATIONS = {
    EscalationOutcome.CONFIRM: "We reviewed the handling and the credit follows our SLA table.",
    EscalationOutcome.REFER_UP: "Your request goes to a manager for a second review.",
}


def _escalation_history(
    sla, rng: random.Random, now: datetime, actor: str, reviewers, requested, due, pending
):
    """A case's escalations as the services record them: a level-1 request, and unless it is
    pending a decision (confirmed, sometimes late, or referred to a manager at level 2, which
    is pending or confirmed). Returns (escalations, decisions, timeline events)."""
    supervisor = reviewers.get(Role.SUPERVISOR.value, actor)
    manager = reviewers.get(Role.MANAGER.value, supervisor)
    request = REQUESTS[rng.randrange(len(REQUESTS))]
    escalations = [(1, request, actor, requested, due)]
    events = [
        (
            EventKind.ESCALATION_REQUEST.value,
            actor,
            requested,
            f"level 1 ({reviewer_label(1)}): {request}",
            False,
        )
    ]
    decisions: list[tuple] = []

    def decide(index: int, level: int, outcome, by: str, at: datetime) -> None:
        explanation = EXPLANATIONS[outcome]
        decisions.append((index, level, outcome.value, explanation, "", by, at))
        events.append(
            (
                EventKind.ESCALATION_DECISION.value,
                by,
                at,
                f"level {level}, {outcome_label(outcome)}: {explanation}",
                True,
            )
        )

    if pending:
        return escalations, decisions, events
    late = rng.random() < 0.3 and due < now
    hours = timedelta(hours=rng.randrange(1, 30))
    decided = min(now, (due if late else requested) + hours)
    if rng.random() < 0.6:
        decide(0, 1, EscalationOutcome.CONFIRM, supervisor, decided)
        return escalations, decisions, events
    decide(0, 1, EscalationOutcome.REFER_UP, supervisor, decided)
    due_2 = sla.escalation_due(decided)
    escalations.append((2, request, supervisor, decided, due_2))
    events.append(
        (
            EventKind.ESCALATION_REQUEST.value,
            supervisor,
            decided,
            f"level 2 ({reviewer_label(2)}): {request}",
            False,
        )
    )
    if rng.random() < 0.5:
        decide(1, 2, EscalationOutcome.CONFIRM, manager, min(now, decided + hours))
    return escalations, decisions, events


def _sqlite_value(v):
    if isinstance(v, datetime):  # SQLAlchemy's SQLite format, "%Y-%m-%d %H:%M:%S.%f" (but faster)
        return v.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return v


BULK_TABLES = (
    "cases",
    "case_services",
    "timeline_events",
    "escalations",
    "escalation_decisions",
)
PROTO_CASE_COLS = CASE_COLS[3:]  # everything but id, ref and customer
PROTO_RECEIVED = PROTO_CASE_COLS.index("received_at")  # a clone keeps its prototype's
# Timeline rows are inserted in (case_id, id) order: their index only ever appends.
APPEND_ONLY_INDEXES = frozenset({"ix_timeline_case"})
# PostgreSQL: the tables whose ids the load wrote itself or that were written meanwhile.
SEQUENCED_TABLES = (
    "cases",
    "timeline_events",
    "reported_events",
    "access_log",
    "attachments",
    "escalations",
    "escalation_decisions",
)
STAGING_TABLES = (
    "demo_proto_cases",
    "demo_proto_services",
    "demo_proto_events",
    "demo_customers",
    "demo_proto_escalations",
    "demo_proto_decisions",
)


def _bulk_insert(ctx: AppContext, count: int, seed: int, now: datetime, phases: _Phases) -> int:
    """The demo's people, the prototypes staged and cloned in SQL, the search index and the ref
    counter, in one transaction, so other sessions never see a half-loaded database and a failed
    load leaves it as it was. Returns how many agents the desk has.

    Secondary indexes are dropped for the load and built afterwards (sorting once beats a million
    B-tree insertions), except on SQLite those whose key follows the insert order, which only ever
    append. PostgreSQL drops the primary and unique keys too (each index insertion is also a WAL
    record), and the foreign keys from and to the loaded tables: checking a key is a trigger call
    per row (4.5M at 1M cases), adding the constraint back is one join. All are recreated from
    the models, under the same names.
    """
    from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint
    from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

    from complaint_tui.store.models import Base

    sqlite = ctx.db.is_sqlite
    tables = [Base.metadata.tables[t] for t in BULK_TABLES]
    if sqlite:  # the primary keys are the tables themselves; foreign keys are off for the load
        indexes = [i for t in tables for i in t.indexes if i.name not in APPEND_ONLY_INDEXES]
        keys, fkeys = [], []
    else:
        indexes = [i for t in tables for i in t.indexes]
        keys = [
            c
            for t in tables
            for c in t.constraints
            if isinstance(c, PrimaryKeyConstraint | UniqueConstraint)
        ]
        fkeys = [
            fk
            for t in Base.metadata.sorted_tables
            for fk in t.foreign_key_constraints
            if t.name in BULK_TABLES or fk.referred_table.name in BULK_TABLES
        ]
    ctx.db.engine.dispose()  # one fresh connection, whose load-only settings are thrown away after
    try:
        with ctx.db.engine.connect() as conn:
            if sqlite:
                # A demo load into an empty database needs no crash safety: skip the WAL's double
                # write (the in-memory rollback journal still lets a failed load roll back; new
                # pages are not journaled) and sort in memory. Set before the transaction:
                # SQLite ignores journal_mode inside one.
                cur = conn.connection.driver_connection.cursor()
                for pragma in (
                    "cache_size=-262144",  # 256 MiB, for this load's connection only
                    "journal_mode=MEMORY",
                    "synchronous=OFF",
                    "threads=4",
                    "temp_store=MEMORY",
                    "foreign_keys=OFF",  # the rows reference only what was just inserted
                ):
                    cur.execute(f"PRAGMA {pragma}")
            with conn.begin():  # BEGIN IMMEDIATE on SQLite
                _refuse_cases(conn.execute(select(func.count()).select_from(Case)).scalar())
                agent_ids, agents, policy_id, reviewers = _demo_people(conn, now)
                phases.start("prototypes")
                protos, customers = _prototypes(
                    ctx, count, seed, now, agent_ids, agents, policy_id, reviewers
                )
                year = ctx.calendar.local(now).year
                phases.start("load")
                if not sqlite:
                    # Memory for the customer hash join and for the index sorts, for this
                    # transaction only; the server's settings are left alone.
                    for setting in (
                        "work_mem = '64MB'",
                        "maintenance_work_mem = '512MB'",
                        "synchronous_commit = off",
                    ):
                        conn.exec_driver_sql(f"SET LOCAL {setting}")
                drop_search_index(conn)
                if not sqlite:
                    # A bulk load by the owner: no per-row triggers (a history row per case, an
                    # actor check per event, the copy of the case's confidentiality on each row:
                    # made in one UPDATE after the load), like the keys below; back on before
                    # commit.
                    for table in BULK_TABLES:
                        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                    access.case_data_load_begins(conn, BULK_TABLES)
                for fk in fkeys:
                    conn.execute(DropConstraint(fk))
                for idx in indexes:
                    conn.execute(DropIndex(idx))
                for key in keys:
                    conn.execute(DropConstraint(key))
                raw = conn.connection.driver_connection.cursor()  # COPY; SQL with % in it
                _stage(raw, sqlite, protos, customers)
                clones = _Clones(sqlite, count, len(protos), len(customers), year)
                _clone(raw, clones, protos)
                phases.start("indexes")
                for key in keys:
                    conn.execute(AddConstraint(key))
                for idx in indexes:
                    conn.execute(CreateIndex(idx))
                for fk in fkeys:
                    conn.execute(AddConstraint(fk))
                phases.start("search index")
                if sqlite:
                    _build_fts5(conn, raw, clones)
                else:  # the vectors came with the rows; now the GIN index over them
                    create_search_index(conn)
                    access.case_data_load_ends(conn, BULK_TABLES)
                    for table in BULK_TABLES:
                        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                for table in STAGING_TABLES:
                    raw.execute(f"DROP TABLE {table}")
                raw.close()
                conn.execute(delete(RefCounter).where(RefCounter.year == year))
                conn.execute(insert(RefCounter).values(year=year, last=count))
                if not sqlite:  # the next ids after the loaded ones (not undone by a rollback)
                    for table in SEQUENCED_TABLES:
                        conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"COALESCE((SELECT max(id) FROM {table}), 1))"
                        )
            if sqlite:
                for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
                    cur.execute(f"PRAGMA {pragma}")
                cur.close()
    finally:
        ctx.db.engine.dispose()
    return len(agents)


def _build_fts5(conn, cur, clones: _Clones) -> None:
    """Fill SQLite's FTS5 search table in one go, from the staged documents (see _Clones):
    without automatic merging during the insert and one full merge at the end (a quarter
    faster, and a single segment to search), then the default merge settings back for the cases
    the app adds one by one."""
    create_search_index(conn)
    config = f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rank) VALUES (:k, :v)"
    for key, value in (("automerge", 0), ("crisismerge", 1000)):
        conn.execute(text(config), {"k": key, "v": value})
    cur.execute(
        f"{clones.numbers}INSERT INTO {SEARCH_TABLE} (rowid, body) "
        f"SELECT {clones.case_id}, {clones.document} "
        f"{clones.source} demo_proto_cases x {clones.customer_join} {clones.within}"
    )
    conn.execute(text(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('optimize')"))
    for key, value in FTS5_MERGE_DEFAULTS:
        conn.execute(text(config), {"k": key, "v": value})


FTS5_MERGE_DEFAULTS = (("automerge", 4), ("crisismerge", 16))  # SQLite's documented defaults


def _stage(cur, sqlite: bool, protos, customers) -> None:
    """Temporary tables with the prototypes (pid 0..P-1), their services and events, and the
    customer pool. Each event carries ``eoff``, its position among all prototype events in
    (pid, seq) order, so a clone's event ids follow from arithmetic instead of a sort.
    Prototypes and customers carry their search documents (``doc``; see _Clones)."""
    subject, description = PROTO_CASE_COLS.index("subject"), PROTO_CASE_COLS.index("description")
    case_rows = [
        (pid, *row, case_document(subject=row[subject], description=row[description]))
        for pid, (row, *_) in enumerate(protos)
    ]
    service_rows = [
        (pid, svc, pos, row[PROTO_RECEIVED])
        for pid, (row, svcs, *_) in enumerate(protos)
        for svc, pos in svcs
    ]
    event_rows = []
    for pid, (_, _, evs, *_) in enumerate(protos):
        for ev in evs:
            event_rows.append((pid, len(event_rows)) + ev)
    # Like the events, each escalation and decision carries its offset among all prototypes'
    # (a decision also its escalation's), from which the clones' ids follow.
    escalation_rows, decision_rows = [], []
    for pid, (*_, escs, decs) in enumerate(protos):
        first = len(escalation_rows)
        for esc in escs:
            escalation_rows.append((pid, len(escalation_rows)) + esc)
        for index, *decision in decs:
            decision_rows.append((pid, len(decision_rows), first + index, *decision))
    customer_rows = [(k, name, case_document(customer=name)) for k, name in enumerate(customers)]
    ts = "TEXT" if sqlite else "TIMESTAMPTZ"
    if sqlite:
        cur.execute(
            f"CREATE TEMP TABLE demo_proto_cases (pid INTEGER PRIMARY KEY, {', '.join(PROTO_CASE_COLS)}, doc)"
        )
    else:  # column types matter on PostgreSQL: copy them from the real table
        cur.execute(
            "CREATE TEMP TABLE demo_proto_cases AS SELECT 0 AS pid, "
            f"{', '.join(PROTO_CASE_COLS)}, ''::text AS doc FROM cases WITH NO DATA"
        )
    cur.execute(
        "CREATE TEMP TABLE demo_proto_services (pid INTEGER, service TEXT, position SMALLINT, "
        f"received_at {ts})"
    )
    cur.execute(
        f"CREATE TEMP TABLE demo_proto_events (pid INTEGER, eoff INTEGER, kind TEXT, actor TEXT, at {ts}, "
        "text TEXT, customer_visible BOOLEAN)"
    )
    cur.execute("CREATE TEMP TABLE demo_customers (k INTEGER PRIMARY KEY, name TEXT, doc TEXT)")
    cur.execute(
        "CREATE TEMP TABLE demo_proto_escalations (pid INTEGER, xoff INTEGER, level SMALLINT, "
        f"request TEXT, requested_by TEXT, requested_at {ts}, due_at {ts})"
    )
    cur.execute(
        "CREATE TEMP TABLE demo_proto_decisions (pid INTEGER, doff INTEGER, xoff INTEGER, "
        "level SMALLINT, outcome TEXT, explanation TEXT, note TEXT, decided_by TEXT, "
        f"decided_at {ts})"
    )
    staged = (
        ("demo_proto_cases", case_rows),
        ("demo_proto_services", service_rows),
        ("demo_proto_events", event_rows),
        ("demo_customers", customer_rows),
        ("demo_proto_escalations", escalation_rows),
        ("demo_proto_decisions", decision_rows),
    )
    if sqlite:
        for table, rows in staged:
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                cur.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    else:
        for table, rows in staged:
            with cur.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        # Each prototype's vector once, not once per clone.
        cur.execute("ALTER TABLE demo_proto_cases ADD COLUMN vector tsvector")
        cur.execute(f"UPDATE demo_proto_cases SET vector = {PG_VECTOR.format('doc')}")
        cur.execute("ANALYZE " + ", ".join(STAGING_TABLES))


class _Clones:
    """The SQL shared by the statements that clone the staged prototypes.

    Case i (1..count) is a clone of prototype (i - 1) % P with customer (i * 7919) % C. The
    numbers come from cycles k = 0, 1, ... times the prototype tables (case id = k*P + pid + 1),
    so every statement is a scan of a small staged table per cycle, written in id order: no join
    with the growing ``cases`` table and no sort.

    A case's search document is the documents of its parts joined by spaces
    (store.search.case_document), so each prototype's subject and description and each customer
    is reduced once, by the program's fold, when staged; the ref's document is that of
    "C-<year>-" followed by the number, whose digits fold to themselves. PostgreSQL joins the
    vectors instead of the texts (``||`` shifts the right one's positions past the left's).
    """

    def __init__(self, sqlite: bool, count: int, n_protos: int, n_customers: int, year: int):
        self.sqlite = sqlite
        cycles = -(-count // n_protos)
        self.case_id = case_id = f"k.k * {int(n_protos)} + x.pid + 1"
        if sqlite:
            self.numbers = f"WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k < {cycles - 1}) "
            cycle = "k"
            number = f"printf('%05d', {case_id})"
        else:
            self.numbers = ""
            cycle = f"generate_series(0::bigint, {cycles - 1}) AS k(k)"
            number = f"lpad(({case_id})::text, greatest(5, length(({case_id})::text)), '0')"
        # CROSS JOIN makes SQLite keep the cycle as the outer loop (PostgreSQL plans it freely).
        self.source = f"FROM {cycle} CROSS JOIN"
        self.within = f"WHERE {case_id} <= {int(count)}"
        self.customer_join = (
            f"JOIN demo_customers cu ON cu.k = (({case_id}) * 7919) % {int(n_customers)}"
        )
        self.ref = f"'C-{int(year)}-' || {number}"
        # Letters, digits and spaces only: safe inside quotes.
        ref_document = f"'{case_document(f'C-{int(year)}-')} ' || {number}"
        if sqlite:
            self.document = f"{ref_document} || ' ' || cu.doc || ' ' || x.doc"
        else:
            self.document = PG_VECTOR.format(f"{ref_document} || ' ' || cu.doc") + " || x.vector"


def _clone(cur, clones: _Clones, protos) -> None:
    """The cases, their services and timelines (PostgreSQL: with the search vectors).

    Timeline ids are numbered like the cases (k*E + eoff + 1), which gives each case's events
    consecutive ids in (case, seq) order."""
    n_events = sum(len(evs) for _, _, evs, *_ in protos)
    n_escalations = sum(len(escs) for *_, escs, _ in protos)
    n_decisions = sum(len(decs) for *_, decs in protos)
    numbers, source, within, case_id = clones.numbers, clones.source, clones.within, clones.case_id
    x_cols = ", ".join(f"x.{col}" for col in PROTO_CASE_COLS)
    search_col, search_value = (
        ("", "") if clones.sqlite else (f", {PG_SEARCH_COLUMN}", f", {clones.document}")
    )
    cur.execute(
        f"{numbers}INSERT INTO cases ({', '.join(CASE_COLS)}{search_col}) "
        f"SELECT {case_id}, {clones.ref}, cu.name, {x_cols}{search_value} "
        f"{source} demo_proto_cases x {clones.customer_join} {within}"
    )
    cur.execute(
        f"{numbers}INSERT INTO case_services (case_id, service, position, received_at) "
        f"SELECT {case_id}, x.service, x.position, x.received_at "
        f"{source} demo_proto_services x {within}"
    )
    cur.execute(
        f"{numbers}INSERT INTO timeline_events (id, {', '.join(EVENT_COLS)}) "
        f"SELECT k.k * {int(n_events)} + x.eoff + 1, {case_id}, x.kind, x.actor, x.at, x.text, "
        f"x.customer_visible {source} demo_proto_events x {within}"
    )
    if not n_escalations:
        return
    escalation_id = f"k.k * {int(n_escalations)} + x.xoff + 1"
    cur.execute(
        f"{numbers}INSERT INTO escalations (id, case_id, {', '.join(ESCALATION_COLS)}) "
        f"SELECT {escalation_id}, {case_id}, {', '.join('x.' + c for c in ESCALATION_COLS)} "
        f"{source} demo_proto_escalations x {within}"
    )
    if not n_decisions:
        return
    cur.execute(
        f"{numbers}INSERT INTO escalation_decisions "
        f"(id, escalation_id, case_id, {', '.join(DECISION_COLS)}) "
        f"SELECT k.k * {int(n_decisions)} + x.doff + 1, {escalation_id}, {case_id}, "
        f"{', '.join('x.' + c for c in DECISION_COLS)} "
        f"{source} demo_proto_decisions x {within}"
    )


def prepare_demo_database(settings: Settings, as_name: str | None, cases: int = 2_000) -> str:
    """The URL of a seeded demo database in the user data folder, creating it on first use. It
    is the user's own: the user works in it as a supervisor (added if missing), and its first
    admin, a demo person, loads the demo data."""
    from complaint_tui.services.config import demo_database_url

    url = demo_database_url()
    ctx = AppContext.build(settings, url)
    try:
        init_database(ctx, DEMO_ADMIN)
        login = login_name(ctx, as_name)
        with ctx.db.session(write=True) as s:  # first, so the demo gives them cases too
            if s.scalar(select(Agent).where(Agent.name == login)) is None:
                s.add(
                    Agent(name=login, role=Role.SUPERVISOR.value, active=True, created_at=ctx.now())
                )
            has_cases = s.scalar(select(func.count()).select_from(Case))
        if not has_cases:
            seed_demo(ctx, actor_named(ctx, DEMO_ADMIN), cases, 7)
    finally:
        ctx.db.dispose()
    return url
