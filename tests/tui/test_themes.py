"""Theme files: the built-in ones ship inside the package and are read through importlib.resources
(an installed wheel has no repository around it); the top-level themes/ holds user examples only,
read by the same loader when a user copies them to <config folder>/themes/."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from complaint_tui.tui.themes import REQUIRED_VARIABLES, load_theme, load_themes

BUILTIN = {"complaint-dark", "complaint-light", "complaint-high-contrast", "complaint-colorblind"}
EXAMPLES = Path(__file__).resolve().parents[2] / "themes"


def test_builtin_themes_load_through_importlib_resources():
    shipped = resources.files("complaint_tui.tui").joinpath("builtin_themes")
    files = [f for f in shipped.iterdir() if f.name.endswith(".toml")]
    assert {load_theme(f).name for f in files} == BUILTIN

    themes, problems = load_themes(None)
    assert problems == []
    # Exactly the shipped files: nothing is picked up from the repository's themes/ folder.
    assert {t.name for t in themes} == BUILTIN


def test_top_level_examples_load_with_the_same_loader_and_copy_no_builtin():
    examples = sorted(EXAMPLES.glob("*.toml"))
    assert examples, "themes/ must hold at least one example theme"
    shipped = resources.files("complaint_tui.tui").joinpath("builtin_themes")
    builtin_texts = {f.read_text(encoding="utf-8") for f in shipped.iterdir()}
    for path in examples:
        theme = load_theme(path)
        assert set(REQUIRED_VARIABLES) <= set(theme.variables), path.name
        # One source of truth: the built-in themes are not kept twice.
        assert theme.name not in BUILTIN, path.name
        assert path.read_text(encoding="utf-8") not in builtin_texts, path.name
    assert (EXAMPLES / "README.md").is_file()


def test_user_themes_come_from_the_config_folder(tmp_path):
    user_dir = tmp_path / "themes"
    user_dir.mkdir()
    shutil.copy(EXAMPLES / "example-solarized.toml", user_dir)
    (user_dir / "broken.toml").write_text('name = "broken"\n[variables]\n', encoding="utf-8")
    # A user file cannot replace a built-in theme of the same name.
    (user_dir / "dark.toml").write_text(
        (EXAMPLES / "example-solarized.toml")
        .read_text(encoding="utf-8")
        .replace('name = "example-solarized"', 'name = "complaint-dark"'),
        encoding="utf-8",
    )

    themes, problems = load_themes(tmp_path)

    by_name = {t.name: t for t in themes}
    assert set(by_name) == BUILTIN | {"example-solarized"}
    assert by_name["complaint-dark"].background == "#14171c"  # the shipped one
    assert len(problems) == 1 and "broken.toml was skipped" in problems[0]


def test_the_app_offers_and_applies_a_user_theme(make_app, tmp_path):
    (tmp_path / "themes").mkdir()
    shutil.copy(EXAMPLES / "example-solarized.toml", tmp_path / "themes")

    app = make_app(theme="example-solarized", config_path=tmp_path / "config.toml")

    assert app.theme == "example-solarized"
    assert BUILTIN <= set(app.available_themes)
