"""The command line (SPEC §4). Exit 0 success, 1 refused (one line on stderr), 2 usage error."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from click.core import ParameterSource
from sqlalchemy.exc import DBAPIError

from complaint_tui.domain.enums import (
    Channel,
    CustomerResponse,
    EscalationOutcome,
    Priority,
    Role,
    Status,
    Urgency,
)
from complaint_tui.domain.intake import IntakeDraft
from complaint_tui.domain.labels import (
    clock_label,
    event_label,
    level_label,
    outcome_label,
    priority_label,
    show_instant,
)
from complaint_tui.domain.parsing import ParseError, parse_date, parse_event, parse_instant
from complaint_tui.domain.settings import SettingsError
from complaint_tui.domain.text import one_line, strip_control, undecodable

T = TypeVar("T")


class Session:
    """Lazily built per invocation: settings, database, actor."""

    def __init__(
        self, db_url: str | None, config: Path | None, as_name: str | None, demo: bool = False
    ) -> None:
        self.db_url = db_url
        self.config = config
        self.as_name = as_name
        self.demo = demo
        self._ctx = None
        self._actor = None
        self._schema_checked = False

    @property
    def ctx(self):
        if self._ctx is None:
            from complaint_tui.services.config import load_settings, resolve_database_url
            from complaint_tui.services.context import AppContext

            settings = load_settings(self.config)
            clock = clock_from_env()
            if self.demo:  # every command, not only the TUI, works on the demo database
                from complaint_tui.services.demo import prepare_demo_database

                url = prepare_demo_database(settings, self.as_name)
            else:
                url = resolve_database_url(self.db_url, settings)
            self._ctx = AppContext.build(settings, url, clock)
        return self._ctx

    def close(self) -> None:
        """Release the database connections when the command ends (in-process runs too)."""
        if self._ctx is not None:
            self._ctx.db.dispose()

    def checked_ctx(self):
        ctx = self.ctx
        if not self._schema_checked:  # once per invocation: it costs round trips on PostgreSQL
            ctx.check_schema()
            self._schema_checked = True
        return ctx

    @property
    def actor(self):
        if self._actor is None:
            from complaint_tui.services.identity import resolve_actor

            self._actor = resolve_actor(self.checked_ctx(), self.as_name)
        return self._actor

    def desk(self):
        from complaint_tui.services.cases import CaseDesk

        return CaseDesk(self.checked_ctx(), self.actor)


def clock_from_env():
    """COMPLAINT_TUI_NOW freezes the clock (tests, training, reproducing a report)."""
    import os

    from complaint_tui.domain.clock import FixedClock, SystemClock, instant_problem
    from complaint_tui.services.errors import Refused

    raw = os.environ.get("COMPLAINT_TUI_NOW")
    if not raw:
        return SystemClock()
    try:
        instant = parse_instant(raw, None)  # no zone to read a bare time in: it must say
    except ParseError as exc:
        raise Refused(f"COMPLAINT_TUI_NOW={raw!r} is not an instant; {exc}.") from None
    problem = instant_problem(instant)
    if problem is not None:
        raise Refused(f"COMPLAINT_TUI_NOW: {problem}.")
    return FixedClock(instant)


def fail(message: str) -> NoReturn:
    # Undecodable bytes echoed back (a path, a value) are shown escaped, never re-raised.
    line = one_line(message).encode("utf-8", "backslashreplace").decode("utf-8")
    click.echo(f"complaint-tui: {line}", err=True)
    sys.exit(1)


def run_refusable(fn: Callable[[], Any]) -> Any:
    from complaint_tui.services.errors import Refused

    try:
        return fn()
    except Refused as exc:
        fail(str(exc))
    except SettingsError as exc:
        fail(str(exc))
    except DBAPIError as exc:  # a database failure outside a use case's own handling
        orig = getattr(exc, "orig", None) or exc
        fail(
            f"The database failed: {str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__}"
        )


def typed(parse: Callable[[str, Any], T], value: str, what: str, tz) -> T:
    """The domain's parse of a typed value; a value that is not one is a usage error."""
    try:
        return parse(value, tz)
    except ParseError as exc:
        raise click.BadParameter(f"{value!r}: {exc}.", param_hint=what) from None


def read_text_arg(value: str, max_chars: int | None = None) -> str:
    """The value itself, or with "-" standard input, which must be UTF-8 text of at most
    ``max_chars`` characters (read no further: it may be /dev/zero)."""
    if value != "-":
        return value
    from complaint_tui.services.cases import MAX_NOTE_CHARS
    from complaint_tui.services.errors import Refused

    max_chars = max_chars or MAX_NOTE_CHARS
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    raw = stream.read(4 * max_chars + 1)  # a UTF-8 character is at most 4 bytes
    if isinstance(raw, str):  # an already-decoded stream: its decoding decided
        return raw
    if len(raw) > 4 * max_chars:
        raise Refused(f"Standard input is over the {max_chars:,}-character limit.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("Standard input is not UTF-8 text.") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as a text-mode read would


def _refuse_undecodable(click_ctx: click.Context) -> None:
    """Arguments hold lone surrogates where the command line had bytes that were not UTF-8
    (Python decodes argv with surrogateescape); no text can be stored or looked up with them.
    Paths are exempt: a file name need not be UTF-8."""
    for param in click_ctx.command.params:
        if isinstance(param.type, click.Path):
            continue
        value = click_ctx.params.get(param.name or "")
        values = value if isinstance(value, tuple) else (value,)
        if any(isinstance(v, str) and undecodable(v) for v in values):
            what = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
            fail(f"{what} is not valid UTF-8 text.")


class PathType(click.Path):
    """click.Path, with a path holding NUL a usage error (os.stat raises ValueError on it)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail("a path cannot hold a NUL character.", param, ctx)
        return super().convert(value, param, ctx)


class _Command(click.Command):
    def invoke(self, ctx: click.Context) -> Any:
        _refuse_undecodable(ctx)
        return super().invoke(ctx)


class _Group(click.Group):
    command_class = _Command
    group_class = type  # subgroups check their arguments the same way

    def invoke(self, ctx: click.Context) -> Any:
        _refuse_undecodable(ctx)
        return super().invoke(ctx)


pass_session = click.make_pass_decorator(Session)


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db_url",
    envvar="COMPLAINT_TUI_DB",
    help="Database URL (sqlite:///PATH or postgresql+psycopg://…).",
)
@click.option(
    "--config",
    type=PathType(path_type=Path, dir_okay=False),
    envvar="COMPLAINT_TUI_CONFIG",
    help="Settings file.",
)
@click.option(
    "--as", "as_name", envvar="COMPLAINT_TUI_AGENT", help="Act as this agent (SQLite only)."
)
@click.option(
    "--demo",
    is_flag=True,
    help="Work on a seeded demo database in the user data folder (made on first use).",
)
@click.version_option(package_name="complaint-tui")
@click.pass_context
def cli(
    click_ctx: click.Context,
    db_url: str | None,
    config: Path | None,
    as_name: str | None,
    demo: bool,
) -> None:
    """Handle customer complaints under the company's complaint policy."""
    if demo and click_ctx.get_parameter_source("db_url") is ParameterSource.COMMANDLINE:
        raise click.UsageError("--demo chooses the database itself; leave out --db.")
    if as_name is not None:  # refused up front, even by commands that would not need it
        from complaint_tui.services.identity import checked_override

        as_name = run_refusable(lambda: checked_override(as_name))
    session = Session(db_url, config, as_name, demo)
    click_ctx.obj = session
    click_ctx.call_on_close(session.close)
    if click_ctx.invoked_subcommand is None:
        run_refusable(lambda: _run_tui(session))


def _run_tui(session: Session) -> None:
    from complaint_tui.tui.app import ComplaintApp

    ctx = session.checked_ctx()
    actor = session.actor
    ComplaintApp(ctx, actor, config_path=session.config).run()


# ---- init and agents -------------------------------------------------------------------------
@cli.command()
@pass_session
def init(session: Session) -> None:
    """Create or upgrade the schema; on an empty database the current login becomes admin."""
    from complaint_tui.services.admin import init_database

    result = run_refusable(lambda: init_database(session.ctx, session.as_name))
    if result.revision_before == result.revision_after:
        click.echo(f"Schema is up to date (revision {result.revision_after}).")
    else:
        click.echo(
            f"Schema upgraded from {result.revision_before or 'nothing'} to {result.revision_after}."
        )
    if result.groups:
        click.echo(
            f"Group roles {', '.join(result.groups)}: grants and row-level security applied."
        )
    if result.admin_created:
        click.echo(
            f"{result.admin_created} is the first admin. Add people with "
            "`complaint-tui agent add NAME --role agent|supervisor|manager|admin`."
        )


@cli.group()
def agent() -> None:
    """Manage agents (admins)."""


@agent.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@pass_session
def agent_add(session: Session, name: str, role: str) -> None:
    from complaint_tui.services.admin import add_agent

    view = run_refusable(lambda: add_agent(session.checked_ctx(), session.actor, name, role))
    click.echo(f"Added {view.name} as {view.role.value}.")


@agent.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_session
def agent_list(session: Session, as_json: bool) -> None:
    from complaint_tui.services.admin import list_agents

    rows = run_refusable(lambda: list_agents(session.checked_ctx(), session.actor))
    if as_json:
        click.echo(
            json.dumps(
                [{"name": a.name, "role": a.role.value, "active": a.active} for a in rows], indent=2
            )
        )
        return
    for a in rows:
        click.echo(f"{a.name:<24} {a.role.value:<11} {'active' if a.active else 'inactive'}")


@agent.command("role")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@pass_session
def agent_role(session: Session, name: str, role: str) -> None:
    """Change an agent's role (on PostgreSQL their login moves to that role's group)."""
    from complaint_tui.services.admin import set_agent_role

    view = run_refusable(lambda: set_agent_role(session.checked_ctx(), session.actor, name, role))
    click.echo(f"{view.name} is now {view.role.value}.")


@agent.command("deactivate")
@click.argument("name")
@click.option("--reassign-to", metavar="OTHER", help="Hand the agent's cases to this active agent.")
@click.option("--unassign", is_flag=True, help="Leave the agent's cases unassigned.")
@pass_session
def agent_deactivate(session: Session, name: str, reassign_to: str | None, unassign: bool) -> None:
    """Deactivate an agent. One who still holds cases (not closed) needs --reassign-to OTHER or
    --unassign; every case moved gets a timeline entry, all in one transaction."""
    from complaint_tui.services.admin import set_agent_active

    done = run_refusable(
        lambda: set_agent_active(
            session.checked_ctx(),
            session.actor,
            name,
            False,
            reassign_to=reassign_to,
            unassign=unassign,
        )
    )
    if not done.moved:
        click.echo(f"Deactivated {done.name}.")
    elif done.to is None:
        click.echo(f"Deactivated {done.name}; {done.moved:,} case(s) unassigned.")
    else:
        click.echo(f"Deactivated {done.name}; {done.moved:,} case(s) reassigned to {done.to}.")


# ---- cases -----------------------------------------------------------------------------------
@cli.group()
def case() -> None:
    """Create, read and work cases."""


@case.command("new")
@click.option("--customer", required=True, help="Account username or customer ID.")
@click.option(
    "--service",
    "services",
    multiple=True,
    required=True,
    help="A service the complaint is about (repeat).",
)
@click.option("--channel", type=click.Choice([c.value for c in Channel]), required=True)
@click.option("--subject", required=True)
@click.option("--description", required=True, help="Text, or - to read standard input.")
@click.option("--desired-outcome", default="")
@click.option(
    "--priority", type=click.Choice([p.value for p in Priority]), default=Priority.NORMAL.value
)
@click.option("--category")
@click.option(
    "--received-at",
    help="YYYY-MM-DD HH:MM or ISO 8601; defaults to now. Without an offset: the calendar's zone.",
)
@click.option(
    "--event",
    "events",
    multiple=True,
    help='"YYYY-MM-DD HH:MM what happened", or ISO 8601 then the note (repeat).',
)
@click.option(
    "--attach",
    "attachments",
    multiple=True,
    type=PathType(path_type=Path),
    help="File to attach (repeat).",
)
@click.option("--confidential", is_flag=True)
@pass_session
def case_new(session: Session, **kw: Any) -> None:
    """Record a new complaint; prints its ref alone on stdout."""

    from complaint_tui.services.files import read_attachment

    def go():
        ctx = session.checked_ctx()
        tz = ctx.calendar.tz
        events = [typed(parse_event, raw, "--event", tz) for raw in kw["events"]]
        limit = ctx.settings.intake.max_attachment_bytes
        atts = [read_attachment(p, limit) for p in kw["attachments"]]
        draft = IntakeDraft(
            customer=kw["customer"],
            services=list(kw["services"]),
            channel=kw["channel"],
            subject=kw["subject"],
            description=read_text_arg(kw["description"], ctx.settings.intake.max_text_chars),
            desired_outcome=kw["desired_outcome"],
            priority=kw["priority"],
            category=kw["category"],
            confidential=kw["confidential"],
            received_at=typed(parse_instant, kw["received_at"], "--received-at", tz)
            if kw["received_at"] is not None
            else None,
            events=events,
            attachments=atts,
        )
        return session.desk().create(draft)

    detail = run_refusable(go)
    click.echo(detail.ref)


@case.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True)
@pass_session
def case_show(session: Session, ref: str, as_json: bool) -> None:
    """Show one case with its clocks and timeline."""
    detail = run_refusable(lambda: session.desk().get(ref))
    if as_json:
        click.echo(
            json.dumps(detail.to_json(session.ctx.calendar.tz), indent=2, ensure_ascii=False)
        )
        return
    ctx = session.ctx
    s = detail.summary

    def local(v):
        return show_instant(v, ctx.calendar.tz)

    out = [
        f"{s.ref}  {s.status.value}  {s.priority}  {'CONFIDENTIAL  ' if s.confidential else ''}{detail.urgency.value}",
        f"Customer:   {one_line(s.customer)}",
        f"Services:   {one_line(', '.join(s.services))}",
        f"Channel:    {s.channel}    Category: {s.category or '—'}    Assignee: {s.assignee or '—'}",
        f"Subject:    {one_line(s.subject)}",
        f"Received:   {local(s.received_at)}   Policy version: {detail.policy_version or '—'}",
    ]
    if detail.source_ref:
        out.append(f"Imported from: {one_line(detail.source_ref)}")
    if s.escalation_level:
        out.append(
            f"Escalation: level {s.escalation_level}{' (awaiting decision)' if s.escalation_pending else ''}"
        )
    for e in detail.escalations:
        out.append(
            f"  {level_label(e.level)} requested {local(e.requested_at)} by {one_line(e.requested_by)}: "
            f"{one_line(e.request, 200)}"
        )
        for d in e.decisions:
            out.append(
                f"    {outcome_label(d.outcome)} {local(d.decided_at)} by {one_line(d.decided_by)}: "
                f"{one_line(d.explanation, 200)}"
            )
            if d.note:
                out.append(f"      internal note: {one_line(d.note, 200)}")
    out.append("Clocks:")
    for c in detail.clocks:
        out.append(f"  {clock_label(c.name):<18} due {local(c.due_at):<20}  {c.text}")
    out += ["Description:", strip_control(detail.description)]
    if detail.desired_outcome:
        out += ["Desired outcome:", strip_control(detail.desired_outcome)]
    if detail.reported_events:
        out.append("Reported events:")
        out += [f"  {local(e.at)}  {one_line(e.note)}" for e in detail.reported_events]
    if detail.attachments:
        out.append("Attachments:")
        out += [
            f"  #{a.id} {a.name} ({a.size:,} bytes, {a.content_type})" for a in detail.attachments
        ]
    out.append("Timeline:")
    for t in detail.timeline:
        vis = "customer" if t.customer_visible else "internal"
        out.append(
            f"  {local(t.at)}  {event_label(t.kind):<20} {vis:<8} {t.actor}: {one_line(t.text, 300)}"
        )
    click.echo("\n".join(out))


@case.command("list")
@click.option("--status", type=click.Choice([s.value for s in Status]))
@click.option("--urgency", type=click.Choice([u.value for u in Urgency]))
@click.option(
    "--search",
    metavar="TEXT",
    default="",
    help="Only cases whose ref, customer, subject or description has a word beginning with "
    "each word of TEXT, accents and case ignored (the queue's search).",
)
@click.option(
    "--assignee",
    metavar="NAME|none",
    help="Only the cases assigned to this agent; none: the unassigned ones.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_session
def case_list(
    session: Session,
    status: str | None,
    urgency: str | None,
    search: str,
    assignee: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Cases you may see, most urgent first."""

    def go():
        desk = session.desk()
        rows = desk.list(
            status=Status(status) if status else None,
            urgency=Urgency(urgency) if urgency else None,
            search=search,
            assignee=assignee,
            limit=limit,
        )
        return desk, rows

    desk, rows = run_refusable(go)
    now = desk.now
    sla = desk.ctx.sla
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "ref": r.ref,
                        "status": r.status.value,
                        "customer": r.customer,
                        "services": list(r.services),
                        "subject": r.subject,
                        "priority": r.priority,
                        "assignee": r.assignee,
                        "urgency": r.badge(sla, now).band.value,
                        "due_at": r.active_due_at.astimezone(desk.ctx.calendar.tz).isoformat()
                        if r.active_due_at
                        else None,
                    }
                    for r in rows
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for r in rows:
        badge = r.badge(sla, now)
        click.echo(
            f"{badge.text:<14} {r.ref:<13} {priority_label(r.priority):<10} {r.status.value:<20} "
            f"{one_line(r.customer, 16):<16} "
            f"{one_line(r.subject, 40):<40} {r.assignee or '—'}"
        )


def _verb(name: str, help_text: str, *params: Callable, done: str) -> Callable:
    """Register a workflow verb: REF, its options, and --expect-version for stale-save checks."""

    def decorate(action: Callable[..., Any]) -> Callable:
        def command(session: Session, ref: str, expect_version: int | None, **kw: Any) -> None:
            detail = run_refusable(
                lambda: action(session.desk(), ref, expected_version=expect_version, **kw)
            )
            click.echo(f"{detail.ref} {done.format(d=detail)}")

        command.__name__ = f"case_{name.replace('-', '_')}"
        command.__doc__ = help_text
        f: Callable = pass_session(command)
        for p in reversed(params):
            f = p(f)
        f = click.option(
            "--expect-version", type=int, help="Refuse if the case changed since this version."
        )(f)
        f = click.argument("ref")(f)
        case.command(name)(f)
        return action

    return decorate


@_verb(
    "ack",
    "Acknowledge receipt (new → acknowledged).",
    click.option("--message", default=""),
    done="acknowledged.",
)
def _ack(desk, ref, message, expected_version):
    return desk.acknowledge(ref, message, expected_version=expected_version)


@_verb(
    "start",
    "Start investigating (also acknowledges a new case).",
    click.option("--note", default=""),
    done="is under investigation.",
)
def _start(desk, ref, note, expected_version):
    return desk.start(ref, note, expected_version=expected_version)


@_verb(
    "wait",
    "Wait on the customer: pauses the resolution clock; the request is sent to them.",
    click.option(
        "--request", required=True, help="What the customer is asked for (customer-visible)."
    ),
    done="is waiting on the customer; the resolution clock is paused.",
)
def _wait(desk, ref, request, expected_version):
    return desk.wait(ref, read_text_arg(request), expected_version=expected_version)


@_verb(
    "resume",
    "Resume investigating after the customer answered.",
    click.option("--note", default=""),
    done="is under investigation again.",
)
def _resume(desk, ref, note, expected_version):
    return desk.resume(ref, note, expected_version=expected_version)


@_verb(
    "note",
    "Add an internal note (never shown to the customer).",
    click.argument("text"),
    done="note added.",
)
def _note(desk, ref, text, expected_version):
    return desk.note(ref, read_text_arg(text), expected_version=expected_version)


@_verb(
    "update",
    "Send the customer a progress update.",
    click.argument("text"),
    done="customer update recorded.",
)
def _update(desk, ref, text, expected_version):
    return desk.update(ref, read_text_arg(text), expected_version=expected_version)


@_verb(
    "resolve",
    "Resolve with the outcome told to the customer and the root cause.",
    click.option("--outcome", required=True),
    click.option(
        "--root-cause",
        required=True,
        help='One of the configured root causes ([intake] root_causes), or "Other: what it was".',
    ),
    done="resolved.",
)
def _resolve(desk, ref, outcome, root_cause, expected_version):
    return desk.resolve(ref, read_text_arg(outcome), root_cause, expected_version=expected_version)


@_verb(
    "close",
    "Close a resolved case with the customer's response.",
    click.option(
        "--response", type=click.Choice([r.value for r in CustomerResponse]), required=True
    ),
    done="closed.",
)
def _close(desk, ref, response, expected_version):
    return desk.close(ref, response, expected_version=expected_version)


@_verb(
    "reopen",
    "Reopen a resolved or closed case; the resolution clock restarts.",
    click.option("--reason", required=True),
    done="reopened.",
)
def _reopen(desk, ref, reason, expected_version):
    return desk.reopen(ref, reason, expected_version=expected_version)


@_verb(
    "assign",
    "Assign to AGENT (or --unassign).",
    click.argument("agent_name", required=False),
    click.option("--unassign", is_flag=True),
    done="assignee: {d.summary.assignee}.",
)
def _assign(desk, ref, agent_name, unassign, expected_version):
    if not agent_name and not unassign:
        raise click.UsageError("name an agent or pass --unassign")
    return desk.assign(ref, None if unassign else agent_name, expected_version=expected_version)


@_verb(
    "priority",
    "Change the priority.",
    click.argument("priority", type=click.Choice([p.value for p in Priority])),
    done="priority: {d.summary.priority}.",
)
def _priority(desk, ref, priority, expected_version):
    return desk.set_priority(ref, priority, expected_version=expected_version)


@_verb(
    "escalate",
    "Record the customer's request to escalate (level 1 supervisor, then level 2 manager).",
    click.option("--request", required=True, help="The customer's words asking for escalation."),
    done="escalated to level {d.summary.escalation_level}.",
)
def _escalate(desk, ref, request, expected_version):
    return desk.escalate(ref, request, expected_version=expected_version)


@_verb(
    "decide",
    "Decide the escalation (supervisor for level 1, manager for level 2): confirm the "
    "resolution, reopen the case for investigation, or refer a level-1 review up to a manager.",
    click.option(
        "--outcome",
        type=click.Choice([o.value for o in EscalationOutcome]),
        required=True,
        help="confirm: the resolution stands; reopen: investigate again; refer-up: level 2.",
    ),
    click.option("--explanation", required=True, help="Sent to the customer."),
    click.option("--note", default="", help="Internal note (never shown to the customer)."),
    done="escalation decided.",
)
def _decide(desk, ref, outcome, explanation, note, expected_version):
    return desk.decide(
        ref, outcome, read_text_arg(explanation), note, expected_version=expected_version
    )


@_verb(
    "extend",
    "Extend the resolution deadline with an explanation the customer sees.",
    click.option("--days", type=int, required=True, help="Business days to add."),
    click.option("--explanation", required=True),
    done="resolution deadline extended.",
)
def _extend(desk, ref, days, explanation, expected_version):
    return desk.extend(ref, days, explanation, expected_version=expected_version)


@_verb(
    "refer",
    "Record a referral to the external dispute resolution body.",
    click.option("--note", default=""),
    done="referral recorded.",
)
def _refer(desk, ref, note, expected_version):
    return desk.refer(ref, note, expected_version=expected_version)


@_verb(
    "recuse",
    "Step away from a case for a conflict of interest.",
    click.option("--reason", required=True),
    done="you are recused.",
)
def _recuse(desk, ref, reason, expected_version):
    return desk.recuse(ref, reason, expected_version=expected_version)


@_verb(
    "attach",
    "Attach a file.",
    click.argument("path", type=PathType(path_type=Path)),
    done="attachment added.",
)
def _attach(desk, ref, path, expected_version):
    from complaint_tui.services.files import read_attachment

    return desk.attach(
        ref,
        read_attachment(path, desk.ctx.settings.intake.max_attachment_bytes),
        expected_version=expected_version,
    )


@case.command("attachment")
@click.argument("ref")
@click.argument("attachment_id", type=int)
@click.option(
    "--save-to", type=PathType(file_okay=False), required=True, help="Folder to save into."
)
@pass_session
def case_attachment(session: Session, ref: str, attachment_id: int, save_to: str) -> None:
    """Save an attachment into a folder (never outside it)."""
    from complaint_tui.services.files import save_attachment

    if not save_to.strip():  # not the current folder: Path("") would quietly mean "."
        raise click.BadParameter("name a folder.", param_hint="--save-to")
    folder = Path(save_to)
    path = run_refusable(lambda: save_attachment(session.desk(), ref, attachment_id, folder))
    click.echo(str(path))


@case.command("take-next")
@pass_session
def case_take_next(session: Session) -> None:
    """Take the most urgent unassigned case; prints its ref."""
    detail = run_refusable(lambda: session.desk().take_next())
    if detail is None:
        fail("No unassigned open case is waiting for you.")
    click.echo(detail.ref)


# ---- the policy and its reviews (policy §6 and §8) ---------------------------------------------
@cli.group()
def policy() -> None:
    """The complaint policy's versions (admins publish) and the procedure reviews."""


def _date_arg(value: str, what: str):
    """A typed date (YYYY-MM-DD); a value that is not one is a usage error."""
    return typed(lambda text, _tz: parse_date(text), value, what, None)


@policy.command("publish")
@click.argument("file", type=PathType(path_type=Path))
@click.option(
    "--version", "label", required=True, help="The new version's label, e.g. 2 or 2027-01."
)
@click.option(
    "--last-updated",
    metavar="DATE",
    help="The policy's Last Updated date, YYYY-MM-DD; defaults to today.",
)
@pass_session
def policy_publish(session: Session, file: Path, label: str, last_updated: str | None) -> None:
    """Publish FILE (UTF-8 text) as the version in force (admins): cases recorded from now on
    are stamped with it; cases recorded before keep their version."""
    from complaint_tui.services.policy import publish_policy_file

    day = _date_arg(last_updated, "--last-updated") if last_updated is not None else None
    view = run_refusable(
        lambda: publish_policy_file(session.checked_ctx(), session.actor, file, label, day)
    )
    click.echo(
        f"Published policy version {view.label} (Last Updated {view.last_updated.isoformat()}); "
        "it is in force for new cases."
    )


@policy.command("show")
@click.option("--version", "label", help="A version's label; defaults to the version in force.")
@pass_session
def policy_show(session: Session, label: str | None) -> None:
    """Print a policy version's text with its label and Last Updated date."""
    from complaint_tui.services.policy import show_policy

    shown = run_refusable(lambda: show_policy(session.checked_ctx(), session.actor, label))
    state = "in force" if shown.in_force else "no longer in force"
    published = show_instant(shown.published_at, session.ctx.calendar.tz)
    click.echo(
        f"Policy version {one_line(shown.label)} · Last Updated "
        f"{shown.last_updated.isoformat()} · {state}\n"
        f"Published {published} by {one_line(shown.published_by)}\n"
    )
    click.echo(strip_control(shown.text).rstrip("\n"))


@policy.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_session
def policy_list(session: Session, as_json: bool) -> None:
    """Every policy version, newest first: the one in force is marked; CASES is how many cases
    were stamped with it."""
    from complaint_tui.services.policy import list_policies

    rows = run_refusable(lambda: list_policies(session.checked_ctx(), session.actor))
    tz = session.ctx.calendar.tz
    if as_json:
        out = [
            {
                "label": v.label,
                "last_updated": v.last_updated.isoformat(),
                "published_at": v.published_at.astimezone(tz).isoformat(),
                "published_by": v.published_by,
                "in_force": v.in_force,
                "cases": v.cases,
            }
            for v in rows
        ]
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    click.echo(f"{'VERSION':<12} {'LAST UPDATED':<12}  {'PUBLISHED':<20}  {'BY':<16} {'CASES':>7}")
    for v in rows:
        click.echo(
            f"{one_line(v.label, 12):<12} {v.last_updated.isoformat():<12}  "
            f"{show_instant(v.published_at, tz):<20}  {one_line(v.published_by, 16):<16} "
            f"{v.cases:>7,}{'  in force' if v.in_force else ''}"
        )


@policy.group("review")
def policy_review() -> None:
    """Reviews of the complaint handling procedure (policy §6; managers record them)."""


@policy_review.command("add")
@click.option("--date", "day", metavar="DATE", help="When the review took place; default today.")
@click.option("--findings", required=True, help="What the review found (or - for stdin).")
@click.option("--actions", required=True, help="What will be done about it.")
@pass_session
def policy_review_add(session: Session, day: str | None, findings: str, actions: str) -> None:
    """Record a review of the procedure (managers); reviews are never changed afterwards."""
    from complaint_tui.domain.policy import MAX_REVIEW_CHARS
    from complaint_tui.services.policy import add_review

    reviewed_on = _date_arg(day, "--date") if day is not None else None

    def go():
        text = read_text_arg(findings, MAX_REVIEW_CHARS)
        return add_review(session.checked_ctx(), session.actor, text, actions, reviewed_on)

    review = run_refusable(go)
    click.echo(f"Recorded the procedure review of {review.reviewed_on.isoformat()}.")


@policy_review.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_session
def policy_review_list(session: Session, as_json: bool) -> None:
    """Every procedure review, the latest first."""
    from complaint_tui.services.policy import list_reviews

    rows = run_refusable(lambda: list_reviews(session.checked_ctx(), session.actor))
    tz = session.ctx.calendar.tz
    if as_json:
        out = [
            {
                "date": r.reviewed_on.isoformat(),
                "findings": r.findings,
                "actions": r.actions,
                "policy_version": r.policy_version,
                "recorded_at": r.recorded_at.astimezone(tz).isoformat(),
                "recorded_by": r.recorded_by,
            }
            for r in rows
        ]
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    for r in rows:
        version = f", policy v{one_line(r.policy_version)}" if r.policy_version else ""
        indent = "\n" + " " * 12
        click.echo(
            f"{r.reviewed_on.isoformat()}  recorded by {one_line(r.recorded_by)} on "
            f"{show_instant(r.recorded_at, tz)}{version}\n"
            f"  Findings: {strip_control(r.findings).replace(chr(10), indent)}\n"
            f"  Actions:  {strip_control(r.actions).replace(chr(10), indent)}"
        )


# ---- demo ------------------------------------------------------------------------------------
@cli.command()
@click.option(
    "--cases", "count", type=click.IntRange(1, 5_000_000), default=2_000, show_default=True
)
@click.option("--seed", type=int, default=7, show_default=True)
@pass_session
def demo(session: Session, count: int, seed: int) -> None:
    """Seed realistic, deterministic demo cases into an empty database (admins; on PostgreSQL
    the schema owner)."""
    from complaint_tui.services.demo import seed_demo

    result = run_refusable(lambda: seed_demo(session.checked_ctx(), session.actor, count, seed))
    click.echo(
        f"Seeded {result.cases:,} cases and {result.agents} agents in {result.seconds:.1f} s."
    )


# ---- history import --------------------------------------------------------------------------
@cli.command("import")
@click.argument("file", metavar="FILE.jsonl")
@pass_session
def import_cmd(session: Session, file: str) -> None:
    """Import case histories, one JSON object per line (supervisors and managers).

    The whole file is checked first: any bad line imports nothing, and every bad line is named
    on stderr. Prints each new ref and the source_ref it came from, tab-separated."""
    from complaint_tui.services.history_import import ImportRefused, import_history

    def go():
        try:
            return import_history(session.checked_ctx(), session.actor, Path(file))
        except ImportRefused as exc:
            for problem in exc.problems:
                click.echo(f"complaint-tui: {one_line(problem, 400)}", err=True)
            raise

    result = run_refusable(go)
    click.echo("\n".join(f"{ref}\t{source or ''}" for ref, source in result.refs))


# ---- reports ---------------------------------------------------------------------------------
@cli.command()
@click.option("--from", "first", metavar="DATE", help="First local date received (YYYY-MM-DD).")
@click.option(
    "--to", "last", metavar="DATE", help="Last local date received, included; default today."
)
@click.option("--service", help="Only cases for this service.")
@click.option("--channel", help="Only cases received by this channel.")
@click.option("--category", help="Only cases of this category.")
@click.option("--priority", help="Only cases of this priority.")
@click.option("--assignee", metavar="NAME", help="Only cases assigned to this agent.")
@click.option("--policy-version", metavar="LABEL", help="Only cases under this policy version.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "md"]),
    default="table",
    show_default=True,
)
@click.option("--output", type=PathType(path_type=Path), help="Write to this file, not stdout.")
@pass_session
def report(
    session: Session,
    first: str | None,
    last: str | None,
    service: str | None,
    channel: str | None,
    category: str | None,
    priority: str | None,
    assignee: str | None,
    policy_version: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Figures for continuous improvement over the cases received from --from to --to
    (inclusive local dates; by default the 30 days ending --to), computed in the database.

    Agents, supervisors and managers (an agent's report counts the cases they may see, without
    the per-agent table). README "Reports" defines every figure and the CSV columns."""
    from complaint_tui.services.report_format import render_report, write_report
    from complaint_tui.services.reports import DEFAULT_DAYS, ReportQuery, build_report

    def days():
        out = []
        for value, name in ((first, "--from"), (last, "--to")):
            try:
                out.append(parse_date(value) if value is not None else None)
            except ParseError as exc:
                fail(f"{name}: {value!r} is not a date; {exc}.")
        return out

    def run() -> None:
        day_from, day_to = days()
        ctx = session.checked_ctx()
        if day_to is None:
            day_to = ctx.calendar.local(ctx.now()).date()
        filters = dict(
            service=service,
            channel=channel,
            category=category,
            priority=priority,
            assignee=assignee,
            policy_version=policy_version,
        )
        if day_from is None:
            query = ReportQuery.ending(day_to, DEFAULT_DAYS, **filters)
        else:
            query = ReportQuery(day_from, day_to, **filters)
        text = render_report(build_report(ctx, session.actor, query), fmt, filters=query.filters())
        if output is None:
            click.echo(text, nl=False)
            return
        write_report(output, text)
        click.echo(f"Wrote the report to {output}.")

    run_refusable(run)


# ---- team ------------------------------------------------------------------------------------
@cli.command()
@click.option("--json", "as_json", is_flag=True)
@pass_session
def team(session: Session, as_json: bool) -> None:
    """Each active agent's open cases: breached, urgent, waiting on the customer, escalations
    pending and the oldest open case (supervisors and managers; the team screen, key 4)."""
    from complaint_tui.services.team import TeamService

    rows = run_refusable(lambda: TeamService(session.desk()).rows())
    tz = session.ctx.calendar.tz
    if as_json:
        click.echo(json.dumps([r.to_json(tz) for r in rows], indent=2, ensure_ascii=False))
        return
    click.echo(
        f"{'Agent':<24} {'Role':<11} {'Open':>6} {'Breached':>8} {'Urgent':>6} "
        f"{'Waiting':>7} {'Escal.':>6}  Oldest open"
    )
    for r in rows:
        oldest = show_instant(r.oldest_open, tz) if r.oldest_open else "—"
        click.echo(
            f"{r.name:<24} {r.role.value:<11} {r.open:>6,} {r.breached:>8,} {r.urgent:>6,} "
            f"{r.waiting:>7,} {r.escalations:>6,}  {oldest}"
        )


# ---- audit -----------------------------------------------------------------------------------
@cli.command()
@click.argument("ref", required=False)
@click.option("--actor", "actor_name", metavar="NAME", help="One person's trail instead.")
@click.option("--from", "first", metavar="DATE", help="With --actor: from this local date.")
@click.option("--to", "last", metavar="DATE", help="With --actor: up to this local date, included.")
@click.option("--json", "as_json", is_flag=True)
@pass_session
def audit(
    session: Session,
    ref: str | None,
    actor_name: str | None,
    first: str | None,
    last: str | None,
    as_json: bool,
) -> None:
    """Who saw and who changed case REF, or what one person did (--actor), oldest first.

    Supervisors and managers only; the read is itself logged. Dates are YYYY-MM-DD in the
    calendar's time zone."""
    from complaint_tui.services.audit_trail import AuditTrail

    if (ref is None) == (actor_name is None):
        raise click.UsageError("give either a case REF or --actor NAME.")
    if ref is not None and (first or last):
        raise click.UsageError("--from and --to go with --actor.")
    days = [
        _date_arg(value, name) if value is not None else None
        for value, name in ((first, "--from"), (last, "--to"))
    ]

    def show() -> None:
        trail = AuditTrail(session.checked_ctx(), session.actor)
        if ref is not None:
            scope = trail.open_case(ref)
        else:
            scope = trail.open_actor(actor_name or "", *days)
        tz = session.ctx.calendar.tz
        if as_json:  # written as it is read: a trail can be long
            opened = False
            for entry in trail.entries(scope):
                block = json.dumps(entry.to_json(tz), indent=2, ensure_ascii=False)
                click.echo(
                    ("," if opened else "[") + "\n  " + block.replace("\n", "\n  "), nl=False
                )
                opened = True
            click.echo("\n]" if opened else "[]")
            return
        for entry in trail.entries(scope):
            where = "" if ref is not None else f"{entry.ref or '—':<13} "
            click.echo(
                f"{show_instant(entry.at, tz)}  {entry.actor:<16} {entry.action:<16} "
                f"{entry.mark:<15} {where}{entry.detail}".rstrip()
            )

    run_refusable(show)


def main() -> None:
    try:
        cli.main(prog_name="complaint-tui", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.exit(130)
