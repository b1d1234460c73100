"""Recipe sweeps (docs/sweeps.md): the grid of a `tltui sweep`, and whether a method's advantage over its matched
baseline holds at every value, in part of the sweep (naming where) or nowhere."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from tltui.base.catalogue.params import number_text, parse, spec_of
from tltui.base.catalogue.training import TrainParams
from tltui.base.errors import ParamError
from tltui.base.rundir.metrics import DIR
from tltui.base.rundir.shape import SeedBlock, SweepPoint, SweepRecord
from tltui.base.verdict import BEYOND_NOISE, MIN_SEEDS

SWEPT = ("lr", "epochs")
"""The recipe parameters a sweep may vary: both sides of every pair train with each value."""
HOLDS, IN_PART, NOWHERE, UNDECIDED = "holds", "in part", "nowhere", "more seeds needed"


def parse_param(text: str) -> tuple[str, list[float]]:
    """`lr=0.005,0.01,0.05` → ("lr", [0.005, 0.01, 0.05]), each value checked as the flag `--lr` checks it."""
    name, sep, values = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or name not in SWEPT or not values.strip():
        raise ParamError(f"--param {text!r}: give NAME=V1,V2,… with NAME one of {', '.join(SWEPT)}")
    spec = spec_of(TrainParams, name)
    out = [parse(spec, v.strip(), f"--param {name}") for v in values.split(",")]
    if len(set(out)) != len(out):
        raise ParamError(f"--param {text!r}: a value is given twice")
    return name, [float(v) if name == "lr" else int(v) for v in out]


def grid_points(grid: Mapping[str, Sequence[float]]) -> list[dict[str, float]]:
    """Every combination of the grid's values, in the order given (the first parameter slowest)."""
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(grid[n] for n in names))]


def value_text(value: Mapping[str, float]) -> str:
    """`lr 0.005` or `lr 0.005, epochs 10`."""
    return ", ".join(f"{k} {number_text(v)}" for k, v in value.items())


def holds(block: SeedBlock) -> bool | None:
    """Whether the method's DIR is below its baseline's beyond noise (the seeds+images interval of the group
    difference entirely below 0, with at least MIN_SEEDS seeds); None when no claim can be made."""
    metric = block["metrics"].get(DIR.key)
    group = metric.get("group") if metric is not None else None
    if group is None or group["n_seeds"] < MIN_SEEDS:
        return None
    return group["verdict"] == BEYOND_NOISE and group["hi"] < 0.0


def sweep_record(
    method: str, baseline: str | None, grid: Mapping[str, Sequence[float]], points: Sequence[SweepPoint]
) -> SweepRecord:
    """The sweep's record with its verdict: `holds` at every value, `in part` (where it holds named), `nowhere`,
    or `more seeds needed` when some value cannot be decided (fewer than MIN_SEEDS seeds)."""
    where = [value_text(p["value"]) for p in points if p["holds"]]
    missing = [value_text(p["value"]) for p in points if not p["holds"]]
    against = f"over {baseline}" if baseline else ""
    seeds = min((len(p["seeds"]["seeds"]) for p in points), default=0)
    lower = [value_text(p["value"]) for p in points if _delta(p) is not None and (_delta(p) or 0.0) < 0.0]
    if any(p["holds"] is None for p in points):
        verdict = UNDECIDED
        line = f"{method}'s advantage {against} is undecided: {UNDECIDED} ({MIN_SEEDS} at least); its DIR is lower at {', '.join(lower) or 'no value'} by the point estimates"
    elif not missing:
        verdict = HOLDS
        line = f"{method}'s advantage {against} holds across the sweep: DIR lower beyond noise at every value"
    elif where:
        verdict = IN_PART
        line = (
            f"{method}'s advantage {against} holds only in part of the sweep: at {'; '.join(where)}, "
            f"not at {'; '.join(missing)}"
        )
    else:
        verdict = NOWHERE
        line = f"{method}'s advantage {against} holds nowhere in the sweep: no value lowers DIR beyond noise"
    line = " ".join(line.split()) + f" ({seeds} seeds per value)"
    return SweepRecord(
        method=method,
        baseline=baseline,
        grid={k: list(v) for k, v in grid.items()},
        points=list(points),
        verdict=verdict,
        line=line,
    )


def _delta(p: SweepPoint) -> float | None:
    d = p["seeds"]["metrics"].get(DIR.key)
    if d is None:
        return None
    group = d.get("group")
    return group["value"] if group is not None else d["delta"]["mean"]
