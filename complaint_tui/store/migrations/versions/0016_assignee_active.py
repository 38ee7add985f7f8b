"""assignee active: a case is assigned to an active agent only, even against a concurrent departure

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30

``agent deactivate`` refuses, or hands over, while the agent holds open cases (0010). The
program checks that an assignee is active before it assigns, but on PostgreSQL that check and
the deactivation could pass each other: an assignment to X, or X taking a case, committed while
another transaction deactivated X counted X's cases without seeing it, and the case stayed with
an inactive agent.

``ct_assignee_active()``, a SECURITY DEFINER trigger function on ``cases`` (BEFORE INSERT, and
BEFORE UPDATE OF assignee_id, for each row, only when the new assignee is set and, on UPDATE,
changed: a status change or a bulk load without assignees calls nothing), reads the assignee's
row ``FOR SHARE`` and refuses the row unless the agent is active. ``FOR SHARE`` conflicts with
the ``FOR NO KEY UPDATE`` lock that ``UPDATE agents SET active = false`` takes (``FOR KEY
SHARE``, the foreign key's lock, does not), and the deactivation (services/admin.py) locks the
agent's row before it counts the cases in hand. So either the assignment commits first, and
the deactivation, waiting for the lock, then counts the case (refused, or handed over), or the
assignment waits for the deactivation to commit and then finds the agent inactive (READ
COMMITTED re-reads the locked row) and is refused with one sentence (check_violation, named by
the constraint ``ct_assignee_active``; services/context.py turns it into a refusal).

Nothing changes on SQLite, where a writing transaction holds the database's one write lock from
its BEGIN IMMEDIATE, so the deactivation's count and change cannot interleave with any other
write.
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# @schema@ is replaced by the quoted name of the schema, as in 0005.
FUNCTION = r"""
CREATE FUNCTION @schema@.ct_assignee_active() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    who text;
BEGIN
    PERFORM 1 FROM agents WHERE id = NEW.assignee_id AND active FOR SHARE;
    IF NOT FOUND THEN
        who := coalesce((SELECT name FROM agents WHERE id = NEW.assignee_id),
                        'agent #' || NEW.assignee_id);
        RAISE EXCEPTION '% is not an active agent; a case can only be assigned to an active agent',
            who
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ct_assignee_active';
    END IF;
    RETURN NEW;
END $$;
"""
SIGNATURE = "ct_assignee_active()"
# Named after ct_case_guard, so that guard (who may change the case) speaks first.
TRIGGERS = (
    ("ct_cases_assignee_active_ins", "INSERT", "NEW.assignee_id IS NOT NULL"),
    (
        "ct_cases_assignee_active_upd",
        "UPDATE OF assignee_id",
        "NEW.assignee_id IS NOT NULL AND NEW.assignee_id IS DISTINCT FROM OLD.assignee_id",
    ),
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    cursor = bind.connection.driver_connection.cursor()  # the PL/pgSQL exactly as written
    cursor.execute(FUNCTION.replace("@schema@", schema))
    # Executable by PUBLIC by default; a trigger function needs no grant (store/access.py).
    cursor.execute(f"REVOKE ALL ON FUNCTION {schema}.{SIGNATURE} FROM PUBLIC")
    for name, event, when in TRIGGERS:
        cursor.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON cases FOR EACH ROW "
            f"WHEN ({when}) EXECUTE FUNCTION {schema}.{SIGNATURE}"
        )
    cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name, _event, _when in TRIGGERS:
        bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON cases")
    bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
