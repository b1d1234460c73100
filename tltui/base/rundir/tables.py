"""Tables derived from a run's arrays with numpy alone: the per-instance table, Model Doctor maps, slice cuts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from tltui.base.errors import ResultsError
from tltui.base.rundir import keys as K
from tltui.base.rundir.files import INSTANCES


def fooled(labels: Any, pred: Any, teacher_adv_pred: Any) -> np.ndarray:
    """Per instance: the clean prediction is right and the teacher-crafted input changes it (the DIR
    numerator: DIR = fooled.sum() / (pred == labels).sum())."""
    y, p = np.asarray(labels), np.asarray(pred)
    out: np.ndarray = (p == y) & (np.asarray(teacher_adv_pred) != p)
    return out


@dataclass(frozen=True)
class VariantColumns:
    """One variant's columns of the instance table (each N long; None where the run has no such array)."""

    pred: np.ndarray
    """Clean prediction."""
    conf: np.ndarray | None
    """Softmax confidence of the clean prediction."""
    adv_pred: np.ndarray | None
    """Prediction on the variant's own white-box adversarial input."""
    teacher_adv_pred: np.ndarray | None
    """Prediction on the teacher-crafted input (the attack that transfers through the inherited features)."""
    correct: np.ndarray
    fooled: np.ndarray
    """See `fooled`; all False without a teacher-crafted prediction."""


@dataclass(frozen=True)
class Update:
    """A produced variant (mitigation, treatment) against the variant it was made from, on the teacher-crafted
    inputs: what the base predicted, what the produced variant predicts, and which way it went."""

    variant: str
    base: str
    before: np.ndarray
    after: np.ndarray
    fixed: np.ndarray
    """The base was wrong, the produced variant is right."""
    broken: np.ndarray
    """The base was right, the produced variant is wrong."""


@dataclass(frozen=True)
class InstanceTable:
    """The per-instance table of a run: labels, ids, each variant's columns and each produced variant's update."""

    labels: np.ndarray
    ids: tuple[str, ...]
    columns: dict[str, VariantColumns]
    updates: tuple[Update, ...] = ()

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def variants(self) -> tuple[str, ...]:
        return tuple(self.columns)

    @cached_property
    def fooled(self) -> np.ndarray:
        """(V, N): `fooled` of every variant, in `variants` order."""
        if not self.columns:
            return np.zeros((0, len(self.labels)), dtype=bool)
        return np.stack([c.fooled for c in self.columns.values()])

    @cached_property
    def fixed(self) -> np.ndarray:
        """(N,): some produced variant fixed the instance."""
        out = np.zeros(len(self.labels), dtype=bool)
        for u in self.updates:
            out |= u.fixed
        return out


def _column(arrays: Mapping[str, np.ndarray], key: str, n: int) -> np.ndarray | None:
    value = arrays.get(key)
    if value is None:
        return None
    value = np.asarray(value).reshape(-1)
    if len(value) != n:
        raise ResultsError(f"{INSTANCES}: '{key}' has {len(value)} rows for {n} labels")
    return value


def instance_table(
    arrays: Mapping[str, np.ndarray],
    derived: Mapping[str, Any] | None = None,
    ids: Sequence[Any] | None = None,
) -> InstanceTable:
    """The instance table from instances.npz `arrays` (labels `y`, per variant its PRED_KINDS).

    `derived` is summary.json `derived` (produced variant → {base, …}): every produced variant whose base is
    in the table and both have teacher-crafted predictions gets an `Update`. `ids` are summary.json `ids`
    (test-set positions when absent or of the wrong length). A column of the wrong length is a ResultsError.
    """
    if K.LABELS not in arrays:
        raise ResultsError(f"{INSTANCES}: has no labels ('{K.LABELS}')")
    y = np.asarray(arrays[K.LABELS]).reshape(-1)
    n = len(y)
    columns: dict[str, VariantColumns] = {}
    for v in K.pred_variants(arrays):
        pred = _column(arrays, K.pred_key(v, "pred"), n)
        assert pred is not None
        tpred = _column(arrays, K.pred_key(v, "teacher_adv_pred"), n)
        columns[v] = VariantColumns(
            pred=pred,
            conf=_column(arrays, K.pred_key(v, "conf"), n),
            adv_pred=_column(arrays, K.pred_key(v, "adv_pred"), n),
            teacher_adv_pred=tpred,
            correct=pred == y,
            fooled=fooled(y, pred, tpred) if tpred is not None else np.zeros(n, dtype=bool),
        )
    updates = []
    for name, meta in (derived or {}).items():
        base = str(meta.get("base")) if isinstance(meta, Mapping) else ""
        mine, theirs = columns.get(name), columns.get(base)
        if mine is None or theirs is None or mine.teacher_adv_pred is None or theirs.teacher_adv_pred is None:
            continue
        before, after = theirs.teacher_adv_pred, mine.teacher_adv_pred
        updates.append(
            Update(name, base, before, after, (before != y) & (after == y), (before == y) & (after != y))
        )
    names = (
        tuple(str(i) for i in ids) if ids is not None and len(ids) == n else tuple(str(i) for i in range(n))
    )
    return InstanceTable(y, names, columns, tuple(updates))


def md_maps(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every model's Model Doctor scores (classes × channels) from features.npz, in file order."""
    out = {}
    for model in K.md_models(arrays):
        scores = np.asarray(arrays[K.md_key(model, "scores")], dtype=float)
        if scores.ndim == 2:
            out[model] = scores
    return out


def preview_cut(order: np.ndarray, sizes: np.ndarray, ratio: float) -> np.ndarray:
    """From preview.npz: per layer, the fraction of its weights among the first round(ratio × N) entries of the
    slice order (the same count ReMoS cuts)."""
    k = round(ratio * len(order))
    counts = np.bincount(np.asarray(order[:k], dtype=np.int64), minlength=len(sizes))
    cut: np.ndarray = counts / np.maximum(np.asarray(sizes, dtype=float), 1.0)
    return cut
