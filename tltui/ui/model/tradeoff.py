"""The accuracy-vs-DIR trade-off chart as data: one point per variant, a `--seeds` group as one series (its seed
mean with interval whiskers, as the Pareto tab draws it), its seeds' points when the group is expanded."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tltui.base.intervals import Interval, Outcomes, group_mean
from tltui.base.rundir import metrics as M
from tltui.base.rundir.shape import DerivedRecord, SeedGroup
from tltui.base.tquantile import t95
from tltui.ui.model.chart_spec import ChartSpec, Series, color_order, group_key
from tltui.ui.model.comparerows import baseline_name, groups_of, outcomes_of
from tltui.ui.model.rundata import RunData

TITLE = "accuracy vs inherited weakness (best: top left; groups: seed mean, 95 % whiskers; e: seeds)"

_MEANS: dict[tuple[Any, ...], dict[str, Interval]] = {}


def seeds_interval(values: Sequence[float]) -> Interval:
    """The mean of per-seed values with its 95 % t interval over the seeds (seed noise only): the whiskers of a
    group whose per-image predictions are not at hand."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return Interval(mean, mean, mean, "none")
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t95(n - 1) * sd / math.sqrt(n)
    return Interval(mean, max(mean - half, 0.0), min(mean + half, 1.0), "seeds")  # shares: within [0, 1]


def group_point(run: RunData, members: Sequence[str]) -> dict[str, Interval] | None:
    """Accuracy and DIR of a group's `members` as one point: the seed mean with its interval over seeds and
    images (tltui.base.intervals.group_mean, the Pareto tab's) from the recorded per-image predictions, else
    over seeds only; None when a member lacks either number."""
    accs = [M.AOI.of(run.variants.get(m)) for m in members]
    dirs = [M.DIR.of(run.variants.get(m)) for m in members]
    acc_values = [a for a in accs if a is not None]
    dir_values = [d for d in dirs if d is not None]
    if not members or len(acc_values) < len(members) or len(dir_values) < len(members):
        return None
    key = (run.run_dir, run.merged_from, tuple(members), tuple(run.sources.get(n, "") for n in members))
    if key not in _MEANS:
        found: Mapping[str, Outcomes] = outcomes_of(run, members)
        if len(members) > 1 and all(m in found for m in members):
            _MEANS[key] = group_mean([found[m] for m in members])
        else:
            _MEANS[key] = {M.AOI.key: seeds_interval(acc_values), M.DIR.key: seeds_interval(dir_values)}
    return _MEANS[key]


def whiskers(point: Mapping[str, Interval]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(accuracy, DIR) of one polyline through the point: its DIR interval across, its accuracy interval up."""
    d, a = point[M.DIR.key], point[M.AOI.key]
    xs, ys = [d.value], [a.value]
    if math.isfinite(d.lo) and math.isfinite(d.hi) and d.hi > d.lo:
        xs, ys = [d.lo, d.hi, d.value], [a.value, a.value, a.value]
    if math.isfinite(a.lo) and math.isfinite(a.hi) and a.hi > a.lo:
        xs, ys = [*xs, d.value, d.value], [*ys, a.lo, a.hi]
    return tuple(ys), tuple(xs)


def _sides(g: SeedGroup, derived: Mapping[str, DerivedRecord]) -> list[tuple[str, list[str]]]:
    """The group's method variants, and its matched baselines named as the comparison names them (an untreated
    variant every seed shares keeps its own point)."""
    bases = [p["baseline"] for p in g["pairs"] if p["baseline"] is not None]
    matched = [b for b in dict.fromkeys(bases) if b in derived and derived[b].get("role") == "baseline"]
    sides = [(str(g["method"]), list(dict.fromkeys(p["variant"] for p in g["pairs"])))]
    return sides + ([(baseline_name(g, derived).removesuffix(", matched seeds"), matched)] if matched else [])


def tradeoff_spec(run: RunData | None, expanded: Iterable[str] = ()) -> ChartSpec:
    """Accuracy against DIR: one point per variant; a `--seeds` group (its method, and its matched baselines)
    as one series, its seed mean with 95 % whiskers, or its seeds' points while the group is in `expanded`."""
    variants = run.variants if run else {}
    groups = groups_of(run)
    opened = set(expanded)
    derived = run.derived if run else {}
    sides = {g["group"]: _sides(g, derived) for g in groups}
    colors = color_order(variants, (group_key(label) for s in sides.values() for label, _ in s))
    grouped = {n for s in sides.values() for _, members in s for n in members}
    series = []
    for name, v in variants.items():
        aoi, dir_ = M.AOI.of(v), M.DIR.of(v)
        if name not in grouped and aoi is not None and dir_ is not None:
            series.append(Series(name, (aoi,), (dir_,), color=colors[name]))
    drawn: set[tuple[str, ...]] = set()
    for g in groups:
        for label, members in sides[g["group"]]:
            members = [n for n in members if n in variants]
            if (
                tuple(members) in drawn
            ):  # the same models as another group's side (dare's and remos' finetunes)
                continue
            drawn.add(tuple(members))
            color = colors[group_key(label)]
            name = f"{label} ×{len(members)} seeds"
            point = group_point(run, members) if run is not None and members else None
            if point is None:
                continue
            if g["group"] in opened:
                xs = tuple(d for n in members if (d := M.DIR.of(variants[n])) is not None)
                ys = tuple(a for n in members if (a := M.AOI.of(variants[n])) is not None)
                series.append(Series(name, ys, xs, color=color))
            else:
                ys, xs = whiskers(point)
                series.append(Series(name, ys, xs, color=color, joined=len(xs) > 1))
    return ChartSpec("scatter", tuple(series), TITLE, xlabel="DIR", ylabel="AOI")
