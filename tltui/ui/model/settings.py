"""User settings: a frozen dataclass read once from $XDG_CONFIG_HOME/tltui/settings.toml and passed in."""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_THEME = "tltui-dark"


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/tltui`, else `~/.config/tltui` (not created here)."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "tltui"


def settings_path() -> Path:
    return config_dir() / "settings.toml"


@dataclass(frozen=True)
class Settings:
    """What the workbench remembers between sessions."""

    theme: str = DEFAULT_THEME
    """Name of the Textual theme to start with (see `themes/*.toml`)."""
    sidebar: bool = True
    """Whether the explorer sidebar is shown at start."""
    panel: bool = True
    """Whether the bottom panel (jobs, log) is shown at start."""
    gpu_stats: bool = True
    """Show GPU utilisation and memory in the status bar when `pynvml` is importable."""

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        if f.name in raw and isinstance(raw[f.name], type(getattr(Settings(), f.name))):
            out[f.name] = raw[f.name]
    return out


def load_settings(path: Path | None = None) -> Settings:
    """Parse the settings file; a missing or broken file gives the defaults (settings never stop the app)."""
    p = path or settings_path()
    try:
        raw = tomllib.loads(p.read_text())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return Settings()
    return Settings(**_coerce(raw))


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings as TOML (write then rename, so a crash never leaves half a file)."""
    p = path or settings_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# tltui settings (written by the workbench; safe to edit)"]
    lines += [f"{f.name} = {_toml_value(getattr(settings, f.name))}" for f in dataclasses.fields(settings)]
    tmp = p.with_suffix(".toml.tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, p)
    return p
