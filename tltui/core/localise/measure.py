"""Per layer: accuracy and DIR after an intervention, paired with the un-intervened student on the same images;
the ranking, the cumulative top-k interventions and the rank correlation with each passive score."""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from torch import nn

from tltui.base.intervals import BOOT_SEED, N_BOOT, Outcomes, group_delta, point
from tltui.base.progress import Progress
from tltui.base.rankcorr import spearman
from tltui.base.rundir.interventions import (
    PASSIVE,
    Correlation,
    Cumulative,
    Effect,
    LayerEffects,
    effect,
    expected_sign,
)
from tltui.base.rundir.metrics import DIR
from tltui.core.localise.intervene import applicable, intervened

Predict = Callable[[nn.Module], tuple[np.ndarray, np.ndarray]]
"""A model -> its predicted classes on the clean test images and on the teacher-crafted ones (fixed inputs)."""


@dataclass
class Measured:
    """What `measure` found: the baseline, each layer's effects, the ranking and the cumulative interventions."""

    baseline: Effect
    layers: list[LayerEffects]
    ranking: list[str]
    cumulative: list[Cumulative] = field(default_factory=list)
    correlations: dict[str, Correlation] = field(default_factory=dict)


def _effect(o: Outcomes, base: Outcomes, n_boot: int, seed: int) -> Effect:
    acc, dir_ = point(o)
    return effect(acc, dir_, group_delta([(o, base)], n_boot=n_boot, seed=seed).delta)


def strength(e: Effect | None) -> float | None:
    """How much an intervention moved DIR: |Δ DIR| (None where it did not apply)."""
    d = (e or {}).get("delta", {}).get(DIR.key) if isinstance(e, dict) else None
    return abs(float(d["value"])) if isinstance(d, dict) else None


def measure(
    student: nn.Module,
    teacher: nn.Module,
    y: np.ndarray,
    predict: Predict,
    units: Sequence[str],
    kinds: Sequence[str],
    *,
    rank_by: str = "reinit",
    top_k: int = 3,
    seed: int = 0,
    n_boot: int = N_BOOT,
    boot_seed: int = BOOT_SEED,
    kinds_of: Mapping[str, str] | None = None,
) -> Generator[Progress, None, Measured]:
    """Every intervention of `kinds` on every unit alone, then `rank_by` on the top 1…`top_k` units together.

    `predict` re-evaluates only the student: the teacher-crafted inputs are fixed by the teacher, which no
    intervention touches. Each interval is a paired bootstrap over the test images (the same resamples for the
    intervened and the baseline student, tltui.base.intervals.group_delta with one member)."""
    base = Outcomes.of(y, *predict(student))
    acc0, dir0 = point(base)
    baseline = effect(acc0, dir0)
    todo = [(u, k) for u in units for k in kinds]
    total = len(todo) + max(top_k, 0)
    rows: dict[str, LayerEffects] = {
        u: LayerEffects(name=u, kind=(kinds_of or {}).get(u, _kind(student, u)), effects={}, passive={})
        for u in units
    }
    for i, (unit, kind) in enumerate(todo):
        yield Progress("interventions", i, total, f"{kind} {unit}")
        if not applicable(student, teacher, unit, kind):
            rows[unit]["effects"][kind] = None
            continue
        model, changed = intervened(student, teacher, [unit], kind, seed)
        e = _effect(Outcomes.of(y, *predict(model)), base, n_boot, boot_seed)
        e["changed"] = changed
        rows[unit]["effects"][kind] = e
    scored = [
        (s, i, u) for i, u in enumerate(units) if (s := strength(rows[u]["effects"].get(rank_by))) is not None
    ]
    ranking = [u for _, _, u in sorted(scored, key=lambda t: (-t[0], t[1]))]
    cumulative: list[Cumulative] = []
    for k in range(1, min(top_k, len(ranking)) + 1):
        yield Progress("interventions", len(todo) + k - 1, total, f"{rank_by} top {k}")
        model, changed = intervened(student, teacher, ranking[:k], rank_by, seed)
        e = _effect(Outcomes.of(y, *predict(model)), base, n_boot, boot_seed)
        e["changed"] = changed
        cumulative.append(Cumulative(k=k, layers=ranking[:k], effect=e))
    yield Progress("interventions", total, total, "done")
    return Measured(baseline, [rows[u] for u in units], ranking, cumulative)


def correlate(m: Measured, rank_by: str) -> dict[str, Correlation]:
    """Spearman ρ (permutation p) between each passive score and |Δ DIR| of `rank_by`, over the layers that
    have both; `agrees`: ρ has the sign that would mean the score points at the inheritance, and p < 0.05."""
    effects = [strength(row["effects"].get(rank_by)) for row in m.layers]
    out: dict[str, Correlation] = {}
    for key, _label, _sign in PASSIVE:
        rc = spearman([row["passive"].get(key) for row in m.layers], effects)
        sign = expected_sign(key, rank_by)
        agrees = None if rc.rho is None or rc.p is None else bool(np.sign(rc.rho) == sign and rc.p < 0.05)
        out[key] = Correlation(rho=rc.rho, p=rc.p, n=rc.n, exact=rc.exact, expected=sign, agrees=agrees)
    return out


def _kind(model: nn.Module, name: str) -> str:
    return type(dict(model.named_modules())[name]).__name__
