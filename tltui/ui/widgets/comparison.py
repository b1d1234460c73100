"""The comparison every mitigation and treatment view shows: one row per variant with its Δ against a baseline,
and the accuracy-vs-DIR trade-off chart (`--seeds` groups as one series each)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from tltui.base.rundir import Metric, metric_rows
from tltui.base.rundir import metrics as M
from tltui.base.rundir.shape import SeedMetric
from tltui.base.seedstats import seed_groups
from tltui.ui.export import fmt_num
from tltui.ui.model.chart_spec import group_key
from tltui.ui.model.glossary import delta
from tltui.ui.model.rundata import RunData
from tltui.ui.widgets.chart import Chart, ChartSpec, Series, color_order

COMPARE: tuple[Metric, ...] = (M.AOI, M.AAI, M.DIR, M.MACRO_F1)


def compare_rows(run: RunData | None) -> list[tuple[Any, ...]]:
    if run is None:
        return []
    return metric_rows(run.variants, COMPARE)


def tradeoff_spec(run: RunData | None) -> ChartSpec:
    """Accuracy against DIR, one point per variant; a `--seeds` run as one series of its seeds' points (and one
    of its baselines'), so its spread shows: a good mitigation sits top left (accurate, not inherited)."""
    variants = run.variants if run else {}
    groups = seed_groups(run.derived, variants) if run else []
    colors = color_order(variants, (group_key(str(x)) for g in groups for x in (g["method"], g["baseline"])))
    grouped = {n for g in groups for p in g["pairs"] for n in (p["variant"], p["baseline"])} - {None}
    series = []
    for name, v in variants.items():
        aoi, dir_ = M.AOI.of(v), M.DIR.of(v)
        if name not in grouped and aoi is not None and dir_ is not None:
            series.append(Series(name, (aoi,), (dir_,), color=colors[name]))
    for g in groups:
        by_role = (
            (g["method"], [p["variant"] for p in g["pairs"]]),
            (g["baseline"], [p["baseline"] for p in g["pairs"]]),
        )
        for label, members in by_role:
            names = list(dict.fromkeys(n for n in members if n is not None and n in variants))
            pts = [(M.DIR.of(variants[n]), M.AOI.of(variants[n])) for n in names]
            ok = [(d, a) for d, a in pts if d is not None and a is not None]
            if ok:
                xs, ys = zip(*ok, strict=True)
                series.append(
                    Series(
                        f"{label} ×{len(ok)} seeds", tuple(ys), tuple(xs), color=colors[group_key(str(label))]
                    )
                )
    return ChartSpec(
        "scatter",
        tuple(series),
        "accuracy vs inherited weakness (best: top left)",
        xlabel="DIR",
        ylabel="AOI",
    )


def baseline_of(run: RunData | None, preferred: str = "finetune") -> str:
    """The variant a comparison measures Δ against: `preferred` when the run has it, else the first variant."""
    names = list(run.variants) if run else []
    return preferred if preferred in names else names[0] if names else ""


def show_comparison(table: DataTable[Any], chart: Chart, run: RunData | None, baseline: str = "") -> None:
    """Fill a comparison table (one row per variant, each number with its Δ against `baseline`, and the run
    it came from) and its accuracy-vs-DIR chart."""
    table.clear(columns=True)
    table.fixed_columns = 1
    base = dict(
        zip(
            (m.key for m in COMPARE),
            next((r[1:] for r in compare_rows(run) if r[0] == baseline), ()),
            strict=False,
        )
    )
    table.add_columns(
        "variant", *(f"{m.label} (Δ {baseline})" if baseline else m.label for m in COMPARE), "run"
    )
    for row in compare_rows(run):
        name = str(row[0])
        cells = (
            fmt_num(v) if name == baseline or not baseline else delta(v, base.get(m.key))
            for m, v in zip(COMPARE, row[1:], strict=True)
        )
        table.add_row(
            name + (" (baseline)" if name == baseline else ""), *cells, run.source(name) if run else ""
        )
    for g in seed_groups(run.derived, run.variants) if run else []:
        cells = (seed_cell(g["metrics"].get(m.key)) for m in COMPARE)
        table.add_row(f"{g['method']} ×{len(g['seeds'])} seeds", *cells, f"vs {g['baseline']}")
    chart.show(tradeoff_spec(run), "no variants to compare")


def seed_cell(m: SeedMetric | None) -> str:
    """mean ± SD over seeds, and the paired Δ to the matched baselines, marked `~` when within the seed noise."""
    if not m or m["method"]["mean"] is None:
        return "—"
    sd = m["method"]["sd"]
    text = f"{m['method']['mean']:.3f}" + (f"±{sd:.3f}" if sd is not None else "")
    d = m["delta"]
    if d.get("mean") is None:
        return text
    noise = " ~noise" if d.get("within_noise") else "" if d.get("within_noise") is False else " (1 seed)"
    return f"{text} Δ{d['mean']:+.3f}{noise}"
