"""The comparison every mitigation and treatment view shows: one row per variant with its Δ against a baseline,
and the accuracy-vs-DIR trade-off chart (`--seeds` groups as one series each)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from tltui.base.rundir import metric_rows
from tltui.base.seedstats import seed_groups
from tltui.ui.export import fmt_num
from tltui.ui.model.glossary import delta
from tltui.ui.model.rundata import RunData
from tltui.ui.widgets.chart import Chart, ChartSpec, Series, color_order

COMPARE = (("aoi", "AOI"), ("aai", "AAI"), ("dir", "DIR"), ("macro_f1", "macro-F1"))


def compare_rows(run: RunData | None) -> list[tuple[Any, ...]]:
    if run is None:
        return []
    return metric_rows(run.variants, (k for k, _ in COMPARE))


def tradeoff_spec(run: RunData | None) -> ChartSpec:
    """Accuracy against DIR, one point per variant; a `--seeds` run as one series of its seeds' points (and one
    of its baselines'), so its spread shows: a good mitigation sits top left (accurate, not inherited)."""
    variants = run.variants if run else {}
    colors = color_order(variants)
    groups = seed_groups(run.derived, variants) if run else []
    grouped = {n for g in groups for p in g["pairs"] for n in (p["variant"], p["baseline"])} - {None}
    series = []
    for name, v in variants.items():
        aoi, dir_ = v.get("aoi"), v.get("dir")
        if name not in grouped and isinstance(aoi, (int, float)) and isinstance(dir_, (int, float)):
            series.append(Series(name, (float(aoi),), (float(dir_),), color=colors[name]))
    for g in groups:
        for role, label in (("variant", g["method"]), ("baseline", g["baseline"])):
            names = list(dict.fromkeys(p[role] for p in g["pairs"] if p.get(role) in variants))
            pts = [(variants[n].get("dir"), variants[n].get("aoi")) for n in names]
            ok = [
                (float(d), float(a))
                for d, a in pts
                if isinstance(d, (int, float)) and isinstance(a, (int, float))
            ]
            if ok:
                xs, ys = zip(*ok, strict=True)
                series.append(Series(f"{label} ×{len(ok)} seeds", tuple(ys), tuple(xs), color=len(series)))
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
            (k for k, _ in COMPARE),
            next((r[1:] for r in compare_rows(run) if r[0] == baseline), ()),
            strict=False,
        )
    )
    table.add_columns(
        "variant", *(f"{label} (Δ {baseline})" if baseline else label for _, label in COMPARE), "run"
    )
    for row in compare_rows(run):
        name = str(row[0])
        cells = (
            fmt_num(v) if name == baseline or not baseline else delta(v, base.get(k))
            for (k, _), v in zip(COMPARE, row[1:], strict=True)
        )
        table.add_row(
            name + (" (baseline)" if name == baseline else ""), *cells, run.source(name) if run else ""
        )
    for g in seed_groups(run.derived, run.variants) if run else []:
        cells = (seed_cell(g["metrics"].get(k)) for k, _ in COMPARE)
        table.add_row(f"{g['method']} ×{len(g['seeds'])} seeds", *cells, f"vs {g['baseline']}")
    chart.show(tradeoff_spec(run), "no variants to compare")


def seed_cell(m: dict[str, Any] | None) -> str:
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
