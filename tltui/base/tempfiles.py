"""Temporary files and directories that name their writer (`.NAME.tltui-tmp-PID-…`): a dead one's go, a live
one's stay."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

MARK = ".tltui-tmp-"
_PID = re.compile(r"^\..+\.tltui-tmp-(\d+)-")


def prefix(name: str) -> str:
    """The `tempfile.mkstemp` prefix of a temporary file for `name` written by this process."""
    return f".{name}{MARK}{os.getpid()}-"


def writer(name: str) -> int | None:
    """The pid that wrote the temporary file `name`, None if `name` is not one of ours."""
    m = _PID.match(name)
    return int(m.group(1)) if m else None


def pid_alive(pid: int) -> bool:
    """Whether a process `pid` exists (one of another user counts: it may be writing)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(directory: Path) -> list[Path]:
    """Remove the temporary files and directories (a chunked set's) in `directory` whose writer is gone; the paths
    removed. One that cannot be removed stays for a later run (cleaning up never stops the run that does it)."""
    gone: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return gone
    for entry in entries:
        pid = writer(entry.name)
        if pid is None or pid == os.getpid() or pid_alive(pid):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                gone.append(Path(entry.path))
            elif entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
                gone.append(Path(entry.path))
    return gone
