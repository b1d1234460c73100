"""Which method removes the inheritance: per method its matched difference with intervals and one verdict line,
every variant and seed group as a point of the (DIR, accuracy) board, and the board's Pareto front.

Intervals come from tltui.base.intervals (docs/intervals.md); a summary that already records them is read as is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tltui.base.intervals import Interval, Outcomes, group_delta, group_mean, variant_intervals
from tltui.base.rundir.metrics import AOI, DIR, INTERVALS
from tltui.base.rundir.shape import SeedBlock, SeedGroup
from tltui.base.runjoin import Source as Source
from tltui.base.runjoin import group_age, newest, outcomes
from tltui.base.runjoin import load_source as load_source
from tltui.base.seedstats import group_interval, seed_groups, untreated_matched
from tltui.base.verdict import MIN_SEEDS, MORE_SEEDS

ANALYSIS = ("scratch", "probe", "finetune")
"""The study's own variants: points on the board, compared with no baseline."""


@dataclass(frozen=True)
class Point:
    """One model or seed group on the board: its accuracy and DIR with intervals (a group: over its seeds)."""

    name: str
    acc: Interval
    dir: Interval
    seeds: int = 1
    members: tuple[str, ...] = ()


METHOD_COLUMNS = (
    "method",
    "baseline",
    "seeds",
    "Δ DIR [95 %]",
    "Δ accuracy [95 %]",
    "DIR removed",
    "verdict",
)
"""The columns of a methods table (`Comparison.cells`)."""


@dataclass(frozen=True)
class Comparison:
    """A method against its matched baseline: both points, the differences with their intervals, the verdict."""

    method: str
    point: Point
    baseline: Point
    baseline_label: str
    delta: dict[str, Interval]
    verdict: str
    n_seeds: int

    @property
    def reduction(self) -> float | None:
        """The share of the baseline's DIR the method removes, −Δ DIR / baseline DIR (None for a zero DIR)."""
        base = self.baseline.dir.value
        return -self.delta[DIR.key].value / base if base > 0 else None

    def cells(self) -> tuple[str, str, int, str, str, str, str]:
        """The row every methods table shows (the Pareto tab, `tltui report`), in METHOD_COLUMNS order."""
        r = self.reduction
        return (
            self.method,
            self.baseline_label,
            self.n_seeds,
            fmt_interval(self.delta[DIR.key], delta=True),
            fmt_interval(self.delta[AOI.key], delta=True),
            f"{100 * r:.0f} %".replace("-", "−") if r is not None else "–",
            self.verdict,
        )

    def line(self) -> str:
        """One verdict line: `remos removes 92 % of the inheritance at −1.2 points of accuracy, beyond noise,
        5 seeds`."""
        r, acc = self.reduction, 100.0 * self.delta[AOI.key].value
        if r is None:
            what = f"changes DIR by {signed(self.delta[DIR.key].value)} (its baseline has none)"
        elif r >= 0:
            what = f"removes {100 * r:.0f} % of the inheritance"
        else:
            what = f"adds {100 * -r:.0f} % to the inheritance"
        seeds = f"{self.n_seeds} seed{'s' if self.n_seeds != 1 else ''}"
        tail = f"{MORE_SEEDS} ({seeds})" if self.verdict == MORE_SEEDS else f"{self.verdict}, {seeds}"
        return f"{self.method} {what} at {sign(acc)}{abs(acc):.1f} points of accuracy, {tail}"

    def short(self) -> str:
        """The verdict in one compact line: `remos: −92 % DIR, −1.2 pts accuracy; beyond noise, 5 seeds`."""
        r, acc = self.reduction, 100.0 * self.delta[AOI.key].value
        what = (
            f"{signed(self.delta[DIR.key].value)} DIR" if r is None else f"{sign(-r)}{100 * abs(r):.0f} % DIR"
        )
        seeds = f"{self.n_seeds} seed{'s' if self.n_seeds != 1 else ''}"
        return f"{self.method}: {what}, {sign(acc)}{abs(acc):.1f} pts accuracy; {self.verdict}, {seeds}"


@dataclass(frozen=True)
class Board:
    """Every point, the comparisons (one per method), the Pareto front (point names, by DIR) and a line on what
    the study's own variants show."""

    points: list[Point]
    comparisons: list[Comparison]
    front: list[str]
    study_line: str | None = None
    notes: list[str] = field(default_factory=list)

    def point(self, name: str) -> Point | None:
        return next((p for p in self.points if p.name == name), None)


def sign(x: float) -> str:
    return "+" if x > 0 else "−" if x < 0 else "±"


def signed(x: float, digits: int = 3) -> str:
    return f"{sign(x)}{abs(x):.{digits}f}"


def fmt_interval(i: Interval, digits: int = 3, delta: bool = False) -> str:
    """`0.241 [0.198, 0.285]` (with signs for a difference); the value alone when the interval is unknown."""

    def f(x: float) -> str:
        return signed(x, digits) if delta else f"{x:.{digits}f}"

    if not math.isfinite(i.lo) or not math.isfinite(i.hi):
        return f(i.value)
    return f"{f(i.value)} [{f(i.lo)}, {f(i.hi)}]"


class _Pool:
    """The variants of all sources joined by name (a produced variant from the run with its newest record, any
    other from the first run holding it), with outcomes; the seed groups of the joined records."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.variants: dict[str, Mapping[str, Any]] = {}
        self.derived: dict[str, Mapping[str, Any]] = {}
        self.outcomes: dict[str, Outcomes] = {}
        self.recorded: list[SeedBlock] = []
        owner = newest(sources)
        groups: dict[str, tuple[float, SeedGroup]] = {}  # by name: the run with the group's newest variants
        for i, src in enumerate(sources):
            for g in seed_groups(src.summary.derived, src.summary.variants):
                age = group_age(g, src.summary.derived)
                if g["group"] not in groups or age > groups[g["group"]][0]:
                    groups[g["group"]] = (age, g)
            for name, v in src.summary.variants.items():
                if owner.get(name, i) != i or (name not in owner and name in self.variants):
                    continue
                self.variants[name] = v
                if name in src.summary.derived:
                    self.derived[name] = src.summary.derived[name]
                o = outcomes(src.arrays, name)
                if o is not None:
                    self.outcomes[name] = o
            if src.summary.seeds is not None:
                self.recorded.append(src.summary.seeds)
        self.groups: list[SeedGroup] = [g for _, g in groups.values()]
        # Outcomes only compare on one test set: keep those of the first size.
        sizes = {len(o) for o in self.outcomes.values()}
        if len(sizes) > 1:
            first = len(next(iter(self.outcomes.values())))
            self.outcomes = {n: o for n, o in self.outcomes.items() if len(o) == first}

    def point(self, name: str) -> Point | None:
        """A single variant's point: recorded intervals, else bootstrapped ones, else its values alone."""
        v = self.variants.get(name)
        acc, dir_ = AOI.of(v), DIR.of(v)
        if acc is None or dir_ is None:
            return None
        recorded = v.get(INTERVALS) if v is not None else None
        if isinstance(recorded, Mapping):
            a, d = _interval(recorded.get(AOI.key)), _interval(recorded.get(DIR.key))
            if a is not None and d is not None:
                return Point(name, a, d)
        if name in self.outcomes:
            iv = variant_intervals(self.outcomes[name])
            return Point(name, iv[AOI.key], iv[DIR.key])
        return Point(name, _bare(acc), _bare(dir_))


def _bare(value: float) -> Interval:
    """A value whose interval is unknown (no per-image predictions)."""
    return Interval(value, math.nan, math.nan, "none")


def _interval(raw: object) -> Interval | None:
    if not isinstance(raw, Mapping):
        return None
    try:
        return Interval(float(raw["value"]), float(raw["lo"]), float(raw["hi"]), str(raw.get("includes", "")))
    except (KeyError, TypeError, ValueError):
        return None


def _group_point(pool: _Pool, name: str, members: Sequence[str]) -> Point | None:
    """The seed-mean accuracy and DIR of `members`, with the seeds+images interval of tltui.base.intervals."""
    if len(members) == 1:
        p = pool.point(members[0])
        return Point(name, p.acc, p.dir, 1, tuple(members)) if p is not None else None
    if all(m in pool.outcomes for m in members):
        g = group_mean([pool.outcomes[m] for m in members])
        return Point(name, g[AOI.key], g[DIR.key], len(members), tuple(members))
    accs = [AOI.of(pool.variants.get(m)) for m in members]
    dirs = [DIR.of(pool.variants.get(m)) for m in members]
    if any(a is None for a in accs) or any(d is None for d in dirs):
        return None
    mean_acc = sum(a for a in accs if a is not None) / len(members)
    mean_dir = sum(d for d in dirs if d is not None) / len(members)
    return Point(name, _bare(mean_acc), _bare(mean_dir), len(members), tuple(members))


def _compare(
    pool: _Pool,
    method: str,
    pairs: Sequence[tuple[str, str]],
    label: str,
    base_name: str,
    seeds: Sequence[int] = (),
) -> Comparison | None:
    """`method`'s variants against their matched baselines, seed by seed (one pair: a single run); a seed
    group's (`seeds` given) difference is tltui.base.seedstats.group_interval's, as the comparison rows show it."""
    methods, bases = [m for m, _ in pairs], [b for _, b in pairs]
    point = _group_point(pool, method, methods)
    distinct = list(dict.fromkeys(bases))
    baseline = _group_point(pool, base_name, distinct if len(distinct) > 1 else distinct[:1])
    if point is None or baseline is None:
        return None
    delta: dict[str, Interval] = {}
    verdict = ""
    if seeds:
        seeded = [(s, m, b) for s, (m, b) in zip(seeds, pairs, strict=True)]
        found = group_interval(seeded, pool.outcomes, pool.recorded)
        delta = {k: Interval(g["value"], g["lo"], g["hi"], g["includes"]) for k, g in found.items()}
        verdict = found[DIR.key]["verdict"] if DIR.key in found else ""
    elif all(m in pool.outcomes for m in methods) and all(b in pool.outcomes for b in bases):
        g = group_delta([(pool.outcomes[m], pool.outcomes[b]) for m, b in pairs])
        delta, verdict = dict(g.delta), g.verdict(DIR.key)
    if len(delta) < 2:
        delta = {
            AOI.key: _bare(point.acc.value - baseline.acc.value),
            DIR.key: _bare(point.dir.value - baseline.dir.value),
        }
    if len(pairs) < MIN_SEEDS or not verdict:
        verdict = MORE_SEEDS
    return Comparison(method, point, baseline, label, delta, verdict, len(pairs))


def _baseline_label(method: str | None, baseline: str | None, bases: Sequence[str]) -> str:
    if len(set(bases)) == 1:
        return f"untreated {bases[0]}" if len(bases) > 1 else bases[0]
    if baseline and baseline == method:
        return f"{baseline} control, matched seeds"
    return f"{baseline or 'baseline'}, matched seeds"


def pareto_front(points: Sequence[Point]) -> list[str]:
    """The names of the points no other point beats on both low DIR and high accuracy, by DIR."""
    front = []
    for p in points:
        beaten = any(
            q is not p
            and q.dir.value <= p.dir.value
            and q.acc.value >= p.acc.value
            and (q.dir.value < p.dir.value or q.acc.value > p.acc.value)
            for q in points
        )
        if not beaten:
            front.append(p)
    return [p.name for p in sorted(front, key=lambda p: (p.dir.value, -p.acc.value))]


def _study_line(pool: _Pool) -> str | None:
    """What the study's own variants show: finetune's DIR against scratch's (trained without the teacher)."""
    ft, sc = pool.point("finetune"), pool.point("scratch")
    if ft is None or sc is None:
        return None
    text = f"study: finetune DIR {fmt_interval(ft.dir)} vs scratch {fmt_interval(sc.dir)}"
    if "finetune" in pool.outcomes and "scratch" in pool.outcomes:
        d = group_delta([(pool.outcomes["finetune"], pool.outcomes["scratch"])]).delta[DIR.key]
        said = (
            "inherited"
            if d.lo > 0
            else "no more than without the teacher"
            if d.hi <= 0
            else "not told from noise"
        )
        text += f": {said} (test-set intervals)"
    return text


def board(sources: Sequence[Source]) -> Board:
    """The board of one or more run directories (one study): points, one comparison per method, the front."""
    pool = _Pool(sources)
    groups = pool.groups
    in_group = {p["variant"] for g in groups for p in g["pairs"]} | {
        str(p["baseline"]) for g in groups for p in g["pairs"] if p["baseline"] is not None
    }
    comparisons: list[Comparison] = []
    labels: dict[str, tuple[str, ...]] = {}
    named: dict[tuple[str, ...], str] = {}
    for g in groups:
        matched = [p for p in g["pairs"] if p["baseline"] is not None]
        pairs = [(p["variant"], str(p["baseline"])) for p in matched]
        if not pairs:
            continue
        bases = [b for _, b in pairs]
        mine = next((pool.derived[m] for m, _ in pairs if m in pool.derived), None)
        untreated = str(pool.derived.get(bases[0], {}).get("method", "finetune"))
        label = (
            f"untreated {untreated}, matched seeds"
            if untreated_matched(g, mine)
            else _baseline_label(g["method"], g["baseline"], bases)
        )
        base_name = bases[0] if len(set(bases)) == 1 else label
        distinct = tuple(dict.fromkeys(bases))
        base_name = named.setdefault(distinct, base_name)  # the same models, one point (remos' and dare's)
        if labels.setdefault(base_name, distinct) != distinct:  # another group's matched seeds
            base_name = f"{label}, for {g['group']}"
        c = _compare(pool, str(g["group"]), pairs, label, base_name, [p["seed"] for p in matched])
        if c is not None:
            comparisons.append(c)
    for name, meta in pool.derived.items():
        if name in in_group or "seed" in meta:
            continue
        base = meta.get("base")
        base = str(base) if base in pool.variants else "finetune" if "finetune" in pool.variants else None
        if base is None:
            continue
        c = _compare(pool, name, [(name, base)], base, base)
        if c is not None:
            comparisons.append(c)
    points: list[Point] = []
    seen: set[str] = set()
    for name in pool.variants:
        if name in ANALYSIS and (p := pool.point(name)) is not None:
            points.append(p)
            seen.add(name)
    groups_seen: set[tuple[str, ...]] = set()  # a chain's stage is compared twice: one point for it
    for c in comparisons:
        for p in (c.baseline, c.point):
            if p.name not in seen and not (p.members and p.members in groups_seen):
                points.append(p)
                seen.add(p.name)
                groups_seen.add(p.members)
    notes = [] if pool.outcomes else ["no per-image predictions (instances.npz): values without intervals"]
    return Board(points, comparisons, pareto_front(points), _study_line(pool), notes)
