"""reopen inactive: a case made open again is never held by an inactive agent

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30

A deactivated agent keeps their closed cases as history (0010 hands over only the others), and
0016 refuses a case whose assignee *changes* to an inactive agent. Reopening such a closed case
(a reopen, an escalation decision to reopen it) changes its status, not its assignee: the program
returns it to the unassigned queue in the same transaction (services/cases.py,
domain/lifecycle.return_departed), and this is the database's last line for everyone else (SQL
from psql, or a reopen that read the agent as active while a deactivation was committing).

``ct_open_assignee_active()``, a SECURITY DEFINER trigger function on ``cases`` (BEFORE UPDATE OF
status, queue_bucket, for each row, only when the row moves from done to open, by its status
(resolved or closed to any other) or by its queue bucket (2, done, to below 2), and keeps an
assignee: no other update, and no bulk load, calls it), reads the assignee's row ``FOR SHARE``,
as 0016 does, and refuses the row unless the agent is active, with one sentence (check_violation
named by the constraint ``ct_assignee_active``, the same rule: services/context.py turns it into
a refusal). ``FOR SHARE`` waits for a deactivation holding the agent's row, so a reopen racing
one is either counted by it (the reopen committed first) or refused (it came second).

Nothing changes on SQLite, where a writing transaction holds the database's one write lock.
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# @schema@ is replaced by the quoted name of the schema, as in 0005.
FUNCTION = r"""
CREATE FUNCTION @schema@.ct_open_assignee_active() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    who text;
BEGIN
    PERFORM 1 FROM agents WHERE id = NEW.assignee_id AND active FOR SHARE;
    IF NOT FOUND THEN
        who := coalesce((SELECT name FROM agents WHERE id = NEW.assignee_id),
                        'agent #' || NEW.assignee_id);
        RAISE EXCEPTION '% is not an active agent; % can be opened again only unassigned or with an active agent',
            who, NEW.ref
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ct_assignee_active';
    END IF;
    RETURN NEW;
END $$;
"""
SIGNATURE = "ct_open_assignee_active()"
DONE = "('resolved', 'closed')"
# Named after ct_case_guard, so that guard (who may change the case) speaks first.
TRIGGER = "ct_cases_open_assignee_active"
WHEN = (
    "NEW.assignee_id IS NOT NULL AND ("
    f"(OLD.status IN {DONE} AND NEW.status NOT IN {DONE}) "
    "OR (OLD.queue_bucket >= 2 AND NEW.queue_bucket < 2))"
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
    cursor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF status, queue_bucket ON cases FOR EACH ROW "
        f"WHEN ({WHEN}) EXECUTE FUNCTION {schema}.{SIGNATURE}"
    )
    cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TRIGGER} ON cases")
    bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
