"""The progress record that long core work yields; the caller decides threads, processes and cancel."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """One step of long work: `done` of `total` units in `phase`, with an optional message."""

    phase: str
    done: int = 0
    total: int = 0
    msg: str = ""


@dataclass(frozen=True)
class WorkPlan(Progress):
    """Not a step but the work the job has ahead, declared as soon as it knows it: how many of each unit
    (`model` loads, training `epoch`s, `attack` sets computed, `cached attack` sets read back, models through the
    four `level`s). The job's progress is weighted by it (tltui.jobs.progress); declared again when it changes."""

    units: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, **units: float) -> WorkPlan:
        return cls("plan", units=tuple((k.replace("_", " "), float(v)) for k, v in units.items()))


@dataclass
class JobContext:
    """What a job function gets besides its parameters: where to write, which device, how to log."""

    run_dir: Path
    """The job's run directory; results go here (atomically, via tltui.base.runfiles)."""
    workspace: Path
    """The workspace root (model cache, other runs)."""
    device: str = "cpu"
    """A resolved torch device string: 'cpu' or 'cuda:N'."""
    log: Callable[[str], None] = print
    """Write a human-readable log line (the job's log and a `message` event)."""


def drain(gen: Generator[Progress, None, T]) -> T:
    """Run a progress generator to the end, discarding progress; returns its result."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            result: T = stop.value
            return result


def collect(gen: Generator[Progress, None, T]) -> tuple[list[Progress], T]:
    """Run a progress generator to the end, keeping its progress records; returns them and its result."""
    steps: list[Progress] = []
    while True:
        try:
            steps.append(next(gen))
        except StopIteration as stop:
            return steps, stop.value
