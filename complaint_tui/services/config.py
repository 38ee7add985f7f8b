"""Where settings and data live, and reading/writing the TOML settings file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from complaint_tui.domain.settings import Settings, SettingsError, settings_from_mapping
from complaint_tui.services.files import UnreadableFile, read_text_file

APP_NAME = "complaint-tui"
MAX_SETTINGS_BYTES = 1024 * 1024


def default_config_path() -> Path:
    env = os.environ.get("COMPLAINT_TUI_CONFIG")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'complaints.db'}"


def demo_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'demo.db'}"


def load_settings(path: Path | None = None) -> Settings:
    """Read settings; a missing default file means defaults, a missing explicit file is an error."""
    explicit = path is not None or "COMPLAINT_TUI_CONFIG" in os.environ
    path = path or default_config_path()
    if not path.exists():
        if explicit:
            raise SettingsError(f"Settings file {path} does not exist.")
        return Settings()
    try:
        data = tomllib.loads(read_text_file(path, MAX_SETTINGS_BYTES))
    except UnreadableFile as exc:
        raise SettingsError(f"Settings file {path} {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"Settings file {path} is not valid TOML: {exc}.") from None
    return settings_from_mapping(data)


def save_setting(path: Path | None, section: str, key: str, value: Any) -> None:
    """Change one key and keep the rest of the file (e.g. the chosen theme)."""
    path = path or default_config_path()
    data: dict[str, Any] = {}
    if path.exists():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    data.setdefault(section, {})[key] = value
    settings_from_mapping(data)  # never write a file we would refuse to read
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    tmp.replace(path)


def resolve_database_url(cli_url: str | None, settings: Settings) -> str:
    if cli_url is not None and not cli_url.strip():  # not "use the default": that hides a typo
        raise SettingsError("The database URL is empty; give one or leave --db out.")
    return (
        cli_url
        or os.environ.get("COMPLAINT_TUI_DB")
        or settings.database_url
        or default_database_url()
    )
