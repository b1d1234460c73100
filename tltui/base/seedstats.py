"""Seeds as an axis: per-seed values, mean ± SD, and whether a method's difference to its matched baseline exceeds
the seed noise (a paired 95 % t interval)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from tltui.base import catalogue, stack
from tltui.base.intervals import BOOT_SEED, N_BOOT, Outcomes, group_delta
from tltui.base.recipe import baseline_name
from tltui.base.rundir.metrics import AAI, AOI, DIR, GAPS, INTERVAL_METRICS, MACRO_F1, Metric
from tltui.base.rundir.shape import (
    GroupInterval,
    Paired,
    SeedBlock,
    SeedGroup,
    SeedMetric,
    SeedPair,
    Spread,
)
from tltui.base.rundir.summary import fairness_of
from tltui.base.tquantile import t95 as t95
from tltui.base.verdict import MORE_SEEDS, verdict

METRICS: tuple[Metric, ...] = (AOI, AAI, DIR, MACRO_F1)
"""The metrics a `--seeds` run compares, then the fairness gaps (GAPS) when its variants have them."""


def spread(values: Sequence[float | None]) -> Spread:
    """The values with their mean, sample SD (None for one value), min and max; None values are left out."""
    vals = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    n = len(vals)
    if n == 0:
        return Spread(values=[], n=0, mean=None, sd=None, min=None, max=None)
    mean = sum(vals) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / (n - 1)) if n > 1 else None
    return Spread(values=vals, n=n, mean=mean, sd=sd, min=min(vals), max=max(vals))


def paired(method: Sequence[float | None], baseline: Sequence[float | None]) -> Paired:
    """method − baseline per seed: mean, SD, the 95 % t interval of the mean difference (seed noise only), its
    `verdict` (tltui.base.verdict: `more seeds needed` below 3 seeds or without spread) and `within_noise` (the
    interval contains 0; None where the verdict is `more seeds needed`: no claim either way)."""
    diffs = [m - b for m, b in zip(method, baseline, strict=True) if m is not None and b is not None]
    s = spread(diffs)
    mean, sd = s["mean"], s["sd"]
    if s["n"] < 2 or mean is None or sd is None:
        return Paired(**s, ci95=None, within_noise=None, verdict=MORE_SEEDS)
    half = t95(s["n"] - 1) * sd / math.sqrt(s["n"])
    lo, hi = mean - half, mean + half
    said = verdict(s["n"], sd, lo, hi)
    return Paired(
        **s, ci95=[lo, hi], within_noise=None if said == MORE_SEEDS else lo <= 0.0 <= hi, verdict=said
    )


def group_intervals(
    pairs: Sequence[tuple[int, str, str | None]], outcomes: Mapping[str, Outcomes]
) -> dict[str, GroupInterval]:
    """Per metric of INTERVAL_METRICS, the group's mean difference method − matched baseline with its interval over
    seeds and test images (tltui.base.intervals.group_delta) and verdict; empty when a pair lacks a baseline or
    the per-image outcomes of one of its variants."""
    both = [(outcomes.get(v), outcomes.get(b) if b is not None else None) for _, v, b in pairs]
    ready = [(m, b) for m, b in both if m is not None and b is not None]
    if not ready or len(ready) < len(pairs):
        return {}
    g = group_delta(ready, n_boot=N_BOOT, seed=BOOT_SEED)
    return {
        m.key: GroupInterval(
            value=g.delta[m.key].value,
            lo=g.delta[m.key].lo,
            hi=g.delta[m.key].hi,
            includes=g.delta[m.key].includes,
            verdict=g.verdict(m.key),
            n_seeds=g.n_seeds,
            seed_sd=g.seed_sd[m.key],
            image_se=g.image_se[m.key],
        )
        for m in INTERVAL_METRICS
    }


def recorded_intervals(
    pairs: Sequence[tuple[int, str, str | None]], recorded: Sequence[SeedBlock]
) -> dict[str, GroupInterval]:
    """The group intervals a run recorded (a summary's `seeds` block, `metrics.<m>.group`) for exactly these
    (variant, baseline) pairs; empty when no block records them for every metric of INTERVAL_METRICS."""
    want = {(v, b) for _, v, b in pairs}
    for block in recorded:
        listed = block.get("pairs")
        have = {
            (p.get("variant"), p.get("baseline"))
            for p in (listed if isinstance(listed, list) else [])
            if isinstance(p, dict)
        }
        metrics = block.get("metrics")
        found = {
            m.key: g
            for m in INTERVAL_METRICS
            if isinstance(metrics, dict)
            and isinstance(metrics.get(m.key), dict)
            and _is_interval(g := metrics[m.key].get("group"))
        }
        if have == want and len(found) == len(INTERVAL_METRICS):
            return found
    return {}


def _is_interval(raw: object) -> TypeGuard[GroupInterval]:
    """A recorded group interval with its numbers and verdict (an older or damaged one is computed again)."""
    return (
        isinstance(raw, dict)
        and all(isinstance(raw.get(k), (int, float)) for k in ("value", "lo", "hi"))
        and isinstance(raw.get("verdict"), str)
    )


def group_interval(
    pairs: Sequence[tuple[int, str, str | None]],
    outcomes: Mapping[str, Outcomes],
    recorded: Sequence[SeedBlock] = (),
) -> dict[str, GroupInterval]:
    """A seed group's intervals over seeds and images, the one source every view reads (the comparison rows,
    the verdict board, the report): as recorded in summary.json when a `seeds` block holds these pairs, else
    computed from the per-image `outcomes` (`group_intervals`); empty when neither can say."""
    return recorded_intervals(pairs, recorded) or group_intervals(pairs, outcomes)


def _metric(variant: Mapping[str, Any] | None, metric: Metric) -> float | None:
    return metric.of(fairness_of(variant)) if metric in GAPS else metric.of(variant)


def seed_block(
    method: str,
    baseline: str | None,
    pairs: Sequence[tuple[int, str, str | None]],
    variants: Mapping[str, Mapping[str, Any]],
    outcomes: Mapping[str, Outcomes] | None = None,
    recorded: Sequence[SeedBlock] = (),
) -> SeedBlock:
    """The `seeds` entry of a summary: which variant and baseline each seed produced, and per metric the method's
    and the baseline's spread and their paired difference; with the variants' per-image `outcomes`, accuracy and
    DIR also get the `group` interval over seeds and images (`group_interval`, which prefers a `recorded`
    block's)."""
    fair = any(fairness_of(variants.get(v)) is not None for _, v, _ in pairs)
    metrics = {}
    for m in (*METRICS, *(GAPS if fair else ())):
        mv = [_metric(variants.get(v), m) for _, v, _ in pairs]
        bv = [_metric(variants.get(b), m) if b is not None else None for _, _, b in pairs]
        metrics[m.key] = SeedMetric(method=spread(mv), baseline=spread(bv), delta=paired(mv, bv))
    for key, interval in group_interval(pairs, outcomes or {}, recorded).items():
        metrics[key]["group"] = interval
    return SeedBlock(
        method=method,
        baseline=baseline,
        seeds=[s for s, _, _ in pairs],
        pairs=[SeedPair(seed=s, variant=v, baseline=b) for s, v, b in pairs],
        metrics=metrics,
    )


def _shared_baselines(g: dict[str, Any], variants: Mapping[str, Any]) -> None:
    """Give the seeds of group `g` without a baseline of their own the one an earlier group made and this one
    reused (its record names that group): the name `tltui.core.produce.plan` gives a method's matched baseline."""
    family = catalogue.FAMILIES.get(str(g.get("kind")), {})
    entry = family.get(str(g.get("method")))
    if entry is None or entry.baseline is None or g.get("chain"):
        return
    for s, d in g["by_seed"].items():
        name = baseline_name(entry.baseline, s, g.get("params", {}), control=bool(entry.baseline_params))
        if "baseline" not in d and name in variants:
            d["baseline"] = name
            g["baseline"] = g["baseline"] or entry.baseline


def untreated_matched(group: SeedBlock, method_record: Mapping[str, Any] | None) -> bool:
    """Whether a group is a treatment without a control (Dare, FMT) compared at every seed with the untreated
    model built at that seed (tltui.core.produce.untreated_run), not with one untreated model."""
    family = catalogue.FAMILIES.get(str((method_record or {}).get("kind")), {})
    entry = family.get(str((method_record or {}).get("method")))
    bases = [p["baseline"] for p in group["pairs"] if p["baseline"] is not None]
    return (
        (method_record or {}).get("kind") == "treatment"
        and not stack.chain_of(method_record)
        and entry is not None
        and entry.baseline is None
        and len(set(bases)) > 1
    )


def _chained(
    groups: dict[str, dict[str, Any]],
    g: dict[str, Any],
    name: str,
    meta: Mapping[str, Any],
    derived: Mapping[str, Mapping[str, Any]],
    variants: Mapping[str, Any],
) -> None:
    """A chain's later stage at one seed (tltui.base.stack): against the matched baseline of its first stage in
    its own group, and against the stage it started from in a group `<group> over <that stage's group>`."""
    seed, matched, base = int(meta["seed"]), meta.get("matched"), meta.get("base")
    g["chain"] = True
    if isinstance(matched, str) and matched in variants:
        g["by_seed"][seed]["baseline"] = matched
        g["baseline"] = str(derived.get(matched, {}).get("method", matched))
    if isinstance(base, str) and base in variants:
        before = str(derived.get(base, {}).get("group", base))
        over = groups.setdefault(
            f"{meta.get('group')} over {before}",
            {"method": meta.get("method"), "baseline": before, "by_seed": {}, "chain": True},
        )
        over["by_seed"][seed] = {"method": name, "baseline": base}


def seed_groups(
    derived: Mapping[str, Mapping[str, Any]],
    variants: Mapping[str, Mapping[str, Any]],
    outcomes: Mapping[str, Outcomes] | None = None,
    recorded: Sequence[SeedBlock] = (),
) -> list[SeedGroup]:
    """The `--seeds` runs among a run's produced variants (their records carry `group`, `role` and `seed`): per
    group, the method's variants by seed with their baselines, and the `seed_block` of the group (with group
    intervals as the runs' `recorded` seeds blocks hold them, else when the variants' per-image `outcomes` are
    given, as read from the run's instances)."""
    groups: dict[str, dict[str, Any]] = {}
    for name, meta in derived.items():
        if "seed" not in meta or meta.get("role") not in ("method", "baseline") or name not in variants:
            continue
        g = groups.setdefault(str(meta.get("group")), {"method": None, "baseline": None, "by_seed": {}})
        g["by_seed"].setdefault(int(meta["seed"]), {})[meta["role"]] = name
        g["method" if meta["role"] == "method" else "baseline"] = meta.get("method")
        if meta["role"] == "method":
            g["kind"] = meta.get("kind")
            g["params"] = meta.get("params", {})  # its recipe names the baseline it may have reused
        if meta["role"] == "method" and stack.chain_of(meta):
            _chained(groups, g, name, meta, derived, variants)
        elif meta["role"] == "method" and meta.get("kind") == "treatment":
            g.setdefault(
                "untreated", meta.get("base")
            )  # every seed's, in runs before matched untreated models
            g["by_seed"][int(meta["seed"])]["untreated"] = meta.get("base")
    out = []
    for group, g in groups.items():
        _shared_baselines(g, variants)
        pairs = [
            (s, d["method"], d.get("baseline", d.get("untreated")))
            for s, d in sorted(g["by_seed"].items())
            if "method" in d
        ]
        if pairs:
            block = seed_block(
                str(g["method"]), g["baseline"] or g.get("untreated"), pairs, variants, outcomes, recorded
            )
            out.append(SeedGroup(group=group, **block))
    return out
