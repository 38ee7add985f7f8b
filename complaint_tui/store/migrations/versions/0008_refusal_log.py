"""every refusal logged: a refused login writes its refusal; a hidden case is known to exist

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

PostgreSQL only (SQLite has no privileges to work around):

- ``ct_log_refusal`` writes one refused attempt to ``access_log`` for whoever was refused, even a
  login in none of the desk's groups (never added, or deactivated, on a server where it may still
  connect), who holds no privilege on the log. The row is always a refusal (``allowed`` false)
  and in the caller's own login name, as the actor trigger demands of a direct insert; only the
  schema owner and superusers (who may write in other names anyway) name someone else. Executable
  by PUBLIC: granting it needs no role name, so this step does it.
- ``ct_case_exists`` tells a person whether a case they cannot see exists, so the program refuses
  a confidential case with the same sentence (and the same access-log row) as on SQLite instead
  of "no case": refs are consecutive numbers, so their existence is no secret; the case's contents
  stay out of sight. ``complaint-tui init`` grants it to the handlers' groups.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FUNCTIONS = r"""
CREATE FUNCTION @schema@.ct_log_refusal(
    log_actor text, log_at timestamptz, log_action text, log_ref text, log_detail text
) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    IF log_actor IS DISTINCT FROM session_user AND NOT ct_is_trusted(session_user) THEN
        RAISE EXCEPTION 'refusals are logged in your own name: % is not %',
            quote_literal(log_actor), quote_literal(session_user)
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO access_log (at, actor, action, case_ref, allowed, detail)
    VALUES (coalesce(log_at, now()), left(log_actor, 64), left(coalesce(log_action, ''), 32),
            left(log_ref, 20), false, left(coalesce(log_detail, ''), 500));
END $$;

CREATE FUNCTION @schema@.ct_case_exists(case_ref text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM cases WHERE ref = case_ref)
$$;
"""

FUNCTION_SIGNATURES = (
    "ct_log_refusal(text, timestamp with time zone, text, text, text)",
    "ct_case_exists(text)",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    cursor = bind.connection.driver_connection.cursor()  # the PL/pgSQL exactly as written
    cursor.execute(FUNCTIONS.replace("@schema@", schema))
    for signature in FUNCTION_SIGNATURES:
        cursor.execute(f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM PUBLIC")
    cursor.execute(f"GRANT EXECUTE ON FUNCTION {schema}.{FUNCTION_SIGNATURES[0]} TO PUBLIC")
    cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for signature in reversed(FUNCTION_SIGNATURES):
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature}")
