"""The comparison every mitigation and treatment view shows: one row per variant with its Δ against a baseline,
and the accuracy-vs-DIR trade-off chart (`--seeds` groups as one series each)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable

from tltui.base.rundir import Metric, metric_rows
from tltui.base.rundir import metrics as M
from tltui.ui.export import ExportTable
from tltui.ui.keys import COMPARE_KEYS, bindings
from tltui.ui.model.compare_export import comparison_export
from tltui.ui.model.comparerows import GROUP_PREFIX, CompareRow, comparison_rows, groups_of
from tltui.ui.model.rundata import RunData
from tltui.ui.model.tradeoff import tradeoff_spec
from tltui.ui.widgets.chart import Chart
from tltui.ui.widgets.table import Table

COMPARE: tuple[Metric, ...] = (M.AOI, M.AAI, M.DIR, M.MACRO_F1)


def compare_rows(run: RunData | None) -> list[tuple[Any, ...]]:
    if run is None:
        return []
    return metric_rows(run.variants, COMPARE)


def comparison_table(name: str, run: RunData | None, table: ComparisonTable) -> ExportTable | None:
    """The comparison as exported (`tltui.ui.model.compare_export`): the screen's columns, Δ against the
    baseline each row names, the interval and verdict of groups, every group's seeds; None without rows."""
    columns, rows = comparison_export(run, table.baseline, COMPARE)
    return ExportTable(name, columns, tuple(rows)) if rows else None


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
        self.chart: Chart | None = None
        """The trade-off chart that follows the expanded groups (seeds shown) or not (one point each)."""

    def show(self, run: RunData | None, baseline: str) -> None:
        if run is not self.run:
            self.expanded &= {g["group"] for g in groups_of(run)}
        self.run, self.baseline = run, baseline
        self.shown = fill_comparison(self, run, baseline, self.expanded)
        if self.chart is not None:
            self.chart.show(tradeoff_spec(run, self.expanded), "no variants to compare")

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
        table.chart = chart
        table.show(run, baseline)
    else:
        fill_comparison(table, run, baseline)
        chart.show(tradeoff_spec(run), "no variants to compare")
