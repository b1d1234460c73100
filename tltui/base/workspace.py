"""Where tltui keeps its cache, runs and job index: the user's data directory unless overridden."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tltui.base.errors import TltuiError
from tltui.base.names import inside, is_name
from tltui.base.study_spec import Study

ENV_VAR = "TLTUI_WORKSPACE"


class WorkspaceError(TltuiError):
    title = "Invalid workspace"


def default_workspace() -> Path:
    """`$TLTUI_WORKSPACE`, else `$XDG_DATA_HOME/tltui`, else `~/.local/share/tltui`."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "tltui"


def make_dir(path: Path, what: str, fix: str, error: type[TltuiError]) -> Path:
    """`path` as a directory, created if missing; a one-line `error` naming it (`what`) and the `fix` if it is a
    file or cannot be created."""
    if path.exists() and not path.is_dir():
        raise error(f"{path}: is a file, not a directory; {fix}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error(f"{path}: cannot create {what} ({exc.strerror}); {fix}") from None
    return path


def resolve_workspace(path: str | os.PathLike[str] | None = None) -> Path:
    """The workspace directory (created if missing): `path` if given, else the default."""
    ws = Path(path).expanduser() if path else default_workspace()
    where = "--workspace or $TLTUI_WORKSPACE" if path or os.environ.get(ENV_VAR) else "$XDG_DATA_HOME or ~"
    return make_dir(ws, "the workspace", f"point {where} at a writable directory", WorkspaceError).resolve()


def derived_dir(workspace: Path, study: Study) -> Path:
    """Where a study's produced variants live (keyed by study name and file, so two studies never mix)."""
    tag = (
        study.name
        if study.path is None
        else f"{study.name}-{hashlib.sha256(str(study.path).encode()).hexdigest()[:8]}"
    )
    return inside(workspace, "variants", tag)


def produced_names(workspace: Path, study: Study) -> list[str]:
    """Names of the study's produced variants (mitigations, treatments) saved in the workspace."""
    d = derived_dir(workspace, study)
    return sorted(p.stem for p in d.glob("*.safetensors") if is_name(p.stem)) if d.is_dir() else []
