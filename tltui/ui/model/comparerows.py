"""The comparison table's rows as data: `--seeds` groups first (mean ± SD, Δ against the matched baseline with its
interval and verdict), then every variant with its Δ against the baseline named in its row."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tltui.base import catalogue
from tltui.base.intervals import Outcomes
from tltui.base.rundir import INSTANCES, Metric, keys
from tltui.base.rundir.metrics import DIR, INTERVAL_METRICS
from tltui.base.rundir.shape import DerivedRecord, SeedGroup, SeedMetric
from tltui.base.seedstats import seed_groups, untreated_matched
from tltui.base.stack import chain_of
from tltui.ui.model.glossary import delta
from tltui.ui.model.rundata import RunData

GROUP_PREFIX = "group:"
"""Row keys of group rows: `group:<group>` (a variant's row key is its name)."""


@dataclass(frozen=True)
class CompareRow:
    """One row of a comparison: a seed group, one of its seeds (method or matched baseline), or a variant."""

    key: str
    label: str
    cells: tuple[str, ...]
    """One per compared metric."""
    vs: str
    """What the Δ is against, named."""
    verdict: str
    run: str
    group: str | None = None
    """The group a seed row belongs to; a group row's own group."""

    @property
    def is_group(self) -> bool:
        return self.key.startswith(GROUP_PREFIX)


def baseline_name(group: SeedGroup, derived: Mapping[str, DerivedRecord]) -> str:
    """The group's baseline named for what it is: `finetune, matched seeds`, `model-doctor channel α = 0 control`,
    `untreated finetune` (a treatment without a control compares with the variant it treated)."""
    first = next((p["baseline"] for p in group["pairs"] if p["baseline"] is not None), None)
    record = derived.get(first) if first is not None else None
    mine = next((derived[p["variant"]] for p in group["pairs"] if p["variant"] in derived), None)
    if (
        chain_of(mine) and record is not None
    ):  # a chain's stage: its first stage's baseline, or the stage before
        return f"{record.get('group') if record.get('role') == 'method' else record.get('method')}, matched seeds"
    if untreated_matched(group, mine):
        return f"untreated {record.get('method') if record else 'finetune'}, matched seeds"
    # A seed's own baseline keeps its name when a later run (`mitigate --method finetune --seeds`) rewrote its
    # record as that run's method: only a model every seed shares is the untreated variant.
    if record is None or (record.get("role") != "baseline" and _shared_baseline(group)):
        return f"untreated {first}" if first is not None else "no baseline"
    method = str(record.get("method"))
    entries = catalogue.TREATMENTS if (mine or record).get("kind") == "treatment" else catalogue.MITIGATIONS
    entry = entries.get(str(mine.get("method"))) if mine is not None else None
    if entry is not None and entry.baseline_params:
        labels = {s.name: s.label for s in entries[method].specs()} if method in entries else {}
        fixed = ", ".join(f"{labels.get(k, k)} = {v:g}" for k, v in entry.baseline_params)
        return f"{method} {fixed} control"
    return f"{method}, matched seeds"


def _shared_baseline(group: SeedGroup) -> bool:
    """Every seed of `group` compares with one model (or none): not a baseline at matched seeds."""
    return len({p["baseline"] for p in group["pairs"]}) <= 1


def outcomes_of(run: RunData, names: Iterable[str]) -> dict[str, Outcomes]:
    """Per-image outcomes of `names` from the runs' instances.npz (the newest run holding each variant first)."""
    import numpy as np  # not before the first frame

    wanted, found = set(names), dict[str, Outcomes]()
    for path in run.artifacts(INSTANCES):
        if not wanted - set(found):
            break
        try:
            with np.load(path, allow_pickle=False) as data:
                files = set(data.files)
                if keys.LABELS not in files:
                    continue
                y = data[keys.LABELS]
                for name in wanted - set(found):
                    pred, tpred = keys.pred_key(name), keys.pred_key(name, "teacher_adv_pred")
                    if {pred, tpred} <= files and len(data[pred]) == len(y):
                        found[name] = Outcomes.of(y, data[pred], data[tpred])
        except (OSError, ValueError, EOFError):
            continue
    return found


_CACHE: dict[tuple[Any, ...], list[SeedGroup]] = {}


def groups_of(run: RunData | None) -> list[SeedGroup]:
    """The run's `--seeds` groups with their group intervals (tltui.base.seedstats.group_interval): as the runs
    recorded them, else computed from the recorded per-image predictions (once per run and set of variants)."""
    if run is None:
        return []
    recorded = run.seed_blocks
    plain = seed_groups(run.derived, run.variants, recorded=recorded)
    if all(_has_intervals(g) for g in plain):
        return plain
    members = sorted({n for g in plain for p in g["pairs"] for n in (p["variant"], p["baseline"]) if n})
    key = (
        run.run_dir,
        run.merged_from,
        tuple(members),
        tuple(run.sources.get(n, "") for n in members),
        json.dumps(recorded, sort_keys=True, default=str),  # what the runs recorded decides what is computed
    )
    if key not in _CACHE:
        _CACHE[key] = seed_groups(run.derived, run.variants, outcomes_of(run, members), recorded)
    return _CACHE[key]


def _has_intervals(g: SeedGroup) -> bool:
    return all("group" in g["metrics"].get(m.key, {}) for m in INTERVAL_METRICS)


def group_cell(m: SeedMetric | None) -> str:
    """mean ± SD over seeds, then Δ to the matched baselines: with its interval over seeds and images where the
    run has per-image outcomes, else the seeds' mean difference."""
    if not m or m["method"]["mean"] is None:
        return "—"
    sd = m["method"]["sd"]
    text = f"{m['method']['mean']:.3f}" + (f"±{sd:.3f}" if sd is not None else "")
    g = m.get("group")
    if g is not None:
        return f"{text} Δ{g['value']:+.3f} [{g['lo']:+.3f}, {g['hi']:+.3f}]"
    d = m["delta"]
    return text if d.get("mean") is None else f"{text} Δ{d['mean']:+.3f}"


def group_verdict(group: SeedGroup) -> str:
    """The verdict of DIR and accuracy (the metrics with intervals over seeds and images; else the seeds' t
    interval's), one phrase when they agree; none for a group without a baseline (`finetune --seeds`)."""
    if all(p["baseline"] is None for p in group["pairs"]):
        return ""
    said = []
    for m in sorted(INTERVAL_METRICS, key=lambda m: m is not DIR):
        block = group["metrics"].get(m.key)
        g = block.get("group") if block is not None else None
        verdict = (
            g["verdict"] if g is not None else block["delta"].get("verdict") if block is not None else None
        )
        if verdict:
            said.append((m.label, verdict))
    if len({v for _, v in said}) == 1:
        return said[0][1]
    return "; ".join(f"{label} {verdict}" for label, verdict in said)


def comparison_rows(
    run: RunData | None, baseline: str, metrics: Sequence[Metric], expanded: Iterable[str] = ()
) -> list[CompareRow]:
    """Group rows first (each followed by its seeds' rows when its group is in `expanded`), then every variant
    outside the groups with its Δ against `baseline` (none when empty)."""
    if run is None:
        return []
    variants, derived, opened = run.variants, run.derived, set(expanded)
    rows, claimed = [], set()
    for g in groups_of(run):
        rows.append(
            CompareRow(
                f"{GROUP_PREFIX}{g['group']}",
                f"{'▾' if g['group'] in opened else '▸'} {g['group']} ×{len(g['seeds'])} seeds",
                tuple(group_cell(g["metrics"].get(m.key)) for m in metrics),
                baseline_name(g, derived),
                group_verdict(g),
                ", ".join(dict.fromkeys(run.source(p["variant"]) for p in g["pairs"])),
                g["group"],
            )
        )
        for p in g["pairs"]:
            for name, against in ((p["variant"], p["baseline"]), (p["baseline"], None)):
                if name is None or name in claimed or name not in variants:
                    continue
                record = derived.get(name)
                if against is None and (
                    record is None or (record.get("role") != "baseline" and _shared_baseline(g))
                ):
                    continue  # an untreated variant every seed shares: it keeps its own row
                claimed.add(name)
                if g["group"] in opened:
                    rows.append(_row(run, name, against, metrics, f"  seed {p['seed']}: ", g["group"]))
    for name in variants:
        if name not in claimed:
            rows.append(_row(run, name, baseline or None, metrics, "", None))
    return rows


def _row(
    run: RunData, name: str, against: str | None, metrics: Sequence[Metric], prefix: str, group: str | None
) -> CompareRow:
    v, b = run.variants[name], run.variants.get(against) if against else None
    if against == name or against is None or b is None:
        cells = tuple(delta(m.of(v), None) for m in metrics)
        vs = "(baseline)" if against == name else "(matched baseline)" if group is not None else ""
    else:
        cells = tuple(delta(m.of(v), m.of(b)) for m in metrics)
        vs = against
    return CompareRow(name, prefix + name, cells, vs, "", run.source(name), group)
