"""policy versions and procedure reviews (policy §6 and §8)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

- ``policy_reviews``: the reviews of the complaint handling procedure (date, findings, actions,
  who recorded it and the policy version in force then).
- A policy version's label is unique.
- PostgreSQL: both tables are append-only for every role, the owner included (a published text
  is what customers were told, and cases point at it; a review is a record of what was found),
  and a review is recorded in one's own name. ``ct_policy_case_counts()`` counts the cases
  stamped with each version for anyone of the desk: admins may not read cases, and an agent's
  row-level security would count only the cases they see; counts are no case contents.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

APPEND_ONLY = ("policy_versions", "policy_reviews")

# @schema@ is replaced by the quoted name of the schema, as in 0005.
COUNTS = r"""
CREATE FUNCTION @schema@.ct_policy_case_counts()
RETURNS TABLE (policy_version_id integer, cases bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @schema@, pg_catalog, pg_temp AS $$
    SELECT c.policy_version_id, count(*) FROM cases c
     WHERE c.policy_version_id IS NOT NULL
     GROUP BY c.policy_version_id
$$;
"""


def upgrade() -> None:
    op.create_table(
        "policy_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("policy_version_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_policy_reviews_policy_version_id_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_reviews")),
    )
    with op.batch_alter_table("policy_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_policy_reviews_reviewed_on", ["reviewed_on", "id"], unique=False)
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.create_index("uq_policy_versions_label", ["label"], unique=True)

    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()
    cursor = bind.connection.driver_connection.cursor()
    run = cursor.execute
    run(COUNTS.replace("@schema@", schema))
    run(f"REVOKE ALL ON FUNCTION {schema}.ct_policy_case_counts() FROM PUBLIC")
    for table in APPEND_ONLY:
        run(
            f"CREATE TRIGGER ct_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ct_append_only()"
        )
    run(
        "CREATE TRIGGER ct_actor_is_you BEFORE INSERT ON policy_reviews FOR EACH ROW "
        "WHEN (NEW.recorded_by IS DISTINCT FROM current_user OR current_user <> session_user) "
        "EXECUTE FUNCTION ct_forged_actor('recorded_by')"
    )
    cursor.close()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        run = bind.exec_driver_sql
        for table in APPEND_ONLY:
            run(f"DROP TRIGGER IF EXISTS ct_append_only ON {table}")
        run("DROP TRIGGER IF EXISTS ct_actor_is_you ON policy_reviews")
        run("DROP FUNCTION IF EXISTS ct_policy_case_counts()")
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_index("uq_policy_versions_label")
    op.drop_table("policy_reviews")
