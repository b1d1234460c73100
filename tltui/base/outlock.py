"""Who owns an `--out`: a job holds a lock on it for as long as its process lives, so two jobs never write one."""

from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import IO

from tltui.base.errors import ResultsError, write_error
from tltui.base.names import shown

LOCK_DIR = "locks"
"""The workspace folder of lock files (the device slots' too): `out-<digest of the resolved path>.lock`."""
_HELD: dict[Path, IO[bytes]] = {}
"""Locks this process holds; kept open until it exits (the kernel frees them then, even after a SIGKILL)."""


def lock_path(workspace: Path, out: Path) -> Path:
    digest = hashlib.sha256(str(out.resolve()).encode(errors="surrogateescape")).hexdigest()[:24]
    return workspace / LOCK_DIR / f"out-{digest}.lock"


def hold_out(workspace: Path, out: Path) -> None:
    """Take `out` for this process, or a one-line ResultsError naming the job's process that has it."""
    path = lock_path(workspace, out)
    if path in _HELD:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+b")  # noqa: SIM115 - the open file is the lock
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        owner = fh.read(32).decode(errors="replace").strip() or "?"
        fh.close()
        raise ResultsError(
            f"--out {shown(out)}: another job (pid {shown(owner)}) is writing there; wait for it to end or "
            "choose another --out"
        ) from None
    fh.truncate(0)
    fh.write(str(os.getpid()).encode())
    fh.flush()
    _HELD[path] = fh


def holds(workspace: Path, out: Path) -> bool:
    """Whether this process holds `out` (only the holder may touch its staging folder)."""
    return lock_path(workspace, out) in _HELD


def release_out(workspace: Path, out: Path) -> None:
    """Give `out` up before this process ends (tests; a job's process simply exits)."""
    fh = _HELD.pop(lock_path(workspace, out), None)
    if fh is not None:
        fh.close()
