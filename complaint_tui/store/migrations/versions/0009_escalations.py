"""escalations: the requests and the decisions, as records of their own

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Until now an escalation lived in four columns of the case (level, pending, requested at, due at)
and two timeline texts, so past decisions could not be listed and a level-1 request was
forgotten once a level-2 one replaced its deadline. Two append-only tables keep them:

- ``escalations``: one row per request and level (what the customer asked, who recorded it,
  when, and the review deadline);
- ``escalation_decisions``: one row per decision (outcome, the explanation sent to the customer,
  an internal note, who decided and when).

Backfill from the timeline, whose texts had a fixed shape before this revision:
``level N (supervisor|manager): <request>`` and ``level N, upheld|reopened: <explanation>``.
"upheld" becomes the outcome ``confirm`` and "reopened" ``reopen``; those decisions had no
internal note. The decision texts written from this revision on are recognised too, so going
down and up again keeps the decisions (their internal notes stay in the timeline only). A request's review deadline is known only for the case's latest level (the case
row kept it); an earlier level's stays NULL, and its decision shows as met without an on-time
judgement. A request whose text does not have that shape (written by hand into the database) is
not backfilled, nor is a decision without a backfilled request.

The case row keeps its escalation columns: the queue, the workflow and the "pending" views read
them; a new index serves "the pending escalations of one level, by deadline".

PostgreSQL: both tables are append-only for every role and refuse rows written in someone
else's name (the triggers of revision 0005), and get row-level security; ``complaint-tui init``
then grants them per group (store/access.py): agents may record requests on their own cases and
read both tables for the cases they see; only supervisors and managers may write decisions.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (table, column naming who wrote the row)
ACTOR_COLUMNS = (("escalations", "requested_by"), ("escalation_decisions", "decided_by"))

# Both dialects: LIKE, substr and CAST behave the same. "level 1 (supervisor): " is 22
# characters, "level 1 (manager): " 19; only a request's first event per level is kept.
BACKFILL_REQUESTS = """
INSERT INTO escalations (case_id, level, request, requested_by, requested_at, due_at)
SELECT e.case_id,
       CAST(substr(e.text, 7, 1) AS INTEGER),
       substr(e.text, CASE WHEN e.text LIKE 'level _ (supervisor): %' THEN 23 ELSE 20 END),
       e.actor,
       e.at,
       CASE WHEN c.escalation_level = CAST(substr(e.text, 7, 1) AS INTEGER)
            THEN c.escalation_due_at END
  FROM timeline_events e
  JOIN cases c ON c.id = e.case_id
 WHERE e.kind = 'escalation_request'
   AND substr(e.text, 7, 1) IN ('1', '2')
   AND (e.text LIKE 'level _ (supervisor): %' OR e.text LIKE 'level _ (manager): %')
   AND NOT EXISTS (
       SELECT 1 FROM timeline_events p
        WHERE p.case_id = e.case_id AND p.kind = 'escalation_request' AND p.id < e.id
          AND substr(p.text, 1, 9) = substr(e.text, 1, 9)
          AND (p.text LIKE 'level _ (supervisor): %' OR p.text LIKE 'level _ (manager): %'))
 ORDER BY e.id
"""
# The decision texts: before this revision "upheld"/"reopened"; from it (so a downgrade and an
# upgrade keep the decisions, though not their internal notes) the labels of the outcomes.
# Each prefix's length + 1 is where the explanation starts.
DECISION_TEXTS = (
    ("level _, upheld: %", "confirm", 18),
    ("level _, reopened: %", "reopen", 20),
    ("level _, resolution confirmed: %", "confirm", 32),
    ("level _, reopened for investigation: %", "reopen", 38),
    ("level _, referred to level 2: %", "refer-up", 31),
)
BACKFILL_DECISIONS = f"""
INSERT INTO escalation_decisions
       (escalation_id, case_id, level, outcome, explanation, note, decided_by, decided_at)
SELECT x.id,
       e.case_id,
       x.level,
       CASE {" ".join(f"WHEN e.text LIKE '{like}' THEN '{outcome}'" for like, outcome, _ in DECISION_TEXTS)} END,
       substr(e.text, CASE {" ".join(f"WHEN e.text LIKE '{like}' THEN {start}" for like, _, start in DECISION_TEXTS)} END),
       '',
       e.actor,
       e.at
  FROM timeline_events e
  JOIN escalations x ON x.case_id = e.case_id AND x.level = CAST(substr(e.text, 7, 1) AS INTEGER)
 WHERE e.kind = 'escalation_decision'
   AND substr(e.text, 7, 1) IN ('1', '2')
   AND ({" OR ".join(f"e.text LIKE '{like}'" for like, _, _ in DECISION_TEXTS)})
 ORDER BY e.id
"""


def _id():
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("id", _id(), nullable=False),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_escalations_case_id_cases", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_escalations"),
    )
    op.create_index("ix_escalations_case", "escalations", ["case_id", "level"], unique=True)
    op.create_table(
        "escalation_decisions",
        sa.Column("id", _id(), nullable=False),
        sa.Column("escalation_id", _id(), nullable=False),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name="fk_escalation_decisions_escalation_id_escalations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name="fk_escalation_decisions_case_id_cases",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_escalation_decisions"),
    )
    op.create_index("ix_escalation_decisions_decided", "escalation_decisions", ["decided_at", "id"])
    op.create_index("ix_escalation_decisions_case", "escalation_decisions", ["case_id", "id"])
    op.create_index(
        "ix_cases_escalation_level",
        "cases",
        ["escalation_pending", "escalation_level", "escalation_due_at", "id"],
    )

    bind = op.get_bind()
    # text(): the driver gets the % of the LIKE patterns escaped for its parameter style.
    bind.execute(sa.text(BACKFILL_REQUESTS))
    bind.execute(sa.text(BACKFILL_DECISIONS))
    if bind.dialect.name != "postgresql":
        return
    run = bind.exec_driver_sql
    for table, column in ACTOR_COLUMNS:
        run(
            f"CREATE TRIGGER ct_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ct_append_only()"
        )
        run(
            f"CREATE TRIGGER ct_actor_is_you BEFORE INSERT ON {table} FOR EACH ROW "
            f"WHEN (NEW.{column} IS DISTINCT FROM current_user OR current_user <> session_user) "
            f"EXECUTE FUNCTION ct_forged_actor('{column}')"
        )
        # No policy yet, so nobody but the owner reads a row until init applies the map.
        run(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_index("ix_cases_escalation_level", table_name="cases")
    op.drop_index("ix_escalation_decisions_case", table_name="escalation_decisions")
    op.drop_index("ix_escalation_decisions_decided", table_name="escalation_decisions")
    op.drop_table("escalation_decisions")  # its policies and triggers go with it
    op.drop_index("ix_escalations_case", table_name="escalations")
    op.drop_table("escalations")
