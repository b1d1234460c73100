"""Several run directories joined by variant name: each run's facts, and which run speaks for a variant made again
later (docs/intervals.md, "Verdicts and the Pareto board")."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tltui.base.intervals import Outcomes
from tltui.base.rundir import keys as K
from tltui.base.rundir.files import INSTANCES, SUMMARY
from tltui.base.rundir.shape import SeedGroup
from tltui.base.rundir.summary import RunSummary, read_summary


@dataclass(frozen=True)
class Source:
    """One run directory's facts: its summary and its per-image predictions (None without instances.npz)."""

    summary: RunSummary
    arrays: Mapping[str, np.ndarray] | None
    where: str = ""


def load_source(run_dir: str | Path) -> Source:
    """A run directory's summary.json (a one-line ResultsError when it is not a run) and instances.npz, if any."""
    from tltui.base.runfiles import load_npz

    d = Path(run_dir)
    npz = d / INSTANCES
    return Source(read_summary(d / SUMMARY), load_npz(npz) if npz.is_file() else None, str(d))


def newest(sources: Sequence[Source]) -> dict[str, int]:
    """For each produced variant, the source holding its newest record: a variant made again later (another
    recipe under the same name) is the later run's, whatever the order the runs were given in."""
    best: dict[str, tuple[float, int]] = {}
    for i, src in enumerate(sources):
        for name, meta in src.summary.derived.items():
            created = created_at(meta)
            if name not in src.summary.variants or created is None:
                continue
            if name not in best or created > best[name][0]:
                best[name] = (created, i)
    return {name: i for name, (_, i) in best.items()}


def created_at(meta: Mapping[str, Any] | None) -> float | None:
    """When a produced variant was made, as its record says (None when it does not)."""
    created = (meta or {}).get("created")
    return float(created) if isinstance(created, (int, float)) else None


def group_age(group: SeedGroup, derived: Mapping[str, Mapping[str, Any]]) -> float:
    """When the group's newest method variant was made, as this run records it (−inf when it does not say)."""
    times = [created_at(derived.get(p["variant"])) for p in group["pairs"]]
    return max((t for t in times if t is not None), default=-math.inf)


def outcomes(arrays: Mapping[str, np.ndarray] | None, name: str) -> Outcomes | None:
    """A variant's per-image outcomes from a run's instances arrays (None when the run lacks them)."""
    if arrays is None or K.LABELS not in arrays:
        return None
    pred, tpred = arrays.get(K.pred_key(name, "pred")), arrays.get(K.pred_key(name, "teacher_adv_pred"))
    if pred is None or tpred is None:
        return None
    y = np.asarray(arrays[K.LABELS]).reshape(-1)
    if len(np.asarray(pred).reshape(-1)) != len(y) or len(np.asarray(tpred).reshape(-1)) != len(y):
        return None
    return Outcomes.of(y, np.asarray(pred).reshape(-1), np.asarray(tpred).reshape(-1))
