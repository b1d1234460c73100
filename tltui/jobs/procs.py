"""Process checks that do not mistake a reused pid or a zombie for a live job."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

_PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, ...]; None if unreadable."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def process_alive(pid: int, marker: str | None = None) -> bool:
    """Whether `pid` runs and is not a zombie; with /proc, also that its command line contains `marker`."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    if not _PROC.is_dir():
        return True
    stat = _stat_fields(pid)
    if stat is None or stat[0] in ("Z", "X"):
        return False
    if marker is not None:
        try:
            cmdline = (_PROC / str(pid) / "cmdline").read_bytes()
        except OSError:
            return False
        return marker.encode() in cmdline
    return True


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in process group `pgid`; needs /proc."""
    out = []
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat_fields(int(entry.name))
            if stat is not None and stat[0] not in ("Z", "X") and int(stat[2]) == pgid:
                out.append(int(entry.name))
    return out


def group_alive(pgid: int) -> bool:
    if _PROC.is_dir():
        return bool(group_members(pgid))
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
