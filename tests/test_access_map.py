"""The access map of store/access.py covers the schema: no table is left to chance."""

from __future__ import annotations

from complaint_tui.store.access import (
    CASE_WORKFLOW_COLUMNS,
    FUNCTION_GRANTS,
    GROUPS,
    POLICIES,
    RLS_TABLES,
    TABLE_GRANTS,
)
from complaint_tui.store.models import Base, Case

# Holds case values but needs no row-level security: only supervisors and managers, who see
# every case, may read it; nobody may write it (a trigger does).
CASE_DATA_WITHOUT_RLS = {"case_history"}


def test_every_table_of_the_models_has_an_entry_in_the_map():
    tables = set(Base.metadata.tables) | {"alembic_version"}
    assert set(TABLE_GRANTS) == tables, (
        "add the new table to TABLE_GRANTS in complaint_tui/store/access.py "
        f"(missing: {sorted(tables - set(TABLE_GRANTS))}, unknown: {sorted(set(TABLE_GRANTS) - tables)})"
    )


def test_every_table_holding_case_data_has_row_level_security():
    holding = {"cases"} | {t.name for t in Base.metadata.sorted_tables if "case_id" in t.columns}
    assert holding - CASE_DATA_WITHOUT_RLS == set(RLS_TABLES)
    for table in CASE_DATA_WITHOUT_RLS:
        for role, grants in TABLE_GRANTS[table].items():
            assert role in ("supervisor", "manager"), (table, role)
            assert all(g.privileges == ("SELECT",) for g in grants)


def test_grants_policies_and_functions_name_only_the_four_groups():
    for table, by_role in TABLE_GRANTS.items():
        assert set(by_role) <= set(GROUPS), table
    for policy in POLICIES:
        assert set(policy.roles) <= set(GROUPS)
        assert policy.command in ("SELECT", "INSERT", "UPDATE")  # nobody deletes case data
    for roles in FUNCTION_GRANTS.values():
        assert set(roles) <= set(GROUPS)
    assert len({p.name for p in POLICIES}) == len(POLICIES)


def test_nobody_is_granted_delete_or_truncate():
    for table, by_role in TABLE_GRANTS.items():
        for grants in by_role.values():
            for grant in grants:
                assert not {"DELETE", "TRUNCATE"} & set(grant.privileges), table


def test_workflow_columns_exist_and_leave_what_the_customer_said_alone():
    columns = set(Case.__table__.columns.keys())
    assert set(CASE_WORKFLOW_COLUMNS) <= columns
    for fixed in ("id", "ref", "customer", "subject", "description", "confidential", "received_at"):
        assert fixed not in CASE_WORKFLOW_COLUMNS


def test_only_the_refusal_logger_is_everyones_and_the_migrations_name_every_function():
    """Everyone who may connect logs their own refusals (even a login in none of the groups);
    every function the migrations create is in the map, so init decides who runs it."""
    import re
    from importlib import resources

    from complaint_tui.store.access import PUBLIC_FUNCTIONS

    assert PUBLIC_FUNCTIONS == ("ct_log_refusal(text, timestamp with time zone, text, text, text)",)
    assert not set(PUBLIC_FUNCTIONS) & set(FUNCTION_GRANTS)
    versions = resources.files("complaint_tui.store").joinpath("migrations/versions")
    created = set()
    for script in versions.iterdir():
        if script.name.endswith(".py"):
            created |= set(re.findall(r"CREATE FUNCTION @schema@\.(ct_\w+)", script.read_text()))
    mapped = {sig.split("(", 1)[0] for sig in (*FUNCTION_GRANTS, *PUBLIC_FUNCTIONS)}
    assert created == mapped
