"""Where tltui keeps its cache, runs and job index: the user's data directory unless overridden."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "TLTUI_WORKSPACE"


def default_workspace() -> Path:
    """`$TLTUI_WORKSPACE`, else `$XDG_DATA_HOME/tltui`, else `~/.local/share/tltui`."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "tltui"


def resolve_workspace(path: str | os.PathLike[str] | None = None) -> Path:
    """The workspace directory (created if missing): `path` if given, else the default."""
    ws = Path(path).expanduser() if path else default_workspace()
    ws.mkdir(parents=True, exist_ok=True)
    return ws.resolve()
