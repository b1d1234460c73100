"""The comparison every mitigation and treatment view shows: one row per variant with its Δ against a baseline,
and the accuracy-vs-DIR trade-off chart (`--seeds` groups as one series each)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable

from tltui.base.rundir import Metric, metric_rows
from tltui.base.rundir import metrics as M
from tltui.base.seedstats import seed_groups
from tltui.ui.keys import COMPARE_KEYS, bindings
from tltui.ui.model.chart_spec import group_key
from tltui.ui.model.comparerows import GROUP_PREFIX, CompareRow, comparison_rows, groups_of
from tltui.ui.model.rundata import RunData
from tltui.ui.widgets.chart import Chart, ChartSpec, Series, color_order
from tltui.ui.widgets.table import Table

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


class ComparisonTable(Table):
    """A comparison table whose `--seeds` groups expand to their seeds and collapse again (`e`, or enter on a
    group row)."""

    BINDINGS = bindings(COMPARE_KEYS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        super().__init__(*args, **kwargs)
        self.run: RunData | None = None
        self.baseline = ""
        self.expanded: set[str] = set()
        self.shown: list[CompareRow] = []

    def show(self, run: RunData | None, baseline: str) -> None:
        if run is not self.run:
            self.expanded &= {g["group"] for g in groups_of(run)}
        self.run, self.baseline = run, baseline
        self.shown = fill_comparison(self, run, baseline, self.expanded)

    def action_toggle_group(self) -> None:
        """Expand the group of the row under the cursor to its seeds, or collapse it."""
        if self.row_count == 0:
            return
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value or ""
        row = next((r for r in self.shown if r.key == key), None)
        if row is None or row.group is None:
            return
        self.expanded ^= {row.group}
        self.show(self.run, self.baseline)
        index = next(i for i, r in enumerate(self.shown) if r.key == GROUP_PREFIX + row.group)
        self.move_cursor(row=index)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None and event.row_key.value.startswith(GROUP_PREFIX):
            event.stop()
            self.action_toggle_group()


def fill_comparison(
    table: DataTable[Any], run: RunData | None, baseline: str, expanded: Iterable[str] = ()
) -> list[CompareRow]:
    """Fill a comparison table: `--seeds` groups first (mean ± SD, Δ against the matched baseline with its
    interval and verdict), their seeds under them when expanded, then every other variant with its Δ against
    `baseline`; the column "Δ against" names each row's baseline. Returns the rows shown."""
    table.clear(columns=True)
    table.fixed_columns = 1
    table.add_columns("variant", "Δ against", "verdict", *(f"{m.label} (Δ)" for m in COMPARE), "run")
    rows = comparison_rows(run, baseline, COMPARE, expanded)
    for r in rows:
        table.add_row(r.label, r.vs, r.verdict, *r.cells, r.run, key=r.key)
    return rows


def show_comparison(table: DataTable[Any], chart: Chart, run: RunData | None, baseline: str = "") -> None:
    """Fill a comparison table (`fill_comparison`; a ComparisonTable keeps which groups are expanded) and its
    accuracy-vs-DIR chart."""
    if isinstance(table, ComparisonTable):
        table.show(run, baseline)
    else:
        fill_comparison(table, run, baseline)
    chart.show(tradeoff_spec(run), "no variants to compare")
