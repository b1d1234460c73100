"""Tiny hand-made run directories (summary.json and instances.npz, no models) for the verdict and report tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import numpy as np

from tltui.base.rundir import keys as K
from tltui.base.rundir.files import INSTANCES, SUMMARY
from tltui.base.rundir.metrics import AOI, DIR
from tltui.base.rundir.shape import AttackBlock, TeacherAttackBlock, TeacherInfo, VariantMetrics
from tltui.base.rundir.writer import add_produced, new_summary, teacher_attack_block
from tltui.base.runfiles import save_json, save_npz
from tltui.base.seedstats import seed_groups

N = 400
CLASSES = 4


def outcomes(acc: float, dir_: float, seed: int, n: int = N) -> tuple[np.ndarray, np.ndarray]:
    """Predictions and teacher-crafted predictions with about `acc` accuracy and `dir_` DIR on labels `labels()`."""
    rng = np.random.default_rng(seed)
    y = labels(n)
    correct = rng.random(n) < acc
    pred = np.where(correct, y, (y + 1) % CLASSES)
    fooled = correct & (rng.random(n) < dir_)
    return pred, np.where(fooled, (pred + 1) % CLASSES, pred)


def labels(n: int = N) -> np.ndarray:
    return np.arange(n) % CLASSES


def make_run(
    root: Path,
    models: Mapping[str, tuple[float, float, int]],
    derived: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    produced: str | None = None,
    seeds: bool = False,
) -> Path:
    """A run directory at `root`: per variant (accuracy, DIR, seed) its predictions; `derived` the produced
    variants' records; `produced` the first produced name (a mitigate/treat run); `seeds` adds the seeds block."""
    root.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {K.LABELS: labels()}
    variants: dict[str, VariantMetrics] = {}
    y = labels()
    for name, (acc, dir_, seed) in models.items():
        pred, tpred = outcomes(acc, dir_, seed)
        arrays[K.pred_key(name, "pred")] = pred
        arrays[K.pred_key(name, "teacher_adv_pred")] = tpred
        right = pred == y
        row = {AOI.key: float(right.mean()), DIR.key: float((right & (tpred != pred)).sum() / right.sum())}
        variants[name] = cast(VariantMetrics, row)
    attack = cast(AttackBlock, {"name": "pgd", "eps": 0.1, "alpha": 0.02, "steps": 10, "random_start": False})
    teacher_attack: TeacherAttackBlock = teacher_attack_block(
        "feature",
        None,
        "pixel",
        {"eps": 0.1, "alpha": 0.02, "steps": 10, "random_start": True, "norm": "linf"},
    )
    summary = new_summary(
        study="tiny",
        device="cpu",
        variants=variants,
        teacher=TeacherInfo(source_acc=None),
        attack=attack,
        teacher_attack=teacher_attack,
        layers=[],
        derived=derived or {},
        fairness=None,
        n_test=N,
        classes=[str(c) for c in range(CLASSES)],
        ids=[f"img-{i}" for i in range(N)],
        seconds=1.0,
    )
    if produced is not None and derived:
        add_produced(summary, produced, derived[produced], list(derived))
    if seeds and derived:
        [group] = seed_groups(derived, variants)
        summary["seeds"] = {k: v for k, v in group.items() if k != "group"}  # type: ignore[assignment]
    save_json(root / SUMMARY, summary)
    save_npz(root / INSTANCES, **arrays)
    return root


def seed_run(root: Path, method: str, n_seeds: int, effect: float, *, base_dir: float = 0.4) -> Path:
    """A `--seeds` run of `method` against matched finetunes: DIR lowered by `effect` at every seed."""
    models: dict[str, tuple[float, float, int]] = {"scratch": (0.9, 0.1, 1), "finetune": (0.9, base_dir, 2)}
    derived: dict[str, dict[str, Any]] = {}
    for s in range(n_seeds):
        models[f"{method}-s{s}"] = (0.88, base_dir - effect, 100 + s)
        models[f"finetune-s{s}"] = (0.9, base_dir, 200 + s)
        common = {"kind": "mitigation", "base": None, "group": method, "seed": s, "params": {}}
        derived[f"{method}-s{s}"] = {"method": method, "role": "method", **common}
        derived[f"finetune-s{s}"] = {"method": "finetune", "role": "baseline", **common}
    return make_run(root, models, derived, produced=f"{method}-s0", seeds=True)
