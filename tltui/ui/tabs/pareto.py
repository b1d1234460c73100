"""Pareto: DIR against accuracy for every variant and seed group with interval crosses, the front, the verdicts."""

from __future__ import annotations

import math
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from tltui.base.budget import budget_text
from tltui.base.errors import TltuiError
from tltui.base.rundir import INSTANCES, SUMMARY
from tltui.base.rundir.metrics import AOI, DIR
from tltui.base.verdicts import METHOD_COLUMNS, Board, Point, fmt_interval
from tltui.ui.export import ExportTable
from tltui.ui.model.board import run_board
from tltui.ui.model.rundata import RunData
from tltui.ui.tabs.base import NO_RUN, TabView
from tltui.ui.widgets.chart import Chart, ChartSpec, Series
from tltui.ui.widgets.chart_text import ascii_only
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.table import Table

NOTHING = "Nothing to compare: this run has no variant with both DIR and accuracy."
NO_METHOD = "No method yet: mitigate or treat a variant, at 3 seeds or more for a verdict (`--seeds 3`)."


def _cross(p: Point) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """One polyline that draws the point's DIR interval and accuracy interval as a cross through it."""
    d, a = p.dir, p.acc
    xs, ys = [d.value], [a.value]
    if math.isfinite(d.lo) and math.isfinite(d.hi):
        xs, ys = [d.lo, d.hi, d.value], [a.value, a.value, a.value]
    if math.isfinite(a.lo) and math.isfinite(a.hi):
        xs, ys = [*xs, d.value, d.value], [*ys, a.lo, a.hi]
    return tuple(ys), tuple(xs)


def pareto_spec(board: Board) -> ChartSpec | None:
    """Every point as a cross of its two intervals (its own colour), and the front as a dotted line."""
    if not board.points:
        return None
    series = []
    for i, p in enumerate(board.points):
        y, x = _cross(p)
        star = "*" if p.name in board.front else ""
        series.append(Series(f"{p.name}{star}", y, x, color=i + 1))
    front = [q for name in board.front if (q := board.point(name)) is not None]
    if len(front) > 1:
        series.append(
            Series(
                "front",
                tuple(q.acc.value for q in front),
                tuple(q.dir.value for q in front),
                marker="." if ascii_only() else "•",
                color=0,
            )
        )
    return ChartSpec(
        "line", tuple(series), "accuracy vs DIR (95 % intervals; * on the front)", "DIR", "accuracy"
    )


class ParetoTab(TabView):
    """Which method removes the inheritance, at what accuracy, beyond noise or not (docs/intervals.md)."""

    FOCUS = "#pa-points"
    TITLE = "Pareto"
    DEFAULT_CSS = """
    ParetoTab #pa-verdicts { height: auto; margin: 1 0 0 0; }
    ParetoTab #pa-chart { height: 18; }
    ParetoTab #pa-points, ParetoTab #pa-methods { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.board: Board | None = None
        self.ready = False
        """The board of the shown run is computed (or failed); tests await it."""

    def compose(self) -> ComposeResult:
        yield EmptyState(NO_RUN, self.PRODUCER, SUMMARY, id="pa-empty")
        yield Static("Computing the intervals…", id="pa-verdicts", classes="data", markup=False)
        yield Chart(id="pa-chart", classes="data")
        yield Static("Models and seed groups", classes="section data")
        yield Table(id="pa-points", cursor_type="row", zebra_stripes=True, classes="data")
        yield Static(
            "Methods against their matched baselines (Δ = method − baseline)", classes="section data"
        )
        yield Table(id="pa-methods", zebra_stripes=True, classes="data")

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        self.board, self.ready = None, run is None
        if not self.is_mounted:
            return
        self._visible(run is not None)
        if run is not None:
            self.query_one("#pa-verdicts", Static).update("Computing the intervals…")
            self._compute(run)

    def _visible(self, data: bool) -> None:
        self.query_one("#pa-empty").set_class(data, "-hidden")
        for w in self.query(".data"):
            w.set_class(not data, "-hidden")

    @work(group="pareto", exclusive=True, thread=True)
    def _compute(self, run: RunData) -> None:
        try:
            result: Board | str = run_board(run)
        except TltuiError as exc:
            result = str(exc)
        except (ValueError, KeyError, OSError) as exc:  # a damaged run must not take the workbench down
            result = f"No board: the run's files do not fit together ({exc})"
        self.app.call_from_thread(self._show, run, result)

    def _show(self, run: RunData, result: Board | str) -> None:
        if run is not self.run:  # a newer run is on its way
            return
        self.ready = True
        if isinstance(result, str):
            self._visible(False)
            self.query_one("#pa-empty", EmptyState).set(result, self.PRODUCER, INSTANCES)
            return
        self.board = result
        if not result.points:
            self._visible(False)
            self.query_one("#pa-empty", EmptyState).set(NOTHING, self.PRODUCER, SUMMARY)
            return
        lines = [c.line() for c in result.comparisons] or [NO_METHOD]
        lines += [s for s in (result.study_line, *result.notes) if s]
        lines.append(
            f"DIR under the teacher attack {budget_text(run.info.teacher_attack)}"
        )  # its budget, on record
        self.query_one("#pa-verdicts", Static).update("\n".join(lines))
        self.query_one("#pa-chart", Chart).show(pareto_spec(result))
        points: DataTable[Any] = self.query_one("#pa-points", DataTable)
        points.clear(columns=True)
        points.add_columns("model or group", "seeds", "DIR [95 %]", "accuracy [95 %]", "over", "front")
        for p in result.points:
            front = "yes" if p.name in result.front else ""
            points.add_row(
                p.name, p.seeds, fmt_interval(p.dir), fmt_interval(p.acc), p.dir.includes, front, key=p.name
            )
        methods: DataTable[Any] = self.query_one("#pa-methods", DataTable)
        methods.clear(columns=True)
        methods.set_class(not result.comparisons, "-hidden")
        methods.add_columns(*METHOD_COLUMNS)
        for c in result.comparisons:
            methods.add_row(*c.cells())

    def export_table(self) -> ExportTable | None:
        b = self.board
        if b is None or not b.points:
            return None
        rows = tuple(
            (
                p.name,
                p.seeds,
                p.dir.value,
                p.dir.lo,
                p.dir.hi,
                p.acc.value,
                p.acc.lo,
                p.acc.hi,
                p.name in b.front,
            )
            for p in b.points
        )
        d, a = DIR.key, AOI.key
        columns = ("point", "seeds", d, f"{d}_lo", f"{d}_hi", a, f"{a}_lo", f"{a}_hi", "front")
        return ExportTable("pareto", columns, rows)
