"""team handover: a departing agent's cases move with them out of the desk

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

``agent deactivate`` moves every case the agent still holds (any status but closed) to another
active agent or to nobody, each with an assignment entry in its timeline, in the transaction
that deactivates them. On PostgreSQL the admin who does it may not read cases (row-level
security shows admins none), so two SECURITY DEFINER functions do the case side, each checking
first that the caller is in the desk's admin group (or the owner):

- ``ct_cases_in_hand(from_name, to_name)``: how many cases the agent holds, and from how many of
  them ``to_name`` recused (counts only, no case contents), so the program can refuse first;
- ``ct_hand_over(from_name, to_name, at)``: the move itself (``to_name`` NULL: unassign). The
  timeline entries are written in the caller's login name (``session_user``), and the case
  history trigger records the same login as the one who changed the cases.

``complaint-tui init`` grants both to the admin group (store/access.py). SQLite runs the same
statements from the program (services/admin.py).

Both dialects get two partial indexes for the team view's grouped queries (services/team.py),
each holding only the rows it counts: ``ix_cases_open_workload``, the open cases (queue bucket
before "done") by assignee with every column the view counts, so that query reads the index
alone; and ``ix_cases_pending_review``, the cases whose escalation awaits a decision, by
assignee. At a million cases the full scans took seconds on SQLite (tens of seconds for the
reviews, which the planner read through the assignee's queue index).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FUNCTIONS = r"""
CREATE FUNCTION @schema@.ct_require_admin_caller() RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    g name := ct_group_role('admin');
BEGIN
    IF ct_is_trusted(session_user) THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN
        IF pg_has_role(session_user, g, 'USAGE') THEN
            RETURN;
        END IF;
    END IF;
    RAISE EXCEPTION 'only an admin may hand over an agent''s cases; % is not one', session_user
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION @schema@.ct_cases_in_hand(from_name text, to_name text)
RETURNS TABLE (in_hand bigint, target_recused bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    PERFORM ct_require_admin_caller();
    RETURN QUERY
    SELECT count(*)::bigint, count(r.case_id)::bigint
      FROM cases c
      JOIN agents a ON a.id = c.assignee_id
      LEFT JOIN recusals r ON r.case_id = c.id
                          AND r.agent_id = (SELECT t.id FROM agents t WHERE t.name = to_name)
     WHERE a.name = from_name AND c.status <> 'closed';
END $$;

CREATE FUNCTION @schema@.ct_hand_over(from_name text, to_name text, p_at timestamptz)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    from_id integer;
    to_id integer;
    what text;
    moved integer;
BEGIN
    PERFORM ct_require_admin_caller();
    SELECT id INTO from_id FROM agents WHERE name = from_name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no agent %', quote_literal(from_name) USING ERRCODE = 'no_data_found';
    END IF;
    IF to_name IS NULL THEN
        what := 'unassigned';
    ELSE
        SELECT id INTO to_id FROM agents WHERE name = to_name AND active AND role <> 'admin';
        IF NOT FOUND OR to_id = from_id THEN
            RAISE EXCEPTION 'no other active agent %', quote_literal(to_name)
                USING ERRCODE = 'no_data_found';
        END IF;
        IF EXISTS (SELECT 1 FROM cases c JOIN recusals r ON r.case_id = c.id AND r.agent_id = to_id
                    WHERE c.assignee_id = from_id AND c.status <> 'closed') THEN
            RAISE EXCEPTION '% recused from some of these cases', to_name
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        what := 'assigned to ' || to_name;
    END IF;
    INSERT INTO timeline_events (case_id, kind, actor, at, text, customer_visible)
    SELECT c.id, 'assignment', session_user, p_at, what || ' (' || from_name || ' deactivated)', false
      FROM cases c
     WHERE c.assignee_id = from_id AND c.status <> 'closed'
     ORDER BY c.id;
    UPDATE cases SET assignee_id = to_id, version = version + 1, updated_at = p_at
     WHERE assignee_id = from_id AND status <> 'closed';
    GET DIAGNOSTICS moved = ROW_COUNT;
    IF moved > 0 THEN
        PERFORM pg_notify('complaint_tui_cases', from_name);
    END IF;
    RETURN moved;
END $$;
"""

FUNCTION_SIGNATURES = (
    "ct_require_admin_caller()",
    "ct_cases_in_hand(text, text)",
    "ct_hand_over(text, text, timestamp with time zone)",
)


OPEN_WORKLOAD_COLUMNS = [
    "assignee_id",
    "queue_bucket",
    "queue_at",
    "received_at",
    "escalation_pending",
]
OPEN_CASES = "queue_bucket < 2"
PENDING_REVIEW = "escalation_pending = true"


def upgrade() -> None:
    op.create_index(
        "ix_cases_open_workload",
        "cases",
        OPEN_WORKLOAD_COLUMNS,
        sqlite_where=sa.text(OPEN_CASES),
        postgresql_where=sa.text(OPEN_CASES),
    )
    op.create_index(
        "ix_cases_pending_review",
        "cases",
        ["assignee_id"],
        sqlite_where=sa.text(PENDING_REVIEW),
        postgresql_where=sa.text(PENDING_REVIEW),
    )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    cursor = bind.connection.driver_connection.cursor()  # the PL/pgSQL exactly as written
    cursor.execute(FUNCTIONS.replace("@schema@", schema))
    for signature in FUNCTION_SIGNATURES:
        # Executable by PUBLIC by default; init grants them to the admin group.
        cursor.execute(f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM PUBLIC")
    cursor.close()


def downgrade() -> None:
    op.drop_index("ix_cases_pending_review", table_name="cases")
    op.drop_index("ix_cases_open_workload", table_name="cases")
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for signature in reversed(FUNCTION_SIGNATURES):
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature}")
