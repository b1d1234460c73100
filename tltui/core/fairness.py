"""Group fairness metrics (SPD, EOD, AAOD: AIF360's definitions) as pure numpy, and where the groups come from."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tltui.base.errors import DataError, StudyError
from tltui.base.rundir.metrics import AAOD, EOD, GAPS, MACRO_F1, SPD
from tltui.base.rundir.shape import FairnessInfo
from tltui.core.analysis import Analysis
from tltui.core.images import Images
from tltui.core.metrics import accuracy, macro_recall_f1


def _rate(hit: np.ndarray, among: np.ndarray) -> float:
    """P(hit | among), nan over an empty set."""
    n = int(among.sum())
    return float(np.sum(hit & among) / n) if n else float("nan")


def binary_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, g: np.ndarray, favourable: int
) -> dict[str, float]:
    """AIF360's `ClassificationMetric` definitions for one favourable class, group 0 unprivileged and group 1
    privileged: SPD = P(ŷ=f | g=0) − P(ŷ=f | g=1); EOD = TPR(0) − TPR(1); AAOD = ½(|FPR(0) − FPR(1)| +
    |TPR(0) − TPR(1)|), with TPR(g) = P(ŷ=f | y=f, g), FPR(g) = P(ŷ=f | y≠f, g). Signed, as AIF360 returns them."""
    pos, hit = y_true == favourable, y_pred == favourable
    unpriv, priv = g == 0, g == 1
    d_tpr = _rate(hit, pos & unpriv) - _rate(hit, pos & priv)
    d_fpr = _rate(hit, ~pos & unpriv) - _rate(hit, ~pos & priv)
    return {
        SPD.key: _rate(hit, unpriv) - _rate(hit, priv),
        EOD.key: d_tpr,
        AAOD.key: 0.5 * (abs(d_fpr) + abs(d_tpr)),
    }


def one_vs_rest(y_true: np.ndarray, y_pred: np.ndarray, g: np.ndarray, n_classes: int) -> dict[str, float]:
    """K > 2 classes: each class in turn is the favourable one; the mean |SPD|, mean |EOD| and mean AAOD over the
    classes where every rate is defined."""
    per = [binary_metrics(y_true, y_pred, g, c) for c in range(n_classes)]
    out = {}
    for key in (gap.key for gap in GAPS):
        vals = np.array([abs(m[key]) for m in per])
        ok = ~np.isnan(vals)
        out[key] = float(vals[ok].mean()) if ok.any() else float("nan")
    return out


def fairness_report(
    y_true: np.ndarray, y_pred: np.ndarray, g: np.ndarray, n_classes: int, favourable: int | None = None
) -> dict[str, object]:
    """Accuracy, macro F1 and the group fairness metrics: AIF360's (signed) for a binary task with favourable
    class `favourable` (default: class 1, as AIF360's favorable_label), one-vs-rest means for more classes; the
    `scheme` key says which."""
    y_true, y_pred, g = np.asarray(y_true), np.asarray(y_pred), np.asarray(g)
    base: dict[str, object] = {
        "accuracy": accuracy(y_true, y_pred),
        MACRO_F1.key: macro_recall_f1(y_true, y_pred, n_classes)[1],
    }
    if n_classes == 2:
        fav = 1 if favourable is None else favourable
        return {**base, **binary_metrics(y_true, y_pred, g, fav), "scheme": "binary", "favourable": fav}
    return {**base, **one_vs_rest(y_true, y_pred, g, n_classes), "scheme": "one-vs-rest"}


def favourable_index(classes: list[str], name: str | None) -> int | None:
    """The index of the study's declared favourable class; a one-line error when it names no class."""
    if name is None:
        return None
    if name not in classes:
        raise StudyError(
            f"[data] favourable = {name!r}: not a class of the test data (have {', '.join(classes)})"
        )
    return classes.index(name)


def ink_mass(x: np.ndarray) -> np.ndarray:
    """Per image, the total pixel intensity (bright strokes on a dark background, as in the digits): (n,)."""
    return np.asarray(x, dtype=np.float64).reshape(len(x), -1).sum(axis=1)


def ink_of(images: Images, batch_size: int = 256) -> np.ndarray:
    """`ink_mass` of every image, read a batch at a time (no float copy of the split)."""
    parts = [ink_mass(images[i : i + batch_size].numpy()) for i in range(0, len(images), batch_size)]
    return np.concatenate(parts) if parts else np.zeros(0)


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


def fairness_info(groups: Groups, classes: list[str], favourable: int | None) -> FairnessInfo:
    """summary.json `fairness`: where the groups came from, how they split, and which fairness scheme applies."""
    binary = len(classes) == 2
    return FairnessInfo(
        attribute=groups.kind,
        threshold=groups.threshold,
        n_group1=int(groups.test.sum()),
        privileged_group=1,
        scheme="binary" if binary else "one-vs-rest",
        favourable=classes[1 if favourable is None else favourable] if binary else None,
    )


def study_groups(an: Analysis) -> Groups:
    """The study's groups CSV when it names one, else the stroke-weight attribute derived from the images."""
    if an.data.train is None:
        raise StudyError("fairness groups need student training data: set [data] train in the study")
    split = an.data.train
    path = an.study.data.groups
    if path is not None:
        return Groups(groups_from_csv(path, split.ids), groups_from_csv(path, an.data.test.ids), "csv")
    ink = ink_of(split.images)
    t = float(np.median(ink))
    return Groups((ink > t).astype(np.int64), (ink_of(an.data.test.images) > t).astype(np.int64), "ink", t)
