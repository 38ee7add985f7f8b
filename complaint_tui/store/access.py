"""Who may touch what on PostgreSQL: group roles, grants and row-level security, in one map.

Each desk (database) has four NOLOGIN group roles, one per application role, named by the
database function ``ct_group_role`` (``<database>_agent`` …). A person logs in as their own
role, a member of exactly one group (``agent add`` and the agents table keep that in sync).
``apply_access`` is run by ``complaint-tui init`` as the schema owner: it revokes every privilege
on the desk's tables, sequences and functions that this map does not grant, grants what it does
and re-creates the row-level security policies, in one transaction. A table added by a later
migration is therefore closed until it is in the map (a test holds every model table to that).

The migration that switched row-level security on (versions/*_access_control.py) holds what
needs no role name: the append-only and actor triggers, the case history, the guard on case
updates and the helper functions the policies call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, text

from complaint_tui.store.search import PG_SEARCH_COLUMN

AGENT, SUPERVISOR, MANAGER, ADMIN = "agent", "supervisor", "manager", "admin"
GROUPS = (AGENT, SUPERVISOR, MANAGER, ADMIN)
HANDLERS = (AGENT, SUPERVISOR, MANAGER)  # the roles that work cases
SEE_ALL = (SUPERVISOR, MANAGER)

# The columns a case's workflow changes after intake. What the customer said (customer,
# subject, description, dates …), the ref and the confidential flag are never rewritten.
CASE_WORKFLOW_COLUMNS = (
    "status",
    "priority",
    "assignee_id",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "resolve_due_at",
    "paused_at",
    "paused_remaining_s",
    "ack_business_s",
    "resolve_business_s",
    "paused_business_s",
    "next_update_due_at",
    "last_customer_update_at",
    "escalation_level",
    "escalation_pending",
    "escalation_requested_at",
    "escalation_due_at",
    "outcome",
    "root_cause",
    "customer_response",
    "reopen_count",
    "extension_count",
    "referred_to",
    "queue_bucket",
    "queue_at",
    "version",
    "updated_at",
)
# What a handler may update: the workflow columns, and the search vector, which is written right
# after the INSERT by the program's fold (store/search.py index_case); the case guard lets only
# the creating transaction write it.
CASE_UPDATABLE_COLUMNS = (*CASE_WORKFLOW_COLUMNS, PG_SEARCH_COLUMN)


@dataclass(frozen=True)
class Grant:
    privileges: tuple[str, ...]
    columns: tuple[str, ...] = ()  # empty: the whole table


def _g(*privileges: str, columns: Iterable[str] = ()) -> Grant:
    return Grant(tuple(privileges), tuple(columns))


def _each(roles: Iterable[str], grant: Grant) -> dict[str, list[Grant]]:
    return {role: [grant] for role in roles}


def _merge(*parts: Mapping[str, list[Grant]]) -> dict[str, tuple[Grant, ...]]:
    out: dict[str, list[Grant]] = {}
    for part in parts:
        for role, grants in part.items():
            out.setdefault(role, []).extend(grants)
    return {role: tuple(grants) for role, grants in out.items()}


# table -> group -> grants. Every table of the schema has an entry, even if nobody is granted
# anything; alembic_version too.
TABLE_GRANTS: dict[str, dict[str, tuple[Grant, ...]]] = {
    "alembic_version": _merge(_each(GROUPS, _g("SELECT"))),
    "agents": _merge(_each(GROUPS, _g("SELECT")), {ADMIN: [_g("INSERT", "UPDATE")]}),
    "policy_versions": _merge(_each(GROUPS, _g("SELECT")), {ADMIN: [_g("INSERT")]}),
    # Procedure reviews (policy §6): everyone of the desk reads them, managers record them.
    "policy_reviews": _merge(_each(GROUPS, _g("SELECT")), {MANAGER: [_g("INSERT")]}),
    # Handlers take numbers through ct_next_ref(), never by writing the counter.
    "ref_counters": _merge({ADMIN: [_g("SELECT", "INSERT", "UPDATE")]}),
    "cases": _merge(
        _each(HANDLERS, _g("SELECT", "INSERT")),
        _each(HANDLERS, _g("UPDATE", columns=CASE_UPDATABLE_COLUMNS)),
    ),
    "case_services": _merge(_each(HANDLERS, _g("SELECT", "INSERT"))),
    "reported_events": _merge(_each(HANDLERS, _g("SELECT", "INSERT"))),
    "timeline_events": _merge(_each(HANDLERS, _g("SELECT", "INSERT"))),
    "attachments": _merge(_each(HANDLERS, _g("SELECT", "INSERT"))),
    "recusals": _merge(_each(HANDLERS, _g("SELECT", "INSERT"))),
    # Anyone handling the case records the customer's request; only the reviewers decide.
    "escalations": _merge(_each(HANDLERS, _g("SELECT", "INSERT"))),
    "escalation_decisions": _merge(_each(HANDLERS, _g("SELECT")), _each(SEE_ALL, _g("INSERT"))),
    "access_log": _merge(_each(GROUPS, _g("INSERT")), _each(SEE_ALL, _g("SELECT"))),
    # Written only by the SECURITY DEFINER trigger on cases.
    "case_history": _merge(_each(SEE_ALL, _g("SELECT"))),
}

# function signature -> groups allowed to execute it. The helpers are called by policies and
# triggers running as the connected role; the entry points are SECURITY DEFINER.
FUNCTION_GRANTS: dict[str, tuple[str, ...]] = {
    "ct_group_role_for(text, text)": GROUPS,
    "ct_group_role(text)": GROUPS,
    "ct_is_trusted(name)": GROUPS,
    "ct_in_group(text)": GROUPS,
    "ct_me()": GROUPS,
    "ct_written_here(bigint)": GROUPS,
    "ct_xact_wrote()": GROUPS,
    "ct_inserted_here(bigint)": HANDLERS,
    "ct_next_ref(integer)": HANDLERS,
    "ct_next_refs(integer, integer)": SEE_ALL,  # a history import's refs, in one step
    "ct_policy_case_counts()": GROUPS,
    "ct_case_exists(text)": HANDLERS,
    "ct_search_ids(text, integer)": HANDLERS,
    "ct_create_login(text)": (ADMIN,),
    # agent deactivate: an admin counts and hands over a departing agent's cases (0010).
    "ct_cases_in_hand(text, text)": (ADMIN,),
    "ct_hand_over(text, text, timestamp with time zone)": (ADMIN,),
    "ct_require_admin_caller()": (),
    "ct_sync_login(text)": (),
    "ct_append_only()": (),
    "ct_forged_actor()": (),
    "ct_case_guard()": (),
    "ct_case_history()": (),
    "ct_assignee_active()": (),  # a case's assignee is an active agent (0016)
    "ct_open_assignee_active()": (),  # a case made open again keeps only an active one (0019)
    "ct_recusal_releases()": (),
    "ct_agents_sync()": (),
    "ct_case_visible(bigint)": (AGENT,),  # the agents' policies on case data (0017)
    "ct_case_data_visibility()": (),
    "ct_service_received()": (),  # a service row's receipt instant is its case's (0020)
    "ct_case_confidential_sync()": (),
}

# Executable by every login that may connect: whoever is refused writes that refusal to the
# access log through it, even a login in none of the groups (never added, or deactivated). It
# writes only refusals, only in the caller's own name (the refusal_log migration).
PUBLIC_FUNCTIONS: tuple[str, ...] = (
    "ct_log_refusal(text, timestamp with time zone, text, text, text)",
)

ME = "(SELECT ct_me())"  # a sub-select: evaluated once per query, not once per row
# A case this very transaction wrote (its case_history rows carry the 64-bit transaction id):
# an agent creating a confidential case, or recusing from one, reads it back until commit,
# though it is not theirs to see afterwards. Not the row's xmin: that is 32 bits and repeats
# after wraparound (a frozen row keeps it). A transaction that has written nothing has no id, so
# reads skip the function call altogether (the sub-select is evaluated once per query). Every
# function here is PARALLEL SAFE (migration 0013), so an agent's large counts keep their
# parallel workers.
WRITTEN_HERE = "((SELECT ct_xact_wrote()) AND ct_written_here({case}))"
NOT_RECUSED = (
    "NOT EXISTS (SELECT 1 FROM recusals r WHERE r.case_id = {case} AND r.agent_id = " + ME + ")"
)


# The tables whose rows carry their case's confidentiality (migration 0017), for the policies
# above to read without looking the case up.
CASE_DATA_TABLES = (
    "case_services",
    "reported_events",
    "timeline_events",
    "attachments",
    "escalations",
    "escalation_decisions",
)


@dataclass(frozen=True)
class Policy:
    table: str
    command: str  # SELECT | INSERT | UPDATE
    roles: tuple[str, ...]
    using: str | None = None
    check: str | None = None

    @property
    def name(self) -> str:
        who = "all" if self.roles == SEE_ALL else "_".join(self.roles)
        return f"ct_{self.table}_{self.command.lower()}_{who}"


def _case_data_policies(table: str) -> list[Policy]:
    """Rows hanging off a case: visible with the case; an agent adds them to their own case (not
    recused from it), or to a case this same transaction created or changed (which the policies
    and the guard on cases allowed).

    Every agent sees a case that is not confidential, and a confidential one they hold, so a row
    whose copies of its case's flag and holder say so is visible without looking the case up; the
    lookup (ct_case_visible: the case under its own policies), once per row read, is left for the
    rows of other people's confidential cases. The copies are the database's, and the lookup a
    function so that it is planned only when called (migration 0017)."""
    visible_case = (
        f"NOT {table}.case_confidential OR {table}.case_holder = {ME} "
        f"OR ct_case_visible({table}.case_id)"
    )
    writable_case = (
        f"EXISTS (SELECT 1 FROM cases c WHERE c.id = {table}.case_id AND "
        f"({WRITTEN_HERE.format(case='c.id')} "
        f"OR (c.assignee_id = {ME} AND {NOT_RECUSED.format(case='c.id')})))"
    )
    return [
        Policy(table, "SELECT", SEE_ALL, using="true"),
        Policy(table, "SELECT", (AGENT,), using=visible_case),
        Policy(table, "INSERT", SEE_ALL, check="true"),
        Policy(table, "INSERT", (AGENT,), check=writable_case),
    ]


# Supervisors and managers: every case. Agents: non-confidential cases and confidential ones
# assigned to them; they change their own cases and take unassigned ones, never one they recused
# from. Admins: no policy, so no rows (they hold no privilege on these tables either).
POLICIES: tuple[Policy, ...] = (
    Policy("cases", "SELECT", SEE_ALL, using="true"),
    Policy(
        "cases",
        "SELECT",
        (AGENT,),
        using=f"NOT confidential OR assignee_id = {ME} OR {WRITTEN_HERE.format(case='id')}",
    ),
    Policy("cases", "INSERT", SEE_ALL, check="true"),
    Policy("cases", "INSERT", (AGENT,), check=f"assignee_id IS NULL OR assignee_id = {ME}"),
    Policy("cases", "UPDATE", SEE_ALL, using="true", check="true"),
    Policy(
        "cases",
        "UPDATE",
        (AGENT,),
        using=f"(assignee_id = {ME} OR assignee_id IS NULL) AND "
        + NOT_RECUSED.format(case="cases.id"),
        check=f"assignee_id = {ME} OR assignee_id IS NULL",
    ),
    *_case_data_policies("case_services"),
    *_case_data_policies("reported_events"),
    *_case_data_policies("timeline_events"),
    *_case_data_policies("attachments"),
    *_case_data_policies("escalations"),
    # Agents read the decisions on the cases they see and write none (nor have the grant).
    *(p for p in _case_data_policies("escalation_decisions") if p.command == "SELECT"),
    Policy("escalation_decisions", "INSERT", SEE_ALL, check="true"),
    Policy("recusals", "SELECT", SEE_ALL, using="true"),
    Policy("recusals", "SELECT", (AGENT,), using=f"agent_id = {ME}"),
    Policy("recusals", "INSERT", SEE_ALL, check="true"),
    Policy(
        "recusals",
        "INSERT",
        (AGENT,),
        check=f"agent_id = {ME} AND EXISTS (SELECT 1 FROM cases c WHERE c.id = recusals.case_id)",
    ),
)
RLS_TABLES = tuple(dict.fromkeys(p.table for p in POLICIES))


class AccessError(RuntimeError):
    """The access model cannot be applied (not the owner, no CREATEROLE, a name taken)."""


class NotTheOwner(AccessError):
    """Someone other than the schema owner tried to apply the access model."""


def group_comment(database: str) -> str:
    """The description every group role carries: it tells this desk's groups from other roles."""
    return f"complaint-tui group role of database {database}"


def groups_of_database(conn: Connection, database: str) -> list[str]:
    """The group roles `init` made for ``database``, found by their description from any database
    of the server (role names outlive a dropped database: whoever drops one drops these too)."""
    return list(
        conn.execute(
            text("SELECT rolname FROM pg_roles WHERE shobj_description(oid, 'pg_authid') = :c"),
            {"c": group_comment(database)},
        ).scalars()
    )


def group_roles(conn: Connection) -> dict[str, str]:
    """Application role -> the name of its group role in this database."""
    return {
        role: conn.execute(text("SELECT ct_group_role(:r)"), {"r": role}).scalar_one()
        for role in GROUPS
    }


def _q(conn: Connection, name: str) -> str:
    return conn.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one()


def is_trusted(conn: Connection) -> bool:
    """Whether the connected role is the schema owner (or a superuser)."""
    return bool(conn.execute(text("SELECT ct_is_trusted(current_user)")).scalar_one())


def schema_owner(conn: Connection) -> str:
    return conn.execute(
        text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'cases'::regclass")
    ).scalar_one()


def apply_access(conn: Connection) -> dict[str, str]:
    """Create the groups, re-apply every grant and policy, and match memberships to the agents
    table. Runs in the caller's transaction; returns the group names."""
    if not is_trusted(conn):
        raise NotTheOwner(
            f"Only the schema owner ({schema_owner(conn)}) can apply the desk's roles and grants; "
            "run init as that role."
        )
    groups = _ensure_groups(conn)
    q = {role: _q(conn, name) for role, name in groups.items()}
    schema = conn.execute(text("SELECT quote_ident(current_schema())")).scalar_one()
    run = conn.exec_driver_sql
    _database_and_schema(conn, q, schema)
    tables = set(
        conn.execute(
            text(
                "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
                "AND c.relkind IN ('r', 'p')"
            )
        ).scalars()
    )
    for table in sorted(tables):
        _revoke_everything(conn, table)
        for role, grants in TABLE_GRANTS.get(table, {}).items():
            for grant in grants:
                cols = f" ({', '.join(grant.columns)})" if grant.columns else ""
                run(f"GRANT {', '.join(grant.privileges)}{cols} ON {table} TO {q[role]}")
    _sequences(conn, q)
    for signature, roles in FUNCTION_GRANTS.items():
        run(f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM PUBLIC")
        for name in groups.values():
            run(f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM {_q(conn, name)}")
        if roles:
            grantees = ", ".join(q[r] for r in roles)
            run(f"GRANT EXECUTE ON FUNCTION {schema}.{signature} TO {grantees}")
    for signature in PUBLIC_FUNCTIONS:
        for name in groups.values():
            run(f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM {_q(conn, name)}")
        run(f"GRANT EXECUTE ON FUNCTION {schema}.{signature} TO PUBLIC")
    _policies(conn, q)
    _memberships(conn, groups)
    return groups


def _ensure_groups(conn: Connection) -> dict[str, str]:
    groups = group_roles(conn)
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    comment = group_comment(database)
    for name in groups.values():
        row = conn.execute(
            text(
                "SELECT rolcanlogin, shobj_description(oid, 'pg_authid') AS note "
                "FROM pg_roles WHERE rolname = :n"
            ),
            {"n": name},
        ).one_or_none()
        if row is None:
            try:
                with conn.begin_nested():
                    conn.exec_driver_sql(f"CREATE ROLE {_q(conn, name)} NOLOGIN")
            except Exception as exc:  # noqa: BLE001 - reported as one sentence below
                user = conn.execute(text("SELECT current_user")).scalar_one()
                raise AccessError(
                    f"Cannot create the group role {name} ({_first_line(exc)}); the schema owner "
                    f"needs CREATEROLE: ALTER ROLE {_q(conn, user)} CREATEROLE."
                ) from None
            conn.execute(text(f"COMMENT ON ROLE {_q(conn, name)} IS {_literal(conn, comment)}"))
        elif row.rolcanlogin or row.note != comment:
            raise AccessError(
                f"The role {name} already exists and is not this desk's group role "
                f"({row.note or 'no description'}); drop or rename it."
            )
    return groups


def _literal(conn: Connection, value: str) -> str:
    return conn.execute(text("SELECT quote_literal(:v)"), {"v": value}).scalar_one()


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (
        str(orig).strip().splitlines()[0].rstrip(".") if str(orig).strip() else type(orig).__name__
    )


def _database_and_schema(conn: Connection, q: dict[str, str], schema: str) -> None:
    """Only the desk's groups may connect (when the owner owns the database, as the README sets
    it up), nobody may create objects in the schema, and the groups may use it."""
    run = conn.exec_driver_sql
    everyone = ", ".join(q.values())
    owns_db = conn.execute(
        text(
            "SELECT pg_has_role(current_user, datdba, 'MEMBER') FROM pg_database "
            "WHERE datname = current_database()"
        )
    ).scalar_one()
    if owns_db:
        database = _q(conn, conn.execute(text("SELECT current_database()")).scalar_one())
        run(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
        run(f"GRANT CONNECT ON DATABASE {database} TO {everyone}")
    owns_schema = conn.execute(
        text(
            "SELECT pg_has_role(current_user, nspowner, 'MEMBER') FROM pg_namespace "
            "WHERE oid = current_schema()::regnamespace"
        )
    ).scalar_one()
    if owns_schema:
        run(f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
    run(f"GRANT USAGE ON SCHEMA {schema} TO {everyone}")


def _revoke_everything(conn: Connection, table: str) -> None:
    """Every privilege anyone but the owner holds on the table or its columns (the README of
    earlier versions granted them straight to each person's login)."""
    columns = conn.execute(
        text(
            "SELECT string_agg(quote_ident(attname), ', ') FROM pg_attribute "
            "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"
        ),
        {"t": table},
    ).scalar_one()
    for who in _grantees(conn, table, with_columns=True):
        conn.exec_driver_sql(f"REVOKE ALL ON {table} FROM {who}")
        conn.exec_driver_sql(f"REVOKE ALL ({columns}) ON {table} FROM {who}")
    conn.exec_driver_sql(f"REVOKE ALL ON {table} FROM PUBLIC")


_GRANTEE = "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END"


def _grantees(conn: Connection, relation: str, *, with_columns: bool = False) -> list[str]:
    """Everyone but the owner holding a privilege on the table or sequence (or, with_columns, on
    one of its columns), as SQL names ("PUBLIC" included)."""
    sql = (
        f"SELECT {_GRANTEE} FROM pg_class c, aclexplode(c.relacl) a "
        "WHERE c.oid = CAST(:r AS regclass) AND a.grantee <> c.relowner"
    )
    if with_columns:
        sql += (
            f" UNION SELECT {_GRANTEE} FROM pg_class c JOIN pg_attribute t ON t.attrelid = c.oid, "
            "aclexplode(t.attacl) a WHERE c.oid = CAST(:r AS regclass) AND a.grantee <> c.relowner"
        )
    return sorted(set(conn.execute(text(sql), {"r": relation}).scalars()))


def _sequences(conn: Connection, q: dict[str, str]) -> None:
    """A sequence serves whoever may insert into the table owning it; nobody else."""
    rows = conn.execute(
        text(
            "SELECT s.oid::regclass::text AS seq, t.relname AS tab FROM pg_class s "
            "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
            "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace"
        )
    ).all()
    for seq, table in rows:
        for who in _grantees(conn, seq):
            conn.exec_driver_sql(f"REVOKE ALL ON SEQUENCE {seq} FROM {who}")
        writers = [
            q[role]
            for role, grants in TABLE_GRANTS.get(table, {}).items()
            if any("INSERT" in g.privileges for g in grants)
        ]
        if writers:
            conn.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {seq} TO {', '.join(writers)}")


def _policies(conn: Connection, q: dict[str, str]) -> None:
    for table in RLS_TABLES:
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        names = conn.execute(
            text(
                "SELECT policyname FROM pg_policies WHERE schemaname = current_schema() "
                "AND tablename = :t"
            ),
            {"t": table},
        ).scalars()
        for name in list(names):
            conn.exec_driver_sql(f"DROP POLICY {_q(conn, name)} ON {table}")
    for p in POLICIES:
        sql = (
            f"CREATE POLICY {p.name} ON {p.table} AS PERMISSIVE FOR {p.command} "
            f"TO {', '.join(q[r] for r in p.roles)}"
        )
        if p.using is not None:
            sql += f" USING ({p.using})"
        if p.check is not None:
            sql += f" WITH CHECK ({p.check})"
        conn.exec_driver_sql(sql)


def _memberships(conn: Connection, groups: dict[str, str]) -> None:
    """Every agent's login in the group of its role (if the login exists), and nobody else in the
    groups: a database re-created under an old name does not inherit the old desk's people."""
    members = conn.execute(
        text(
            "SELECT DISTINCT m.rolname FROM pg_auth_members a "
            "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
            "WHERE g.rolname = ANY(:groups)"
        ),
        {"groups": list(groups.values())},
    ).scalars()
    names = set(members) | set(conn.execute(text("SELECT name FROM agents")).scalars())
    for name in sorted(names):
        conn.execute(text("SELECT ct_sync_login(:n)"), {"n": name})


def create_login(conn, name: str) -> bool:
    """The login role of the active agent ``name`` (created if missing) in its group; True when
    it was created. Needs the admin group (or the owner)."""
    return bool(conn.execute(text("SELECT ct_create_login(:n)"), {"n": name}).scalar_one())


def case_data_load_begins(conn: Connection, tables: Iterable[str]) -> None:
    """Before a bulk load by the owner with the tables' triggers disabled (the demo's): the rows
    load as of a case that is not confidential, until case_data_load_ends marks the others.
    PostgreSQL only; in the caller's transaction, so a failed load leaves the defaults as they
    were."""
    for table in (t for t in tables if t in CASE_DATA_TABLES):
        conn.exec_driver_sql(
            f"ALTER TABLE {table} ALTER COLUMN case_confidential SET DEFAULT false"
        )


def case_data_load_ends(conn: Connection, tables: Iterable[str]) -> None:
    """After the load, triggers still disabled: the rows of confidential cases marked with the
    flag and the holder, as the row trigger would have marked them one at a time, and the safe
    default back."""
    for table in (t for t in tables if t in CASE_DATA_TABLES):
        conn.exec_driver_sql(
            f"UPDATE {table} t SET case_confidential = true, case_holder = c.assignee_id "
            "FROM cases c WHERE c.id = t.case_id AND c.confidential"
        )
        conn.exec_driver_sql(f"ALTER TABLE {table} ALTER COLUMN case_confidential SET DEFAULT true")
