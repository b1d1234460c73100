"""Group fairness metrics (SPD, EOD, AAOD) as pure numpy, and where the sensitive groups come from."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tltui.base.errors import DataError, StudyError
from tltui.core.analysis import Analysis
from tltui.core.metrics import accuracy, macro_recall_f1


def _rate(hit: np.ndarray, among: np.ndarray) -> float:
    """P(hit | among), nan over an empty set."""
    n = int(among.sum())
    return float(np.sum(hit & among) / n) if n else float("nan")


def spd_per_class(y_pred: np.ndarray, g: np.ndarray, n_classes: int) -> np.ndarray:
    """Statistical parity difference per class: SPD_c = P(ŷ = c | g = 1) − P(ŷ = c | g = 0); (K,)."""
    g1, g0 = g == 1, g == 0
    return np.array([_rate(y_pred == c, g1) - _rate(y_pred == c, g0) for c in range(n_classes)])


def eod_per_class(y_true: np.ndarray, y_pred: np.ndarray, g: np.ndarray, n_classes: int) -> np.ndarray:
    """Equal opportunity difference per class (one-vs-rest): EOD_c = TPR_c(g=1) − TPR_c(g=0), with
    TPR_c(g) = P(ŷ = c | y = c, g); nan where a group has no instance of class c. (K,)."""
    out = []
    for c in range(n_classes):
        pos = y_true == c
        out.append(_rate(y_pred == c, pos & (g == 1)) - _rate(y_pred == c, pos & (g == 0)))
    return np.array(out)


def aaod_per_class(y_true: np.ndarray, y_pred: np.ndarray, g: np.ndarray, n_classes: int) -> np.ndarray:
    """Average absolute odds difference per class: AAOD_c = ½(|FPR_c(1) − FPR_c(0)| + |TPR_c(1) − TPR_c(0)|),
    FPR_c(g) = P(ŷ = c | y ≠ c, g). (K,)."""
    out = []
    for c in range(n_classes):
        pos, hit = y_true == c, y_pred == c
        d_fpr = _rate(hit, ~pos & (g == 1)) - _rate(hit, ~pos & (g == 0))
        d_tpr = _rate(hit, pos & (g == 1)) - _rate(hit, pos & (g == 0))
        out.append(0.5 * (abs(d_fpr) + abs(d_tpr)))
    return np.array(out)


def _mean_abs(v: np.ndarray) -> float:
    """Mean |v| over the defined entries (nan if none is defined)."""
    ok = ~np.isnan(v)
    return float(np.mean(np.abs(v[ok]))) if ok.any() else float("nan")


def fairness_report(
    y_true: np.ndarray, y_pred: np.ndarray, g: np.ndarray, n_classes: int
) -> dict[str, float]:
    """Accuracy, macro F1, and the multi-class fairness summary: SPD and EOD as the mean |·| over classes,
    AAOD as the mean over classes (classes where a rate is undefined for a group are left out)."""
    y_true, y_pred, g = np.asarray(y_true), np.asarray(y_pred), np.asarray(g)
    return {
        "accuracy": accuracy(y_true, y_pred),
        "macro_f1": macro_recall_f1(y_true, y_pred, n_classes)[1],
        "spd": _mean_abs(spd_per_class(y_pred, g, n_classes)),
        "eod": _mean_abs(eod_per_class(y_true, y_pred, g, n_classes)),
        "aaod": _mean_abs(aaod_per_class(y_true, y_pred, g, n_classes)),
    }


def ink_mass(x: np.ndarray) -> np.ndarray:
    """Per image, the total pixel intensity (bright strokes on a dark background, as in the digits): (n,)."""
    return np.asarray(x, dtype=np.float64).reshape(len(x), -1).sum(axis=1)


def demo_groups(x: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """The demo's sensitive attribute: 1 = heavy strokes (ink mass above `threshold`, by default the median of
    `x`; pass the training median to label test images), 0 = light strokes. (n,) int64."""
    ink = ink_mass(x)
    t = float(np.median(ink)) if threshold is None else threshold
    return (ink > t).astype(np.int64)


def groups_from_csv(path: Path, ids: list[str]) -> np.ndarray:
    """Map instance ids to groups 0/1 from a CSV of `id,group` rows (an optional header row `id,group`).

    Groups may be 0/1 or any two labels (sorted: the first becomes 0). Raises DataError for a missing file,
    a bad row, an id given two groups, more than two groups, or ids of the split absent from the file.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"groups file {path}: not found")
    table: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for lineno, row in enumerate(csv.reader(f), start=1):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != 2 or not row[0].strip() or not row[1].strip():
                raise DataError(
                    f"groups file {path}, line {lineno}: expected 'id,group', got {','.join(row)!r}"
                )
            key, val = row[0].strip(), row[1].strip()
            if lineno == 1 and key.lower() == "id":
                continue
            if table.get(key, val) != val:
                raise DataError(
                    f"groups file {path}, line {lineno}: id '{key}' has two groups ({table[key]}, {val})"
                )
            table[key] = val
    labels = sorted(set(table.values()))
    if len(labels) > 2:
        raise DataError(
            f"groups file {path}: {len(labels)} groups ({', '.join(labels[:5])}); need exactly two"
        )
    missing = [i for i in ids if i not in table]
    if missing:
        more = f" (+{len(missing) - 3} more)" if len(missing) > 3 else ""
        raise DataError(
            f"groups file {path}: no group for {len(missing)} of {len(ids)} instances, e.g. {', '.join(missing[:3])}{more}"
        )
    code = {"0": 0, "1": 1} if set(labels) <= {"0", "1"} else {v: k for k, v in enumerate(labels)}
    return np.array([code[table[i]] for i in ids], dtype=np.int64)


@dataclass(frozen=True)
class Groups:
    """The sensitive attribute of the train and test instances (0/1), and where it came from."""

    train: np.ndarray
    test: np.ndarray
    kind: str
    """`csv` (the study's [data] groups file) or `ink` (the demo's stroke weight, from the images)."""
    threshold: float = 0.0
    """For `ink`: the training median of the ink mass; above it is group 1."""


def study_groups(an: Analysis) -> Groups:
    """The study's groups CSV when it names one, else the stroke-weight attribute derived from the images."""
    if an.data.train is None:
        raise StudyError("fairness groups need student training data: set [data] train in the study")
    split = an.data.train
    path = an.study.data.groups
    if path is not None:
        return Groups(groups_from_csv(path, split.ids), groups_from_csv(path, an.data.test.ids), "csv")
    t = float(np.median(ink_mass(split.x.numpy())))
    return Groups(demo_groups(split.x.numpy(), t), demo_groups(an.data.test.x.numpy(), t), "ink", t)
