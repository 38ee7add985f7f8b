"""The start-up schema check knows the migrations without importing Alembic; keep it in step."""

from alembic.script import ScriptDirectory

from complaint_tui.store.db import KNOWN_REVISIONS, MIGRATIONS, SCHEMA_HEAD


def test_known_revisions_match_the_migration_scripts():
    script = ScriptDirectory(str(MIGRATIONS))
    chain = [rev.revision for rev in script.walk_revisions()]  # newest first
    assert tuple(reversed(chain)) == KNOWN_REVISIONS
    assert script.get_current_head() == SCHEMA_HEAD
