"""The comparison as an exported table: the columns the screen shows (Δ against the named baseline, the interval,
the verdict, the run, the seeds), as plain numbers a spreadsheet reads, one row per group, seed and variant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tltui.base.rundir import Metric
from tltui.base.rundir.shape import SeedGroup, SeedMetric
from tltui.ui.model.comparerows import CompareRow, comparison_rows, groups_of
from tltui.ui.model.rundata import RunData

FIXED = ("row", "name", "kind", "baseline", "seeds", "verdict", "run")
"""Every row: its key (`group:<g>` or the variant), its name, `group` | `seed` | `variant`, what its Δ is
against (named as on screen), its seeds, the verdict (groups) and the run it came from."""
PER_METRIC = ("", "_sd", "_delta", "_delta_lo", "_delta_hi", "_delta_includes")
"""Per metric key: the value (a group's seed mean), its SD over seeds, Δ against the baseline, its 95 %
interval and what variance the interval includes (`seeds+images`, `seeds`; empty when there is none)."""


def export_columns(metrics: Sequence[Metric]) -> tuple[str, ...]:
    return (*FIXED, *(f"{m.key}{suffix}" for m in metrics for suffix in PER_METRIC))


def _group_cells(m: SeedMetric | None) -> tuple[Any, ...]:
    if not m or m["method"]["mean"] is None:
        return (None,) * len(PER_METRIC)
    g = m.get("group")
    if g is not None:
        return (m["method"]["mean"], m["method"]["sd"], g["value"], g["lo"], g["hi"], g["includes"])
    d = m["delta"]
    ci = d.get("ci95")
    lo, hi = (ci[0], ci[1]) if ci else (None, None)
    return (m["method"]["mean"], m["method"]["sd"], d.get("mean"), lo, hi, "seeds" if ci else "")


def _variant_cells(run: RunData, name: str, against: str | None, m: Metric) -> tuple[Any, ...]:
    value = m.of(run.variants.get(name))
    base = m.of(run.variants.get(against)) if against and against != name else None
    d = value - base if value is not None and base is not None else None
    return (value, None, d, None, None, "")


def _seed_of(group: SeedGroup | None, name: str) -> int | None:
    for p in group["pairs"] if group is not None else []:
        if name in (p["variant"], p["baseline"]):
            return p["seed"]
    return None


def comparison_export(
    run: RunData | None, baseline: str, metrics: Sequence[Metric], expanded: Iterable[str] | None = None
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """The columns and rows of the comparison as exported: the rows `comparison_rows` gives (every group's
    seeds under it unless `expanded` says which groups are open), numbers unformatted."""
    groups = {g["group"]: g for g in groups_of(run)}
    opened = set(groups) if expanded is None else set(expanded)
    rows: list[tuple[Any, ...]] = []
    for r in comparison_rows(run, baseline, metrics, opened):
        assert run is not None  # comparison_rows gives none without a run
        rows.append(_row(run, r, groups.get(r.group) if r.group else None, metrics))
    return export_columns(metrics), rows


def _row(run: RunData, r: CompareRow, group: SeedGroup | None, metrics: Sequence[Metric]) -> tuple[Any, ...]:
    if r.is_group and group is not None:
        seeds = " ".join(str(s) for s in group["seeds"])
        cells = [c for m in metrics for c in _group_cells(group["metrics"].get(m.key))]
        return (r.key, group["group"], "group", r.vs, seeds, r.verdict, r.run, *cells)
    name = r.key
    pair = next((p for p in group["pairs"] if name in (p["variant"], p["baseline"])), None) if group else None
    against = pair["baseline"] if pair is not None and pair["variant"] == name else None
    if group is None:
        against = r.vs if r.vs in run.variants else None
    seed = _seed_of(group, name)
    cells = [c for m in metrics for c in _variant_cells(run, name, against, m)]
    kind = "seed" if group is not None else "variant"
    return (r.key, name, kind, r.vs, "" if seed is None else str(seed), r.verdict, r.run, *cells)
