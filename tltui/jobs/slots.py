"""Device slots as lock files: one job per GPU, cpu_count CPU jobs; a dead job's lock frees itself."""

from __future__ import annotations

import fcntl
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from tltui.base import env

LOCK_DIR = "locks"
CPU_SLOTS_ENV = env.CPU_SLOTS


def cpu_slots() -> int:
    """How many CPU jobs may run at once: `$TLTUI_CPU_SLOTS` (at most os.cpu_count(); checked), else that."""
    return env.cpu_slots()


def slot_names(device: str) -> list[str]:
    """The lock names a job on `device` may take; a CPU job takes any one of them."""
    if device == "cpu" or device.startswith("cpu:"):
        return [f"cpu-{i}" for i in range(cpu_slots())]
    return [re.sub(r"[^A-Za-z0-9_.-]", "-", device)]


def try_acquire(workspace: Path, device: str) -> IO[bytes] | None:
    """Take a free slot for `device` without waiting; the returned file holds it until closed."""
    lock_dir = workspace / LOCK_DIR
    lock_dir.mkdir(parents=True, exist_ok=True)
    for name in slot_names(device):
        fh = open(lock_dir / f"{name}.lock", "ab")  # noqa: SIM115 - the open file is the lock
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            continue
        return fh
    return None


def acquire(
    workspace: Path,
    device: str,
    *,
    poll: float = 0.05,
    on_wait: Callable[[], None] | None = None,
    my_turn: Callable[[], bool] | None = None,
) -> IO[bytes]:
    """Wait until a slot for `device` is free, then hold it; `on_wait` runs once if it has to wait.

    `my_turn` says whether this job may take a slot yet (the worker uses it to go first-come first-served).
    """
    waited = False
    while True:
        if my_turn is None or my_turn():
            fh = try_acquire(workspace, device)
            if fh is not None:
                return fh
        if not waited and on_wait is not None:
            on_wait()
        waited = True
        time.sleep(poll)
