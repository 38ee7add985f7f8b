"""service received: a service row's receipt instant is its case's, whatever a client writes

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30

Migration 0015 gave each service row its case's receipt instant (``case_services.received_at``),
so that a report counts a service's cases in a period from one index. The program copies it
when it records a case, imports a history or seeds the demo; but on PostgreSQL an agent may add
service rows to a case they hold with any client, and a wrong instant there moves the case into
another period of the service reports, which read it and not the case. ``ct_service_received``
(BEFORE INSERT OR UPDATE on ``case_services``, each row; as the owner, since the case may be one
the writing login reads only within its own transaction) sets it from the case, so the copy
cannot lie. A row naming no case keeps NULL (the foreign key refuses it anyway).

Nothing changes on SQLite (one host, advisory: whoever writes the file can change anything).
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# @schema@ is replaced by the quoted name of the schema, as in 0005.
FUNCTION = r"""
CREATE FUNCTION @schema@.ct_service_received() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
BEGIN
    NEW.received_at := (SELECT c.received_at FROM cases c WHERE c.id = NEW.case_id);
    RETURN NEW;
END $$;
"""
SIGNATURE = "ct_service_received()"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    cursor = bind.connection.driver_connection.cursor()  # the PL/pgSQL exactly as written
    cursor.execute(FUNCTION.replace("@schema@", schema))
    cursor.execute(f"REVOKE ALL ON FUNCTION {schema}.{SIGNATURE} FROM PUBLIC")
    cursor.execute(
        "CREATE TRIGGER ct_service_received BEFORE INSERT OR UPDATE ON case_services "
        f"FOR EACH ROW EXECUTE FUNCTION {schema}.{SIGNATURE}"
    )
    cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql("DROP TRIGGER IF EXISTS ct_service_received ON case_services")
    bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
