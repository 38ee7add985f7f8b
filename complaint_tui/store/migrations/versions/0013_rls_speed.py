"""row-level security at full speed: the search index and parallel plans for agents too

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

PostgreSQL evaluates a row-level security policy before any condition of the query that is not
LEAKPROOF, so that such a condition cannot see (and leak) rows the policy hides; an index can
then serve only leakproof conditions. The full-text match ``search_tsv @@ tsquery`` is not
leakproof (and only a superuser may declare a function so), so for an agent's login, whose
policy on ``cases`` is not ``true``, PostgreSQL gave up the GIN index and read every case: a
search nothing matches took seconds at 1M cases instead of a millisecond.

``ct_search_ids(query, cap)`` finds the matching cases through the index as the owner
(SECURITY DEFINER) and returns the ids of those the calling login may see, by the rule of the
policies on ``cases``: supervisors, managers and the owner every case, agents the
non-confidential ones and the confidential ones assigned to them, anyone else none. The caller
is ``session_user``, as in the history trigger (the actor triggers refuse writes under SET ROLE).
A case the calling transaction wrote but may no longer see (see store/access.py WRITTEN_HERE) is
left out: the function never returns more than the policy shows. The program still selects the
cases themselves under the policies (``cases.id IN (SELECT ct_search_ids(…))``, an equality the
primary key serves), so the function only chooses among rows the login reads anyway. At most
``cap`` ids (NULL: all).

An agent's policy on ``cases`` called ``pg_current_xact_id_if_assigned()`` (is this a writing
transaction? then the cases it wrote stay readable to it) and ``ct_me()``, and neither is
PARALLEL SAFE, so no query under an agent's policy could use parallel workers: a count of a view
of 600,000 cases read them with one process, at a third of the speed. ``ct_xact_wrote()`` asks
the same question and is PARALLEL SAFE (a worker runs inside the leader's transaction and knows
its id), as are now ``ct_me()`` and ``ct_written_here()``; ``complaint-tui init`` puts it in the
policies (store/access.py WRITTEN_HERE). Going down puts the builtin back into the policies
that use ``ct_xact_wrote()`` before dropping it.

Nothing changes on SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# @schema@ is replaced by the quoted name of the schema, as in 0005.
SEARCH = r"""
CREATE FUNCTION @schema@.ct_search_ids(query text, cap integer) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100
SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    who name := session_user;
    q tsquery := to_tsquery('simple'::regconfig, query);
    me integer;
BEGIN
    IF ct_is_trusted(who) OR EXISTS (
        SELECT 1 FROM pg_roles g
         WHERE g.rolname IN (ct_group_role('supervisor'), ct_group_role('manager'))
           AND pg_has_role(who, g.oid, 'USAGE')
    ) THEN
        RETURN QUERY SELECT c.id FROM cases c WHERE c.search_tsv @@ q LIMIT cap;
    ELSIF EXISTS (
        SELECT 1 FROM pg_roles g
         WHERE g.rolname = ct_group_role('agent') AND pg_has_role(who, g.oid, 'USAGE')
    ) THEN
        me := (SELECT a.id FROM agents a WHERE a.name = who AND a.active);
        RETURN QUERY SELECT c.id FROM cases c
         WHERE c.search_tsv @@ q AND (NOT c.confidential OR c.assignee_id = me)
         LIMIT cap;
    END IF;
END $$;

-- Whether this transaction has written anything (has a transaction id): the policies' cheap
-- guard before ct_written_here(), evaluated once per query.
CREATE FUNCTION @schema@.ct_xact_wrote() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_current_xact_id_if_assigned() IS NOT NULL
$$;

ALTER FUNCTION @schema@.ct_me() PARALLEL SAFE;
ALTER FUNCTION @schema@.ct_written_here(bigint) PARALLEL SAFE;
"""
# How PostgreSQL prints the guard in a policy, before and after this revision.
GUARD_NEW = "( SELECT ct_xact_wrote() AS ct_xact_wrote)"
GUARD_OLD = (
    "(( SELECT pg_current_xact_id_if_assigned() AS pg_current_xact_id_if_assigned) IS NOT NULL)"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    cursor = bind.connection.driver_connection.cursor()
    cursor.execute(SEARCH.replace("@schema@", schema))
    for signature in ("ct_search_ids(text, integer)", "ct_xact_wrote()"):
        cursor.execute(f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM PUBLIC")
    cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    run = bind.exec_driver_sql
    policies = bind.execute(
        sa.text(
            "SELECT quote_ident(policyname), quote_ident(tablename), qual, with_check "
            "FROM pg_policies WHERE schemaname = current_schema() "
            "AND (qual LIKE '%ct_xact_wrote%' OR with_check LIKE '%ct_xact_wrote%')"
        )
    ).all()
    for name, table, using, check in policies:
        parts = [f"USING ({using.replace(GUARD_NEW, GUARD_OLD)})" if using else ""]
        parts.append(f"WITH CHECK ({check.replace(GUARD_NEW, GUARD_OLD)})" if check else "")
        run(f"ALTER POLICY {name} ON {table} {' '.join(parts)}")
    run("DROP FUNCTION IF EXISTS ct_xact_wrote()")
    run("DROP FUNCTION IF EXISTS ct_search_ids(text, integer)")
    run("ALTER FUNCTION ct_me() PARALLEL UNSAFE")
    run("ALTER FUNCTION ct_written_here(bigint) PARALLEL UNSAFE")
