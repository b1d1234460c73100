"""The inheritance timeline's arithmetic: Pareto fronts, the area they dominate, the checkpoint rule, group bands."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from tltui.base.rundir.shape_timeline import TimelineBlock, TimelinePoint, TimelineRun
from tltui.base.tquantile import t95

TOLERANCE = 0.01
"""The checkpoint rule's accuracy tolerance: within one point of the run's best validation accuracy."""


def front(acc: Sequence[float], dirs: Sequence[float]) -> list[int]:
    """Indices of the points no other point dominates (higher or equal accuracy and lower or equal DIR, one of
    them strictly), in the order given."""
    out = []
    for i, (a, d) in enumerate(zip(acc, dirs, strict=True)):
        beaten = any((a2 >= a and d2 <= d and (a2 > a or d2 < d)) for a2, d2 in zip(acc, dirs, strict=True))
        if not beaten:
            out.append(i)
    return out


def hypervolume(acc: Sequence[float], dirs: Sequence[float]) -> float:
    """The area of the (accuracy, DIR) square the points dominate, from the worst corner (accuracy 0, DIR 1):
    1 for a model with accuracy 1 and DIR 0; a higher value is a better front (docs/timeline.md)."""
    idx = sorted(set(front(acc, dirs)), key=lambda i: (acc[i], dirs[i]))
    area, prev = 0.0, 0.0
    for i in idx:  # along the front, accuracy and DIR rise together
        if acc[i] > prev:
            area += (acc[i] - prev) * (1.0 - dirs[i])
            prev = acc[i]
    return area


def choose(points: Sequence[TimelinePoint], tolerance: float = TOLERANCE) -> int | None:
    """The checkpoint the rule picks, on the validation split only: the lowest validation DIR among the points
    within `tolerance` of the run's best validation accuracy (ties: the higher accuracy, then the earlier step);
    None without validation figures. The pick always lies on the validation Pareto front."""
    usable = [i for i, p in enumerate(points) if p["val_accuracy"] is not None and p["val_dir"] is not None]
    if not usable:
        return None
    best = max(float(points[i]["val_accuracy"] or 0.0) for i in usable)
    near = [i for i in usable if float(points[i]["val_accuracy"] or 0.0) >= best - tolerance - 1e-12]
    return min(
        near, key=lambda i: (float(points[i]["val_dir"] or 0.0), -float(points[i]["val_accuracy"] or 0.0), i)
    )


@dataclass(frozen=True)
class Band:
    """A group's mean over its seeds at each timeline point, with the seeds' lowest and highest values (None:
    one seed)."""

    label: str
    epochs: tuple[float, ...]
    mean: tuple[float, ...]
    lo: tuple[float, ...] | None
    hi: tuple[float, ...] | None
    n_seeds: int


def label(run: TimelineRun) -> str:
    """How a run's group is named in the views: the group, or the group's baseline role."""
    return run["group"] if run["role"] == "method" else f"{run['method']} (baseline of {run['group']})"


def bands(runs: Sequence[TimelineRun], field: str) -> list[Band]:
    """Per group (method runs, then baselines), the mean of `field` (`test_dir`, `test_accuracy`, …) at each
    point over the group's seeds, with the seeds' range (what one seed may give: the t interval of a mean of three
    seeds is too wide to read along a curve); runs of unequal length are cut to the shortest."""
    groups: dict[str, list[TimelineRun]] = {}
    for r in sorted(runs, key=lambda r: r["role"] != "method"):
        groups.setdefault(label(r), []).append(r)
    out = []
    for name, members in groups.items():
        n = min(len(r["points"]) for r in members)
        if n == 0:
            continue
        cols = [[float(r["points"][k][field] or 0.0) for r in members] for k in range(n)]  # type: ignore[literal-required]
        mean = tuple(sum(c) / len(c) for c in cols)
        epochs = tuple(float(members[0]["points"][k]["epoch"]) for k in range(n))
        if len(members) < 2:
            out.append(Band(name, epochs, mean, None, None, len(members)))
            continue
        out.append(Band(name, epochs, mean, tuple(map(min, cols)), tuple(map(max, cols)), len(members)))
    return out


def group_hypervolumes(
    runs: Sequence[TimelineRun],
) -> list[tuple[str, float, float | None, float | None, int]]:
    """Per group: (label, mean hypervolume, t interval lo, hi (None with one seed), seeds)."""
    groups: dict[str, list[float]] = {}
    for r in sorted(runs, key=lambda r: r["role"] != "method"):
        groups.setdefault(label(r), []).append(float(r["hypervolume"]))
    out: list[tuple[str, float, float | None, float | None, int]] = []
    for name, vals in groups.items():
        m = sum(vals) / len(vals)
        if len(vals) < 2:
            out.append((name, m, None, None, 1))
            continue
        h = t95(len(vals) - 1) * statistics.stdev(vals) / math.sqrt(len(vals))
        out.append((name, m, m - h, m + h, len(vals)))
    return out


def picked(runs: Sequence[TimelineRun], group: str) -> list[dict[str, float]]:
    """Per seed of `group`, where the checkpoint rule picked: epoch, test DIR and accuracy there."""
    out = []
    for r in runs:
        if label(r) == group and r["chosen"] is not None:
            p = r["points"][r["chosen"]]
            out.append({"epoch": p["epoch"], "test_dir": p["test_dir"], "test_accuracy": p["test_accuracy"]})
    return out


COLUMNS = ("group", "seeds", "front area (95 %)", "picked at epoch", "DIR there", "accuracy there", "kept as")


def rows(runs: Sequence[TimelineRun]) -> list[tuple[str, ...]]:
    """Per group: its seeds, the mean area under its test Pareto front with the seeds' t interval, where the
    checkpoint rule picked (epochs), the test DIR and accuracy there (means), and the variants they were saved as."""
    out: list[tuple[str, ...]] = []
    for name, mean, lo, hi, n in group_hypervolumes(runs):
        area = f"{mean:.3f}" + (f" [{lo:.3f}, {hi:.3f}]" if lo is not None and hi is not None else "")
        picks = picked(runs, name)
        kept = [str(r.get("kept")) for r in runs if label(r) == name and r.get("kept")]
        out.append(
            (
                name,
                str(n),
                area,
                ", ".join(f"{p['epoch']:g}" for p in picks) or "—",
                f"{sum(p['test_dir'] for p in picks) / len(picks):.3f}" if picks else "—",
                f"{sum(p['test_accuracy'] for p in picks) / len(picks):.3f}" if picks else "—",
                ", ".join(kept) or "—",
            )
        )
    return out


def note(b: TimelineBlock) -> str:
    """One line: the fixed teacher attack and its budget, the split sizes, what evaluating cost, the rule."""
    a = b["attack"]
    return (
        f"teacher attack {a.get('name')} (ε {a.get('eps')}, {a.get('steps')} steps, random start "
        f"{'on' if a.get('random_start') else 'off'}) crafted once on {b['n_val']} validation and {b['n_test']} "
        f"test images; evaluating took {b['overhead']:.1%} of the training time; pick: the lowest validation DIR "
        f"within {b['tolerance'] * 100:g} point of the run's best validation accuracy"
    )


def latest(blocks: Sequence[TimelineBlock]) -> list[TimelineRun]:
    """Every recorded run of `blocks` (oldest first), one per variant and role in a group: its latest record."""
    found: dict[tuple[str, str, str], TimelineRun] = {}
    for block in blocks:
        for r in block["runs"]:  # one model may be a group's method and, retrained, another's baseline
            found[(r["variant"], r["role"], r["group"])] = r
    return list(found.values())
