"""One progress model for every view of a job (Jobs panel, status bar, `jobs list`, `jobs logs --follow`, the
foreground bar): the whole job's fraction done, never going back across phases, and its ETA from the whole job."""

from __future__ import annotations

import time
from dataclasses import dataclass

Plan = tuple[tuple[str, float], ...]

STAGES: Plan = (
    ("setup", 0.08),
    ("work", 0.47),
    ("attacks", 0.30),
    ("levels", 0.13),
    ("end", 0.02),
)
"""The stages every diagnosing job goes through, with their share of the whole (measured on the demo: loading,
training or the method's own work, the attacks, the four levels). A job that skips one jumps ahead over it."""
OTHER: Plan = (("setup", 0.1), ("work", 0.9), ("end", 0.0))
"""The plan of every other job (details, t-SNE, preview, bench): load, then one piece of work."""
DIAGNOSING = frozenset({"analyze", "mitigate", "treat", "sweep"})


def plan_for(kind: str) -> Plan:
    return STAGES if kind in DIAGNOSING else OTHER


PHASE_STAGE = {
    "load data": "setup",
    "load models": "setup",
    "attacks": "attacks",
    "levels": "levels",
    "done": "end",
}
"""Phase name → stage; any other phase (training, a method, a details job's work) is `work`."""
STALLED = 5.0
"""Seconds past its ETA after which a job is shown as overdue rather than as finishing now."""


def stage_of(phase: str, plan: Plan = STAGES) -> int:
    """The phase's stage in `plan` (a stage the plan lacks counts as its work)."""
    names = [name for name, _ in plan]
    stage = PHASE_STAGE.get(phase.strip().lower(), "work")
    return names.index(stage if stage in names else "work")


UNIT_SECONDS: dict[str, tuple[str, float]] = {
    "model": ("setup", 0.05),
    "epoch": ("work", 0.35),
    "attack": ("attacks", 0.7),
    "cached attack": ("attacks", 0.07),
    "level": ("levels", 1.5),
    "end": ("end", 0.1),
}
"""What a job's plan counts (tltui.base.progress.WorkPlan) → its stage and the seconds one unit takes, measured on
the demo on 2 CPU cores: loading a cached model, one training epoch, one white-box attack set computed or read back
from the cache, the four levels of one model, writing summary.json. Only their ratios matter."""


def plan_weights(units: dict[str, float]) -> dict[str, float]:
    """Each stage's weight (seconds on the demo) from a job's declared work units; unknown units count nothing."""
    weights: dict[str, float] = {}
    for unit, count in units.items():
        if unit in UNIT_SECONDS:
            stage, seconds = UNIT_SECONDS[unit]
            weights[stage] = weights.get(stage, 0.0) + max(float(count), 0.0) * seconds
    return weights


class Overall:
    """Folds a job's (phase, done, total) steps into one fraction of the whole job, never decreasing.

    Each stage owns a span of [0, 1]; its phase fills the span as done/total grows. Before the job declares a
    plan, the spans are the fixed shares of `STAGES`; several phases in the `work` stage of a diagnosis (e.g.
    training four models) each take half of what is left of the stage. Once it declares one (`replan`), what is
    left of [0, 1] is shared by the stages to come in proportion to their work, and each training phase of the
    `work` stage takes its epochs' share of it (docs/interfaces.md "Progress and ETA")."""

    def __init__(self, plan: Plan = STAGES) -> None:
        self.plan = plan
        self.fraction = 0.0
        self.phase: str | None = None
        self._stage = -1
        self._span = (0.0, 0.0)
        self._planned: dict[int, tuple[float, float]] = {}
        """Stage → its span, from the declared plan."""
        self._epochs = 0.0
        """The training epochs the plan declared (the `work` stage's units)."""

    def update(self, phase: str, done: int, total: int) -> float:
        if phase != self.phase:
            self._enter(phase, total)
        lo, hi = self._span
        inner = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
        self.fraction = min(1.0, max(self.fraction, round(lo + (hi - lo) * inner, 6)))
        return self.fraction

    def finish(self) -> float:
        self.fraction = 1.0
        return self.fraction

    def replan(self, units: dict[str, float]) -> None:
        """Share what is left of the job among the stages to come, by the work the job declares they have
        (a stage it no longer lists keeps none; one already behind keeps what it had)."""
        weights = plan_weights(units)
        names = [name for name, _ in self.plan]
        todo = [i for i, name in enumerate(names) if i >= max(self._stage, 0) and name in weights]
        total = sum(weights[names[i]] for i in todo)
        if total <= 0:
            return
        lo = self.fraction
        self._planned = {i: (self.fraction, self.fraction) for i in range(len(names))}
        for i in todo:
            hi = lo + (1.0 - self.fraction) * weights[names[i]] / total
            self._planned[i] = (lo, hi)
            lo = hi
        self._epochs = max(float(units.get("epoch", 0.0)), 0.0)
        if self._stage >= 0:  # the phase under way goes on in its stage's new span
            self._span = (self.fraction, max(self.fraction, self._planned[self._stage][1]))

    def _enter(self, phase: str, total: int) -> None:
        self.phase = phase
        named = stage_of(phase, self.plan)
        stage = max(self._stage, named)
        if self._planned:
            self._span = self._planned_span(stage, named, total)
            self._stage = stage
            return
        start = sum(w for _, w in self.plan[:stage])
        end = start + self.plan[stage][1]
        if stage == self._stage:  # another phase of the same stage: half of what is left of it
            lo = max(self._span[1], self.fraction)
            hi = lo + (end - lo) / 2
        elif self.plan[stage][0] == "work" and self.plan is STAGES:
            lo, hi = start, start + (end - start) / 2
        else:
            lo, hi = start, end
        self._stage, self._span = stage, (max(lo, self.fraction), max(hi, self.fraction))

    def _planned_span(self, stage: int, named: int, total: int) -> tuple[float, float]:
        """A phase's span under the plan: a training phase its epochs' share of the work stage, a loading step
        met while training nothing, any other phase the rest of its stage."""
        start, end = self._planned[stage]
        lo = max(
            self.fraction, start
        )  # a stage that sent no step (every attack read from the cache) is behind
        if self.plan[stage][0] != "work":
            return lo, max(lo, end)
        if named != stage or self._epochs <= 0:
            return lo, lo  # e.g. "load models" between two trainings: the epochs are the work stage's measure
        return lo, max(lo, min(end, lo + (end - start) * total / self._epochs))


def eta(started: float | None, t: float, fraction: float, now: float | None = None) -> float | None:
    """Seconds left, from the whole job's pace up to its last step at `t`, counted down since then (a stuck job's
    ETA falls to 0, it never grows); None before there is a pace to go by."""
    if started is None or fraction <= 0.01 or fraction >= 1.0 or t <= started:
        return None
    now = time.time() if now is None else now
    left_then = (t - started) * (1.0 - fraction) / fraction
    return left_then - max(0.0, now - t)


def format_eta(seconds: float | None) -> str:
    """`m:ss` (or `h:mm:ss`); `–` when unknown, `overdue` when the job is well past its estimate."""
    if seconds is None:
        return "–"
    if seconds < -STALLED:
        return "overdue"
    s = max(round(seconds), 0)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def bar(fraction: float, width: int = 12, plain: bool = False) -> str:
    """`█████░░░░░ 42%` (`#####..... 42%` on plain terminals)."""
    f = min(max(fraction, 0.0), 1.0)
    filled = int(f * width)
    full, empty = ("#", ".") if plain else ("█", "░")
    return full * filled + empty * (width - filled) + f" {f * 100:3.0f}%"


@dataclass(frozen=True)
class JobProgress:
    """What every view shows of a job at one moment."""

    fraction: float
    """The whole job's fraction done, 0..1, never decreasing."""
    phase: str = ""
    msg: str = ""
    done: int = 0
    total: int = 0
    eta: float | None = None

    @property
    def percent(self) -> str:
        return f"{self.fraction * 100:.0f}%"

    @property
    def eta_text(self) -> str:
        return format_eta(self.eta)

    def line(self, width: int = 24, plain: bool = False) -> str:
        """`phase [bar] 42%  ETA 0:05  phase 3/30  msg`: the one progress line of the CLI."""
        parts = [self.phase or "working", "[" + bar(self.fraction, width, plain).replace(" ", "] ", 1)]
        if self.eta is not None:
            parts.append(f"ETA {self.eta_text}")
        if self.total > 0:
            parts.append(f"step {self.done}/{self.total}")
        if self.msg:
            parts.append(self.msg)
        return "  ".join(parts)
