"""row-level security without a lookup per row: each row of case data carries its case's
confidentiality

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30

An agent sees a row of case data (a service line, a reported event, a timeline entry, an
attachment, an escalation, a decision) when they see its case. The policy said so literally,
``EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id)``, and PostgreSQL ran that sub-select, a
primary-key lookup plus the policy on ``cases``, once for every row it read: a queue page's
120 service lines or a case's timeline paid 0.5-1 ms per statement at 1M cases, 1.5-1.9 times the
same statement without row-level security.

An agent sees every case that is not confidential, and a confidential one held by them, so for
nearly every row the answer is known without the lookup. Each of these tables gets two copies of
its case: ``case_confidential`` (the flag) and ``case_holder`` (the assignee of a confidential
case; NULL for an ordinary one), and the agent's policy reads ``NOT case_confidential OR
case_holder = ct_me() OR ct_case_visible(case_id)`` (store/access.py). The lookup is left for
the rows of other people's confidential cases, where it still decides (a case written in this
same transaction). It moves into a function, as the caller (the policies on ``cases`` still
judge), because planning the sub-select of the policy cost each statement 0.1 ms, four times the
statement's own planning; a call costs ~15 µs, which is why the holder is copied too.

The copies are held by the database, so no client can make them lie:

- ``ct_case_data_visibility`` (BEFORE INSERT OR UPDATE, each row) sets them from the case, as
  the owner, whatever the client wrote; a row naming no existing case gets ``true`` (the lookup).
- ``ct_case_confidential_sync`` (AFTER UPDATE on ``cases`` of the flag, or of a confidential
  case's assignee) copies the change to the case's rows in the same transaction, so no reader
  ever sees the two disagree. The timeline, the escalations and their decisions are append-only:
  their statement trigger now lets an UPDATE through only when it comes from another trigger
  (pg_trigger_depth() > 1; only this sync issues one, and nobody holds the UPDATE privilege),
  and the row trigger then refuses any change but these two columns.

The flag defaults to ``true`` (the safe answer) for whoever bypasses the triggers: the demo's
bulk load, which disables them, marks the rows itself (services/demo.py). The existing rows are
filled here: ``false`` by the column's default (no rewrite of the tables), then ``true`` and the
holder for the rows of confidential cases.

Nothing changes on SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The tables whose agent policy is "visible with the case" (store/access.py _case_data_policies).
CASE_DATA_TABLES = (
    "case_services",
    "reported_events",
    "timeline_events",
    "attachments",
    "escalations",
    "escalation_decisions",
)
APPEND_ONLY_CASE_DATA = ("timeline_events", "escalations", "escalation_decisions")

# @schema@ is replaced by the quoted name of the schema, as in 0005.
FUNCTIONS = r"""
-- Whether the calling login sees the case: the policies on cases decide (not SECURITY DEFINER).
-- A function rather than the sub-select it holds, so that PostgreSQL plans the sub-select only
-- when a row of a confidential case asks, not for every statement on these tables (0.1 ms of
-- planning each, more than the statement's own run).
CREATE FUNCTION @schema@.ct_case_visible(case_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM cases c WHERE c.id = ct_case_visible.case_id);
END $$;

-- As the owner: the case may be one the writing login cannot see (a recusal's own transaction).
CREATE FUNCTION @schema@.ct_case_data_visibility() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    secret boolean;
    holder integer;
BEGIN
    IF TG_OP = 'UPDATE' AND TG_NARGS > 0
       AND (to_jsonb(NEW) - 'case_confidential' - 'case_holder')
           IS DISTINCT FROM (to_jsonb(OLD) - 'case_confidential' - 'case_holder') THEN
        RAISE EXCEPTION '% is append-only: UPDATE is refused for every role', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT c.confidential, c.assignee_id INTO secret, holder FROM cases c WHERE c.id = NEW.case_id;
    NEW.case_confidential := coalesce(secret, true);
    NEW.case_holder := CASE WHEN secret THEN holder END;
    RETURN NEW;
END $$;

CREATE FUNCTION @schema@.ct_case_confidential_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    holder integer := CASE WHEN NEW.confidential THEN NEW.assignee_id END;
BEGIN
    UPDATE case_services SET case_confidential = NEW.confidential, case_holder = holder
     WHERE case_id = NEW.id;
    UPDATE reported_events SET case_confidential = NEW.confidential, case_holder = holder
     WHERE case_id = NEW.id;
    UPDATE timeline_events SET case_confidential = NEW.confidential, case_holder = holder
     WHERE case_id = NEW.id;
    UPDATE attachments SET case_confidential = NEW.confidential, case_holder = holder
     WHERE case_id = NEW.id;
    UPDATE escalations SET case_confidential = NEW.confidential, case_holder = holder
     WHERE case_id = NEW.id;
    UPDATE escalation_decisions SET case_confidential = NEW.confidential, case_holder = holder
     WHERE case_id = NEW.id;
    RETURN NULL;
END $$;

-- As in 0005, and: with an argument, an UPDATE issued by a trigger (the confidentiality sync)
-- passes, for the table's row trigger to judge column by column.
CREATE OR REPLACE FUNCTION @schema@.ct_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_NARGS > 0 AND pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % is refused for every role', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""
FUNCTION_SIGNATURES = (
    "ct_case_visible(bigint)",
    "ct_case_data_visibility()",
    "ct_case_confidential_sync()",
)

APPEND_ONLY_0005 = r"""
CREATE OR REPLACE FUNCTION @schema@.ct_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is refused for every role', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def _append_only_trigger(run, table: str, arg: str) -> None:
    run(f"DROP TRIGGER ct_append_only ON {table}")
    run(
        f"CREATE TRIGGER ct_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION ct_append_only({arg})"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    cursor = bind.connection.driver_connection.cursor()
    run = cursor.execute
    for table in CASE_DATA_TABLES:
        # Existing rows read the default without a rewrite; the few of confidential cases are
        # marked next, with the append-only trigger off for this transaction's UPDATE only.
        run(f"ALTER TABLE {table} ADD COLUMN case_confidential boolean NOT NULL DEFAULT false")
        run(f"ALTER TABLE {table} ADD COLUMN case_holder integer")
        if table in APPEND_ONLY_CASE_DATA:
            run(f"ALTER TABLE {table} DISABLE TRIGGER ct_append_only")
        run(
            f"UPDATE {table} t SET case_confidential = true, case_holder = c.assignee_id "
            "FROM cases c WHERE c.id = t.case_id AND c.confidential"
        )
        if table in APPEND_ONLY_CASE_DATA:
            run(f"ALTER TABLE {table} ENABLE TRIGGER ct_append_only")
        run(f"ALTER TABLE {table} ALTER COLUMN case_confidential SET DEFAULT true")
    run(FUNCTIONS.replace("@schema@", schema))
    for signature in FUNCTION_SIGNATURES:
        run(f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM PUBLIC")
    for table in CASE_DATA_TABLES:
        arg = "'append-only'" if table in APPEND_ONLY_CASE_DATA else ""
        run(
            f"CREATE TRIGGER ct_case_data_visibility BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION ct_case_data_visibility({arg})"
        )
    for table in APPEND_ONLY_CASE_DATA:
        _append_only_trigger(run, table, "'sync'")
    run(
        "CREATE TRIGGER ct_case_confidential_sync AFTER UPDATE OF confidential, assignee_id "
        "ON cases FOR EACH ROW WHEN (OLD.confidential IS DISTINCT FROM NEW.confidential OR "
        "(NEW.confidential AND OLD.assignee_id IS DISTINCT FROM NEW.assignee_id)) "
        "EXECUTE FUNCTION ct_case_confidential_sync()"
    )
    cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    cursor = bind.connection.driver_connection.cursor()
    run = cursor.execute
    # The policies that read the column go with it: until `init` of the older program puts its
    # own back, agents see none of these rows (row-level security with no policy shows nothing).
    rows = bind.execute(
        sa.text(
            "SELECT quote_ident(policyname), quote_ident(tablename) FROM pg_policies "
            "WHERE schemaname = current_schema() AND qual LIKE '%case_confidential%'"
        )
    ).all()
    for name, table in rows:
        run(f"DROP POLICY {name} ON {table}")
    run("DROP TRIGGER IF EXISTS ct_case_confidential_sync ON cases")
    for table in APPEND_ONLY_CASE_DATA:
        _append_only_trigger(run, table, "")
    for table in CASE_DATA_TABLES:
        run(f"DROP TRIGGER IF EXISTS ct_case_data_visibility ON {table}")
        run(f"ALTER TABLE {table} DROP COLUMN case_confidential")
        run(f"ALTER TABLE {table} DROP COLUMN case_holder")
    run(APPEND_ONLY_0005.replace("@schema@", schema))
    for signature in FUNCTION_SIGNATURES:
        run(f"DROP FUNCTION IF EXISTS {signature}")
    cursor.close()
