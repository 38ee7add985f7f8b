"""history import: the source's own reference of an imported case, and refs taken in one step

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

- ``cases.source_ref``: the reference a case had in the system it was imported from (NULL for
  cases made here); shown with the case. Indexed: an import refuses one imported before.
- PostgreSQL: ``ct_next_refs(year, n)`` takes ``n`` consecutive numbers of a year's refs at once
  and returns the first (SECURITY DEFINER, like ``ct_next_ref``: handlers never write the counter
  themselves); a counter behind the cases continues after the highest number in use.
  ``complaint-tui init`` grants it to supervisors and managers, who import.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NEXT_REFS = r"""
CREATE FUNCTION @schema@.ct_next_refs(for_year integer, how_many integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
DECLARE
    prefix text := 'C-' || for_year || '-';
    last_taken bigint;
    in_use bigint;
BEGIN
    IF how_many < 1 THEN
        RAISE EXCEPTION 'take at least one ref' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO ref_counters (year, last) VALUES (for_year, 0) ON CONFLICT (year) DO NOTHING;
    SELECT last INTO last_taken FROM ref_counters WHERE year = for_year FOR UPDATE;
    SELECT coalesce(max(substr(ref, length(prefix) + 1)::bigint), 0) INTO in_use
      FROM cases
     WHERE ref LIKE prefix || '%' AND substr(ref, length(prefix) + 1) ~ '^[0-9]+$';
    last_taken := greatest(last_taken, in_use);
    UPDATE ref_counters SET last = last_taken + how_many WHERE year = for_year;
    RETURN last_taken + 1;
END $$;
"""
SIGNATURE = "ct_next_refs(integer, integer)"


def upgrade() -> None:
    # Plain ALTER TABLE on both (SQLite 3.35+ drops a column in place): a batch copy of the
    # table would trip the triggers that name it.
    op.add_column("cases", sa.Column("source_ref", sa.String(length=100), nullable=True))
    # An import refuses a source_ref imported before; only imported cases have one.
    op.create_index("ix_cases_source_ref", "cases", ["source_ref"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    cursor = bind.connection.driver_connection.cursor()
    cursor.execute(NEXT_REFS.replace("@schema@", schema))
    cursor.execute(f"REVOKE ALL ON FUNCTION {schema}.{SIGNATURE} FROM PUBLIC")
    cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.drop_index("ix_cases_source_ref", table_name="cases")
    op.drop_column("cases", "source_ref")
