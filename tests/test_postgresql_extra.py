"""psycopg is the optional extra complaint-tui[postgresql]: without it, a PostgreSQL URL gets one
sentence naming the extra (exit 1), never a traceback. The import failure is simulated here; CI's
wheel smoke test also runs the installed wheel, which has no psycopg, against a PostgreSQL URL."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from complaint_tui.cli import cli
from complaint_tui.store.db import Database, SchemaError

URL = "postgresql+psycopg://lan.nguyen@127.0.0.1:5432/complaints"


@pytest.fixture
def no_psycopg(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` now fails


def test_the_database_names_the_extra(no_psycopg):
    with pytest.raises(SchemaError, match=r"complaint-tui\[postgresql\]"):
        Database(URL)


@pytest.mark.parametrize(
    "args",
    [
        ["--db", URL, "init"],
        ["--db", URL, "case", "list"],
        ["--db", URL.replace("+psycopg", ""), "agent", "list"],
        ["--db", URL],  # the TUI
    ],
    ids=["init", "case-list", "plain-postgresql-url", "tui"],
)
def test_the_cli_refuses_in_one_sentence(no_psycopg, tmp_path, args):
    env = {"COMPLAINT_TUI_CONFIG": str(tmp_path / "config.toml"), "COMPLAINT_TUI_DB": None}
    (tmp_path / "config.toml").write_text("")

    result = CliRunner().invoke(cli, args, env=env)

    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr == (
        "complaint-tui: PostgreSQL support is not installed; install it with "
        "`pip install 'complaint-tui[postgresql]'`.\n"
    )
