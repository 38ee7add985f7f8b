"""Theme files (TOML) loaded at start and registered with Textual's theme API."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from textual.theme import Theme

BUILTIN_THEMES = resources.files(__package__).joinpath("builtin_themes")

_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "success",
    "warning",
    "error",
)
REQUIRED_VARIABLES = (
    "urgency-breached",
    "urgency-urgent",
    "urgency-soon",
    "urgency-ok",
    "urgency-paused",
    "urgency-done",
    "note-internal",
    "note-customer",
)


def theme_files(user_config_dir: Path | None = None) -> list[Traversable]:
    """The built-in themes shipped in the package, then the user's own <config dir>/themes/*.toml.

    The built-in ones are read through importlib.resources, so an installed wheel finds them
    wherever it was installed; the repository's top-level themes/ only holds examples for users.
    """
    files = sorted(
        (f for f in BUILTIN_THEMES.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name
    )
    user_dir = user_config_dir / "themes" if user_config_dir is not None else None
    if user_dir is not None and user_dir.is_dir():
        files.extend(sorted(user_dir.glob("*.toml")))
    return files


def load_theme(path: Traversable) -> Theme:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    variables = {str(k): str(v) for k, v in data.get("variables", {}).items()}
    missing = [v for v in REQUIRED_VARIABLES if v not in variables]
    if missing:
        raise ValueError(f"theme {path.name} lacks variables: {', '.join(missing)}")
    return Theme(
        name=str(data["name"]),
        dark=bool(data.get("dark", True)),
        variables=variables,
        **{k: str(data[k]) for k in _KEYS if k in data},
    )


def load_themes(user_config_dir: Path | None = None) -> tuple[list[Theme], list[str]]:
    """Every theme found, and one sentence per file that could not be read."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for path in theme_files(user_config_dir):
        try:
            theme = load_theme(path)
        except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"Theme file {path} was skipped: {exc}.")
            continue
        themes.setdefault(theme.name, theme)
    return list(themes.values()), problems
