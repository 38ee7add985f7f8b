"""need-to-know in the database: change history, append-only audit, guards, provisioning

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

Both dialects get the ``case_history`` table, and a trigger by which a recusal releases the
case (done by the database because on PostgreSQL the agent may not write the released row
themselves when it is confidential: it leaves their sight). PostgreSQL also gets the parts of
the access model that do not depend on role names, spelled out here so later program changes
cannot alter what this step did:

- triggers that make ``timeline_events``, ``access_log`` and ``case_history`` append-only for
  every role, the owner included, and refuse rows written in someone else's name;
- a trigger on ``cases`` writing ``case_history`` (SECURITY DEFINER, so no client can write
  history rows itself) and a guard for the one rule row-level security cannot express (an agent
  changes only their own case, or an unassigned one they take);
- helper functions for the row-level security policies, the reference counter and the
  provisioning of login roles;
- row-level security switched on for the tables holding case data. With no policy yet, nobody
  but the owner (and superusers) reads a row: ``complaint-tui init`` then creates the group
  roles, grants and policies from ``complaint_tui.store.access``, since role names depend on the
  database's name.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RLS_TABLES = (
    "cases",
    "case_services",
    "reported_events",
    "timeline_events",
    "attachments",
    "recusals",
)
APPEND_ONLY = ("timeline_events", "access_log", "case_history")
# (table, column naming who wrote the row)
ACTOR_COLUMNS = (
    ("timeline_events", "actor"),
    ("access_log", "actor"),
    ("attachments", "added_by"),
    ("policy_versions", "created_by"),
)

# @schema@ is replaced by the quoted name of the schema the tables live in: every function pins
# its search_path to it (pg_temp last, so a session's temporary tables cannot stand in for ours).
FUNCTIONS = r"""
CREATE FUNCTION @schema@.ct_group_role_for(db text, app_role text) RETURNS name
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF app_role NOT IN ('agent', 'supervisor', 'manager', 'admin') THEN
        RAISE EXCEPTION 'unknown application role %', app_role;
    END IF;
    -- Role names are global to the server and at most 63 bytes: <database>_<role>, or, when the
    -- longest of the four would not fit, a prefix of the name plus a hash of all of it.
    IF octet_length(db) + octet_length('_supervisor') <= 63 THEN
        RETURN (db || '_' || app_role)::name;
    END IF;
    n := length(db);
    WHILE octet_length(left(db, n)) > 43 LOOP
        n := n - 1;
    END LOOP;
    RETURN (left(db, n) || '_' || left(md5(db), 8) || '_' || app_role)::name;
END $$;

CREATE FUNCTION @schema@.ct_group_role(app_role text) RETURNS name
LANGUAGE sql STABLE SET search_path = @schema@, pg_catalog, pg_temp AS $$
    SELECT ct_group_role_for(current_database(), app_role)
$$;

-- The schema owner (and superusers, members of every role) may do what PostgreSQL lets an
-- owner do anyway: write rows in other people's names (demo, imports) and change any case.
CREATE FUNCTION @schema@.ct_is_trusted(who name) RETURNS boolean
LANGUAGE sql STABLE SET search_path = @schema@, pg_catalog, pg_temp AS $$
    SELECT pg_has_role(who, (SELECT relowner FROM pg_class WHERE oid = 'cases'::regclass), 'MEMBER')
$$;

CREATE FUNCTION @schema@.ct_in_group(app_role text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    g name := ct_group_role(app_role);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN
        RETURN false;
    END IF;
    RETURN pg_has_role(current_user, g, 'USAGE');
END $$;

-- The agent id of the connected login; NULL for anyone who is not an active agent.
CREATE FUNCTION @schema@.ct_me() RETURNS integer
LANGUAGE sql STABLE SET search_path = @schema@, pg_catalog, pg_temp AS $$
    SELECT id FROM agents WHERE name = current_user AND active
$$;

-- Whether this transaction wrote the case (see store/access.py WRITTEN_HERE). SECURITY DEFINER:
-- agents may not read case_history; the answer is about their own transaction only.
CREATE FUNCTION @schema@.ct_written_here(case_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM case_history h
         WHERE h.case_id = ct_written_here.case_id
           AND h.xact = pg_current_xact_id_if_assigned()::text::bigint
    )
$$;

-- Whether this transaction inserted the case: its creator may still complete the new row (the
-- search vector, folded by the program, is written just after the INSERT). SECURITY DEFINER for
-- the same reason as ct_written_here.
CREATE FUNCTION @schema@.ct_inserted_here(case_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM case_history h
         WHERE h.case_id = ct_inserted_here.case_id
           AND h.operation = 'insert'
           AND h.xact = pg_current_xact_id_if_assigned()::text::bigint
    )
$$;

CREATE FUNCTION @schema@.ct_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is refused for every role', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- Fired only when the row names someone else (the trigger's WHEN clause), or when the session
-- acts under SET ROLE (which would let a login write in its group's name).
CREATE FUNCTION @schema@.ct_forged_actor() RETURNS trigger
LANGUAGE plpgsql SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    IF ct_is_trusted(current_user) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% rows are written in your own name: % is not %',
        TG_TABLE_NAME, quote_literal(to_jsonb(NEW) ->> TG_ARGV[0]), quote_literal(session_user)
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- Row-level security decides which rows an agent may change; this decides the one thing a
-- policy cannot see, the row before the change: an agent's own case stays theirs or is released,
-- an unassigned case changes only by being taken.
CREATE FUNCTION @schema@.ct_case_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    me integer;
BEGIN
    IF ct_is_trusted(current_user) OR ct_in_group('supervisor') OR ct_in_group('manager') THEN
        RETURN NEW;
    END IF;
    me := ct_me();
    -- Completing a row one inserted in this transaction is the same as inserting it so, which
    -- the INSERT policy already judged; the assignee must stay as inserted.
    IF me IS NOT NULL AND NEW.assignee_id IS NOT DISTINCT FROM OLD.assignee_id
       AND ct_inserted_here(OLD.id) THEN
        RETURN NEW;
    END IF;
    -- The search vector is the program's reduction of what the customer said: written once, by
    -- the creating transaction (case_history does not record it).
    IF NEW.search_tsv IS DISTINCT FROM OLD.search_tsv THEN
        RAISE EXCEPTION '% may not rewrite the search data of %', session_user, OLD.ref
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF me IS NOT NULL AND (
        (OLD.assignee_id = me AND (NEW.assignee_id IS NULL OR NEW.assignee_id = me))
        OR (OLD.assignee_id IS NULL AND NEW.assignee_id = me)
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% may change only cases assigned to them, or take an unassigned one; % is not theirs',
        session_user, OLD.ref
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- SECURITY DEFINER: nobody but the owner may insert history rows, so the actor is session_user,
-- the login that changed the case (inside this function current_user is the owner).
CREATE FUNCTION @schema@.ct_case_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    via_app boolean := coalesce(current_setting('complaint_tui.client', true), '') = 'complaint-tui';
    changed jsonb;
    before jsonb;
    after jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO case_history (case_id, ref, at, actor, operation, changed, old_values, new_values, via_app)
        VALUES (NEW.id, NEW.ref, now(), session_user, 'insert', '[]', NULL, NULL, via_app);
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        before := to_jsonb(OLD) - 'search_tsv';
        INSERT INTO case_history (case_id, ref, at, actor, operation, changed, old_values, new_values, via_app)
        VALUES (OLD.id, OLD.ref, now(), session_user, 'delete',
                (SELECT jsonb_agg(k ORDER BY k) FROM jsonb_object_keys(before) AS k), before, NULL, via_app);
        RETURN NULL;
    END IF;
    SELECT coalesce(jsonb_agg(n.key ORDER BY n.key), '[]'),
           coalesce(jsonb_object_agg(n.key, o.value), '{}'),
           coalesce(jsonb_object_agg(n.key, n.value), '{}')
      INTO changed, before, after
      FROM jsonb_each(to_jsonb(NEW) - 'search_tsv') AS n
      JOIN jsonb_each(to_jsonb(OLD) - 'search_tsv') AS o USING (key)
     WHERE n.value IS DISTINCT FROM o.value;
    IF changed = '[]' THEN
        RETURN NULL;  -- nothing but the derived search vector, or nothing at all
    END IF;
    INSERT INTO case_history (case_id, ref, at, actor, operation, changed, old_values, new_values, via_app)
    VALUES (NEW.id, NEW.ref, now(), session_user, 'update', changed, before, after, via_app);
    RETURN NULL;
END $$;

-- The next number of a year's refs (C-YYYY-NNNNN). Agents cannot write ref_counters; a counter
-- that is behind the cases (reset, restored) continues after the highest number in use.
CREATE FUNCTION @schema@.ct_next_ref(for_year integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    prefix text := 'C-' || for_year || '-';
    n bigint;
BEGIN
    INSERT INTO ref_counters (year, last) VALUES (for_year, 0) ON CONFLICT (year) DO NOTHING;
    UPDATE ref_counters SET last = last + 1 WHERE year = for_year RETURNING last INTO n;
    IF EXISTS (SELECT 1 FROM cases WHERE ref = prefix || lpad(n::text, greatest(5, length(n::text)), '0')) THEN
        SELECT coalesce(max(substr(ref, length(prefix) + 1)::bigint), 0) + 1 INTO n
          FROM cases
         WHERE ref LIKE prefix || '%' AND substr(ref, length(prefix) + 1) ~ '^[0-9]+$';
        UPDATE ref_counters SET last = n WHERE year = for_year;
    END IF;
    RETURN n;
END $$;

-- A recusal releases the case if the recusing person holds it. As the owner: an agent may not
-- write a row they cannot see, and a confidential case they step away from is one.
CREATE FUNCTION @schema@.ct_recusal_releases() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    UPDATE cases SET assignee_id = NULL, version = version + 1
     WHERE id = NEW.case_id AND assignee_id = NEW.agent_id;
    RETURN NULL;
END $$;

-- Make a login's membership match its agents row: active → the group of its role, otherwise
-- none. Logins that do not exist yet are left alone; so are superusers and the owner, who need
-- no group.
CREATE FUNCTION @schema@.ct_sync_login(login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    r record;
    wanted text;
    app_role text;
    g name;
    member boolean;
BEGIN
    SELECT oid, rolsuper, rolcanlogin, rolbypassrls INTO r FROM pg_roles WHERE rolname = login;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF r.rolsuper OR ct_is_trusted(login::name) THEN
        RETURN;
    END IF;
    SELECT a.role INTO wanted FROM agents AS a WHERE a.name = login AND a.active;
    FOREACH app_role IN ARRAY ARRAY['agent', 'supervisor', 'manager', 'admin'] LOOP
        g := ct_group_role(app_role);
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g);
        member := EXISTS (
            SELECT 1 FROM pg_auth_members AS m JOIN pg_roles AS gr ON gr.oid = m.roleid
             WHERE gr.rolname = g AND m.member = r.oid
        );
        IF app_role = wanted THEN
            IF NOT r.rolcanlogin OR r.rolbypassrls THEN
                RAISE EXCEPTION 'role % cannot be an agent: it % row-level security',
                    quote_ident(login), CASE WHEN r.rolbypassrls THEN 'bypasses' ELSE 'is not a login, so it is not subject to' END
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NOT member THEN
                EXECUTE format('GRANT %I TO %I', g, login);
            END IF;
        ELSIF member THEN
            EXECUTE format('REVOKE %I FROM %I', g, login);
        END IF;
    END LOOP;
END $$;

-- agent add: the login role of an active agent, created if missing (no password: how people
-- authenticate stays PostgreSQL's business), and its group membership. Executable by the admin
-- group only (init grants it), so admins need no CREATEROLE of their own.
CREATE FUNCTION @schema@.ct_create_login(login text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    created boolean := false;
BEGIN
    IF login IS NULL OR login = '' OR octet_length(login) > 63 THEN
        RAISE EXCEPTION 'a PostgreSQL role name has 1 to 63 bytes' USING ERRCODE = 'invalid_name';
    END IF;
    IF login ~* '^pg_' THEN
        RAISE EXCEPTION 'role names starting with pg_ are reserved' USING ERRCODE = 'reserved_name';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM agents WHERE name = login AND active) THEN
        RAISE EXCEPTION 'no active agent %', quote_literal(login) USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', login);
        created := true;
    ELSIF EXISTS (
        SELECT 1 FROM pg_roles WHERE rolname = login AND (rolsuper OR rolbypassrls OR NOT rolcanlogin)
    ) OR ct_is_trusted(login::name) THEN
        RAISE EXCEPTION 'role % cannot be an agent: it is not a plain login (a superuser, the owner, a group or BYPASSRLS role is not held by row-level security)',
            quote_ident(login)
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM ct_sync_login(login);
    RETURN created;
END $$;

-- Memberships follow the agents table whoever changes it (the app, or an admin with psql);
-- nobody but the owner changes their own agent row (no admin makes themselves a manager).
CREATE FUNCTION @schema@.ct_agents_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    IF NOT ct_is_trusted(session_user) AND (
        (TG_OP <> 'INSERT' AND OLD.name = session_user)
        OR (TG_OP <> 'DELETE' AND NEW.name = session_user)
    ) THEN
        RAISE EXCEPTION '% cannot change their own agent record; ask another admin', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM ct_sync_login(OLD.name);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.name <> OLD.name) THEN
        PERFORM ct_sync_login(NEW.name);
    END IF;
    RETURN NULL;
END $$;
"""

FUNCTION_SIGNATURES = (
    "ct_group_role_for(text, text)",
    "ct_group_role(text)",
    "ct_is_trusted(name)",
    "ct_in_group(text)",
    "ct_me()",
    "ct_written_here(bigint)",
    "ct_inserted_here(bigint)",
    "ct_append_only()",
    "ct_forged_actor()",
    "ct_case_guard()",
    "ct_case_history()",
    "ct_next_ref(integer)",
    "ct_recusal_releases()",
    "ct_sync_login(text)",
    "ct_create_login(text)",
    "ct_agents_sync()",
)


def _case_history_table() -> None:
    op.create_table(
        "case_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=8), nullable=False),
        sa.Column("changed", _json(), nullable=False),
        sa.Column("old_values", _json(), nullable=True),
        sa.Column("new_values", _json(), nullable=True),
        sa.Column("via_app", sa.Boolean(), nullable=False),
        sa.Column("xact", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_history")),
    )
    with op.batch_alter_table("case_history", schema=None) as batch_op:
        batch_op.create_index("ix_case_history_case", ["case_id", "id"], unique=False)
        batch_op.create_index("ix_case_history_actor", ["actor", "at"], unique=False)


def _json():
    from sqlalchemy.dialects.postgresql import JSONB

    return sa.JSON().with_variant(JSONB(), "postgresql")


# SQLite (advisory, one host) gets the one rule that is about data, not about who may act.
SQLITE_RECUSAL_RELEASES = """
CREATE TRIGGER ct_recusal_releases AFTER INSERT ON recusals
BEGIN
    UPDATE cases SET assignee_id = NULL, version = version + 1
     WHERE id = NEW.case_id AND assignee_id = NEW.agent_id;
END
"""


def upgrade() -> None:
    _case_history_table()
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        bind.exec_driver_sql(SQLITE_RECUSAL_RELEASES)
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    # The driver's own cursor, without parameters: the PL/pgSQL is sent exactly as written here
    # (its % signs are RAISE and format() placeholders, not the driver's).
    cursor = bind.connection.driver_connection.cursor()
    run = cursor.execute
    # The writing transaction's 64-bit id (it never repeats, unlike a row's xmin).
    run("ALTER TABLE case_history ALTER COLUMN xact SET DEFAULT pg_current_xact_id()::text::bigint")
    run(FUNCTIONS.replace("@schema@", schema))
    for signature in FUNCTION_SIGNATURES:
        # Functions are executable by PUBLIC by default; init grants what each group needs.
        run(f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM PUBLIC")
    for table in APPEND_ONLY:
        run(
            f"CREATE TRIGGER ct_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ct_append_only()"
        )
    for table, column in ACTOR_COLUMNS:
        run(
            f"CREATE TRIGGER ct_actor_is_you BEFORE INSERT ON {table} FOR EACH ROW "
            f"WHEN (NEW.{column} IS DISTINCT FROM current_user OR current_user <> session_user) "
            f"EXECUTE FUNCTION ct_forged_actor('{column}')"
        )
    run(
        "CREATE TRIGGER ct_case_guard BEFORE UPDATE ON cases FOR EACH ROW "
        "EXECUTE FUNCTION ct_case_guard()"
    )
    run(
        "CREATE TRIGGER ct_case_history AFTER INSERT OR UPDATE OR DELETE ON cases "
        "FOR EACH ROW EXECUTE FUNCTION ct_case_history()"
    )
    run(
        "CREATE TRIGGER ct_agents_sync AFTER INSERT OR UPDATE OR DELETE ON agents "
        "FOR EACH ROW EXECUTE FUNCTION ct_agents_sync()"
    )
    run(
        "CREATE TRIGGER ct_recusal_releases AFTER INSERT ON recusals "
        "FOR EACH ROW EXECUTE FUNCTION ct_recusal_releases()"
    )
    for table in RLS_TABLES:
        run(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    bind.exec_driver_sql(
        "DROP TRIGGER IF EXISTS ct_recusal_releases"
        + (" ON recusals" if bind.dialect.name == "postgresql" else "")
    )
    if bind.dialect.name == "postgresql":
        run = bind.exec_driver_sql
        for table in RLS_TABLES:
            policies = bind.execute(
                sa.text("SELECT policyname FROM pg_policies WHERE tablename = :t"), {"t": table}
            ).scalars()
            for name in list(policies):
                run(f'DROP POLICY "{name}" ON {table}')
            run(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for table in APPEND_ONLY:
            run(f"DROP TRIGGER IF EXISTS ct_append_only ON {table}")
        for table, _ in ACTOR_COLUMNS:
            run(f"DROP TRIGGER IF EXISTS ct_actor_is_you ON {table}")
        run("DROP TRIGGER IF EXISTS ct_case_guard ON cases")
        run("DROP TRIGGER IF EXISTS ct_case_history ON cases")
        run("DROP TRIGGER IF EXISTS ct_agents_sync ON agents")
    op.drop_table("case_history")
    if bind.dialect.name == "postgresql":
        for signature in reversed(FUNCTION_SIGNATURES):
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature}")
