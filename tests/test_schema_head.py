"""The start-up schema check knows the migrations without importing Alembic; keep it in step."""

import ast

from alembic.script import ScriptDirectory

from complaint_tui.store.db import KNOWN_REVISIONS, MIGRATIONS, SCHEMA_HEAD


def test_known_revisions_match_the_migration_scripts():
    script = ScriptDirectory(str(MIGRATIONS))
    chain = [rev.revision for rev in script.walk_revisions()]  # newest first
    assert tuple(reversed(chain)) == KNOWN_REVISIONS
    assert script.get_current_head() == SCHEMA_HEAD


def test_migrations_spell_out_their_sql():
    """A migration must do the same thing forever: it may not build its SQL from the program's
    code, which changes. The one exception is 0004, which indexes the cases with the program's
    fold on purpose (its docstring says why)."""
    imports = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("complaint_tui"):
                imports.add((path.name, node.module, tuple(sorted(a.name for a in node.names))))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("complaint_tui"):
                        imports.add((path.name, alias.name, ()))
    assert imports == {
        (
            "0004_search_fold.py",
            "complaint_tui.store.search",
            ("DESCRIPTION_CHARS", "case_document"),
        )
    }
