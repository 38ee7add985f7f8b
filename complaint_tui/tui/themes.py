"""Theme files (TOML) loaded at start and registered with Textual's theme API."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from textual.theme import Theme

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


def theme_dirs(user_config_dir: Path | None = None) -> list[Path]:
    """Built-in themes (the repository's themes/, or the installed copy), then the user's own."""
    dirs = [
        Path(__file__).resolve().parents[2] / "themes",
        Path(sys.prefix) / "share" / "complaint-tui" / "themes",
    ]
    if user_config_dir is not None:
        dirs.append(user_config_dir / "themes")
    return [d for d in dirs if d.is_dir()]


def load_theme(path: Path) -> Theme:
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
    for folder in theme_dirs(user_config_dir):
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme(path)
            except (OSError, ValueError, KeyError, tomllib.TOMLDecodeError) as exc:
                problems.append(f"Theme file {path} was skipped: {exc}.")
                continue
            themes.setdefault(theme.name, theme)
    return list(themes.values()), problems
