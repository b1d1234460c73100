"""Environment variables tltui reads, each checked with a one-line error naming the variable and its value."""

from __future__ import annotations

import math
import os

from tltui.base.errors import TltuiError
from tltui.base.names import shown

CPU_SLOTS = "TLTUI_CPU_SLOTS"
THREADS = "TLTUI_THREADS"
DB_TIMEOUT = "TLTUI_DB_TIMEOUT"
NICE = "TLTUI_JOB_NICE"


class EnvError(TltuiError):
    title = "Invalid environment"


def machine_cpus() -> int:
    """The machine's CPUs (what the slots and thread shares have always been counted from)."""
    return os.cpu_count() or 1


def env_int(name: str, default: int, lo: int, hi: int, why: str = "") -> int:
    """`$name` as an integer in [lo, hi], `default` when unset or empty; anything else is an EnvError."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise EnvError(f"{name}={shown(text)}: use a whole number from {lo} to {hi}{why}; or unset it")
    return value


def env_float(name: str, default: float, lo: float, hi: float) -> float:
    """`$name` as a finite number in (lo, hi], `default` when unset or empty."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and lo < value <= hi):
        raise EnvError(f"{name}={shown(text)}: use a number above {lo:g} and at most {hi:g}; or unset it")
    return value


def cpu_slots() -> int:
    """How many CPU jobs may run at once: `$TLTUI_CPU_SLOTS` (at most the machine's CPUs), else all CPUs."""
    n = machine_cpus()
    return env_int(CPU_SLOTS, n, 1, n, f" (this machine has {n} CPUs)")


def threads(default: int) -> int:
    """Torch threads per CPU job: `$TLTUI_THREADS`, else `default`."""
    n = machine_cpus()
    return env_int(THREADS, default, 1, n, f" (this machine has {n} CPUs)")


def db_timeout() -> float:
    """Seconds to wait for the job index while another process writes it: `$TLTUI_DB_TIMEOUT`, else 60."""
    return env_float(DB_TIMEOUT, 60.0, 0.0, 3600.0)


def job_nice() -> int:
    """How much lower a job's CPU priority is than the workbench's: `$TLTUI_JOB_NICE` (0–19), else 10, so a
    running analysis never makes the interface wait for a core."""
    return env_int(NICE, 10, 0, 19)


def check_env() -> None:
    """Check every variable tltui reads now, so a bad value is refused before anything starts."""
    cpu_slots()
    threads(1)
    db_timeout()
    job_nice()
