"""Overall performance level: per-class accuracy, confusion, macro F1, transferability, CKA, radar axes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tltui.base.rundir.metrics import AAI, AOI, DIR, MACRO_F1, MACRO_RECALL, ROBUST, Metric
from tltui.core.levels._common import EPS, collect

RADAR_AXES = ("AOI", "AAI", "Robust", "macro F1", "macro recall", "1-DIR")


def _labels(y: Any) -> np.ndarray:
    return np.asarray(y, dtype=np.int64).reshape(-1)


def confusion(y_true: Any, y_pred: Any, n: int) -> np.ndarray:
    """Confusion matrix (n, n) int64: rows are true classes, columns predicted classes."""
    t, p = _labels(y_true), _labels(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true has {t.size} labels, y_pred {p.size}")
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= n):
        raise ValueError(f"labels must lie in [0, {n})")
    return np.bincount(t * n + p, minlength=n * n).reshape(n, n).astype(np.int64)


def per_class_accuracy(y_true: Any, y_pred: Any, n_classes: int) -> np.ndarray:
    """Accuracy (recall) of each class, shape (n_classes,); NaN for a class with no instance."""
    cm = confusion(y_true, y_pred, n_classes)
    support = cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, np.diag(cm) / np.maximum(support, 1), np.nan)


def most_confused(y_true: Any, y_pred: Any, n_classes: int, k: int = 3) -> dict[str, np.ndarray]:
    """Per true class, the top-k wrongly predicted classes.

    Returns `classes` (n, k) int64 (-1 where fewer than k wrong classes occur), `counts` (n, k) int64 and
    `rates` (n, k): counts over the class's support (0 where padded).
    """
    cm = confusion(y_true, y_pred, n_classes).copy()
    support = cm.sum(axis=1)
    np.fill_diagonal(cm, 0)
    order = np.argsort(-cm, axis=1, kind="stable")[:, :k]
    counts = np.take_along_axis(cm, order, axis=1)
    pad = max(0, k - counts.shape[1])
    classes = np.pad(np.where(counts > 0, order, -1), ((0, 0), (0, pad)), constant_values=-1)
    counts = np.pad(counts, ((0, 0), (0, pad)))
    rates = counts / np.maximum(support, 1)[:, None]
    return {"classes": classes.astype(np.int64), "counts": counts.astype(np.int64), "rates": rates}


def macro_recall_f1(y_true: Any, y_pred: Any, n: int) -> dict[str, Any]:
    """Per-class precision, recall and F1 (2PR/(P+R)) and their macro averages.

    A zero denominator gives 0 (never NaN). Macro averages run over the classes that occur in y_true or
    y_pred, as scikit-learn's `average="macro"` does without `labels`.
    """
    cm = confusion(y_true, y_pred, n)
    tp = np.diag(cm).astype(np.float64)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    precision = np.divide(tp, tp + fp, out=np.zeros(n), where=(tp + fp) > 0)
    recall = np.divide(tp, tp + fn, out=np.zeros(n), where=(tp + fn) > 0)
    pr = precision + recall
    f1 = np.divide(2 * precision * recall, pr, out=np.zeros(n), where=pr > 0)
    present = (tp + fp + fn) > 0
    m = int(present.sum())
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "macro_precision": float(precision[present].mean()) if m else 0.0,
        MACRO_RECALL.key: float(recall[present].mean()) if m else 0.0,
        MACRO_F1.key: float(f1[present].mean()) if m else 0.0,
    }


def transferability_score(
    target_accs: Mapping[str, float], source_acc_on_target: float | None
) -> dict[str, Any]:
    """Ma et al.'s transferability: best target-model accuracy minus the source model's accuracy on target.

    `target_accs` maps each model trained for the target task (the variants) to its accuracy on the target
    test set; `source_acc_on_target` is the source model's accuracy on that same target test set. Returns
    `score` (positive: transfer helped over using the source model as is), `best` (the variant attaining the
    max), `best_acc` and `source_acc`. All accuracies are fractions in [0, 1]; `score` and `source_acc` are None
    when the source model's accuracy on target data cannot be measured.
    """
    if not target_accs:
        raise ValueError("transferability_score needs at least one target model accuracy")
    best = max(target_accs, key=lambda k: target_accs[k])
    best_acc = float(target_accs[best])
    if source_acc_on_target is None:
        return {"score": None, "best": best, "best_acc": best_acc, "source_acc": None}
    src = float(source_acc_on_target)
    return {"score": best_acc - src, "best": best, "best_acc": best_acc, "source_acc": src}


def linear_cka(X: Any, Y: Any) -> float:
    """Centered linear CKA of two feature matrices (n, d1) and (n, d2), in float64.

    1 for identical features; invariant to orthogonal transforms and isotropic scaling of either side;
    0 when either side is constant (CKA is undefined there).
    """
    x = np.asarray(X, dtype=np.float64).reshape(np.shape(X)[0], -1)
    y = np.asarray(Y, dtype=np.float64).reshape(np.shape(Y)[0], -1)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"CKA needs the same instances on both sides: {x.shape[0]} vs {y.shape[0]}")
    x = x - x.mean(axis=0, keepdims=True)
    y = y - y.mean(axis=0, keepdims=True)
    # scale first so squared norms neither overflow nor underflow; CKA is scale invariant
    x /= max(np.abs(x).max(initial=0.0), EPS)
    y /= max(np.abs(y).max(initial=0.0), EPS)
    n = x.shape[0]
    if n <= max(x.shape[1], y.shape[1]):
        k, m = x @ x.T, y @ y.T
        cross, nx, ny = float(np.sum(k * m)), float(np.linalg.norm(k)), float(np.linalg.norm(m))
    else:
        cross = float(np.linalg.norm(y.T @ x) ** 2)
        nx, ny = float(np.linalg.norm(x.T @ x)), float(np.linalg.norm(y.T @ y))
    if nx < EPS or ny < EPS:
        return 0.0
    return float(np.clip(cross / (nx * ny), 0.0, 1.0))


def _pooled(t: torch.Tensor, pool: int) -> torch.Tensor:
    if t.dim() == 4 and (t.shape[2] > pool or t.shape[3] > pool):
        t = F.adaptive_avg_pool2d(t, pool)
    return t.flatten(1).float().cpu()


def _layer_features(
    model: nn.Module, x: torch.Tensor, layers: Sequence[str], device: str | None, batch_size: int, pool: int
) -> list[np.ndarray]:
    parts: dict[str, list[torch.Tensor]] = {n: [] for n in layers}
    for store in collect(model, x, layers, device, batch_size):
        for n in layers:
            parts[n].append(_pooled(store[n], pool))
    return [torch.cat(parts[n]).numpy() for n in layers]


def align_by_depth(na: int, nb: int) -> list[tuple[int, int]]:
    """Pairs (i, j) matching each layer of the shorter list to the layer of nearest relative depth."""
    if na == 0 or nb == 0:
        return []
    if na <= nb:
        return [(i, min(nb - 1, round((i + 0.5) * nb / na - 0.5))) for i in range(na)]
    return [(j, i) for i, j in align_by_depth(nb, na)]


def _mean_cka(fa: list[np.ndarray], fb: list[np.ndarray]) -> float:
    pairs = align_by_depth(len(fa), len(fb))
    if not pairs:
        return float("nan")
    return float(np.mean([linear_cka(fa[i], fb[j]) for i, j in pairs]))


def cka_matrix(
    models: Mapping[str, nn.Module],
    x: torch.Tensor,
    layers: Mapping[str, Sequence[str]],
    device: str | None = None,
    batch_size: int = 256,
    pool: int = 4,
) -> dict[str, Any]:
    """Variant similarity: linear CKA between every pair of models on the same inputs `x`.

    Each layer's output is average-pooled to at most pool×pool positions and flattened (bounded memory).
    `bottom` (m, m): mean per-layer CKA over the first third (at least one) of each model's layer list;
    `all` (m, m): mean per-layer CKA over all layers. When two models have different layer counts, each
    layer of the shorter list is paired with the layer of nearest relative depth in the longer. Returns
    `names` too.
    """
    names = list(models)
    feats = {n: _layer_features(models[n], x, list(layers[n]), device, batch_size, pool) for n in names}
    m = len(names)
    bottom, full = np.eye(m), np.eye(m)
    for a in range(m):
        for b in range(a + 1, m):
            fa, fb = feats[names[a]], feats[names[b]]
            ba, bb = fa[: max(1, len(fa) // 3)], fb[: max(1, len(fb) // 3)]
            bottom[a, b] = bottom[b, a] = _mean_cka(ba, bb)
            full[a, b] = full[b, a] = _mean_cka(fa, fb)
    return {"names": names, "bottom": bottom, "all": full}


def _metric(d: Mapping[str, Any], metric: Metric) -> float:
    v = metric.raw(d)
    return float("nan") if v is None else float(v)


def radar_axes(metrics: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Radar axes per variant, each clipped to [0, 1]: AOI, AAI, Robust, macro F1, macro recall, 1 − DIR.

    `metrics` maps variant → summary.json-style dict (aoi, aai, robust, macro_f1, macro_recall, dir). Robust
    is computed as AAI/AOI when missing; a missing metric (e.g. DIR null) is NaN. Returns `axes`, `names`
    and `values` (n_variants, 6).
    """
    names = list(metrics)
    rows = []
    for n in names:
        d = metrics[n]
        aoi, aai = _metric(d, AOI), _metric(d, AAI)
        robust = _metric(d, ROBUST)
        if np.isnan(robust) and np.isfinite(aoi) and np.isfinite(aai):
            robust = aai / max(aoi, EPS)
        rows.append([aoi, aai, robust, _metric(d, MACRO_F1), _metric(d, MACRO_RECALL), 1 - _metric(d, DIR)])
    values = np.clip(np.asarray(rows, dtype=np.float64).reshape(len(names), len(RADAR_AXES)), 0.0, 1.0)
    return {"axes": list(RADAR_AXES), "names": names, "values": values}
