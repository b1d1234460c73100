"""Overview: per-variant metrics, accuracy-vs-ε curves, DIR, a profile comparison, per-class and CKA."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from tltui.base.errors import TltuiError
from tltui.base.names import shown_lines
from tltui.base.rundir import (
    FAIRNESS_METRICS,
    METRICS,
    OVERALL,
    SUMMARY,
    Metric,
    eps_curve,
    fairness_of,
    metric_rows,
)
from tltui.base.rundir import metrics as M
from tltui.base.rundir.shape import FairnessInfo, VariantMetrics
from tltui.base.stack import chain_groups
from tltui.base.verdicts import Board
from tltui.ui.export import ExportTable, as_float, fmt_num
from tltui.ui.model import budget_lines
from tltui.ui.model.board import run_board
from tltui.ui.model.checks_banner import checks_banner
from tltui.ui.model.rundata import RunData
from tltui.ui.tabs.base import NO_RUN, TabView
from tltui.ui.widgets.chart import Chart, ChartSpec, Series, color_order
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.flow import Flow
from tltui.ui.widgets.robustness import RobustnessPanel
from tltui.ui.widgets.table import Table

# Profile axes, all "higher is better" (DIR enters as 1 − DIR).
PROFILE: tuple[tuple[Metric, str], ...] = (
    (M.AOI, "AOI"),
    (M.AAI, "AAI"),
    (M.ROBUST, "Robust"),
    (M.MACRO_F1, "F1"),
    (M.MACRO_RECALL, "Recall"),
    (M.DIR, "1−DIR"),
)


ATTRIBUTES = {
    "ink": "ink (stroke weight, derived from the images)",
    "csv": "the study's groups file",
}


def fairness_title(fairness: FairnessInfo) -> str:
    """'Fairness by <attribute>' with what the attribute is and how the groups split."""
    attr = str(fairness.get("attribute", "?"))
    title = f"Fairness by {ATTRIBUTES.get(attr, attr)}"
    details = []
    if fairness.get("threshold") is not None:
        details.append(f"split at {fmt_num(fairness.get('threshold'), 1)}")
    if fairness.get("n_group1") is not None:
        details.append(f"{fairness.get('n_group1')} instances in group 1 (privileged)")
    if fairness.get("scheme") == "one-vs-rest":
        details.append("SPD, EOD, AAOD: one-vs-rest means over the classes")
    elif fairness.get("scheme") == "binary":
        details.append(f"AIF360 definitions, favourable class {fairness.get('favourable', '?')}")
    return title + (f" ({', '.join(details)})" if details else "")


def fairness_rows(variants: Mapping[str, VariantMetrics]) -> list[tuple[Any, ...]]:
    blocks = {name: fairness_of(v) for name, v in variants.items()}
    return [(name, *(m.raw(b) for m in FAIRNESS_METRICS)) for name, b in blocks.items() if b is not None]


def eps_spec(variants: Mapping[str, VariantMetrics]) -> ChartSpec | None:
    """Accuracy under the white-box attack against its budget ε, in the pixel units of the table and the study."""
    colors = color_order(variants)
    series = []
    for name, v in variants.items():
        curve = eps_curve(v)
        if curve:
            series.append(
                Series(
                    name,
                    tuple(as_float(a) for _, a in curve),
                    tuple(as_float(e) for e, _ in curve),
                    color=colors[name],
                )
            )
    if not series:
        return None
    return ChartSpec(
        "line",
        tuple(series),
        "accuracy vs ε (white-box)",
        "ε (pixel units, inputs in [0, 1])",
        "accuracy",
        ylim=(0.0, 1.0),
    )


def dir_spec(variants: Mapping[str, VariantMetrics]) -> ChartSpec | None:
    dirs = {n: d for n, v in variants.items() if (d := M.DIR.of(v)) is not None}
    names = list(dirs)
    if not names:
        return None
    colors = color_order(variants)
    values = tuple(dirs.values())
    return ChartSpec(
        "bar",
        (Series("DIR", values),),
        "DIR (the teacher's weakness carried)",
        categories=tuple(names),
        colors=tuple(colors[n] for n in names),
    )


def profile_spec(variants: Mapping[str, VariantMetrics]) -> ChartSpec | None:
    if not variants:
        return None
    colors = color_order(variants)
    series = []
    for name, v in variants.items():
        vals = [as_float(m.raw(v)) for m, _ in PROFILE]
        vals[-1] = 1.0 - vals[-1]
        series.append(Series(name, tuple(vals), color=colors[name]))
    return ChartSpec(
        "grouped",
        tuple(series),
        "profile (higher is better)",
        categories=tuple(label for _, label in PROFILE),
        ylim=(0.0, 1.0),
    )


MAX_METHODS = 5
"""Verdict lines the Overview shows; the Pareto tab lists every method."""


def budget_legend(run: RunData) -> str:
    """The budget every robustness number above was measured at (docs/attacks.md "Budgets on record")."""
    return budget_lines.overview(run.info)


def chain_text(derived: Mapping[str, Mapping[str, Any]]) -> str:
    """The stacked groups' stages as recorded (docs/mitigation.md#stacked-mitigations); empty without one."""
    parts = [
        "\n".join([f"Stacked {group} ({name}):", *(f"  {line}" for line in stages)])
        for group, name, stages in chain_groups(derived)
    ]
    return shown_lines("\n".join(parts)) if parts else ""


def verdict_lines(board: Board) -> list[str]:
    """One compact line per method (intervals decide, docs/intervals.md) and what the study's own variants show."""
    lines = [c.short() for c in board.comparisons[:MAX_METHODS]]
    if len(board.comparisons) > MAX_METHODS:
        lines.append(
            f"… and {len(board.comparisons) - MAX_METHODS} more methods: the Pareto tab lists them all"
        )
    if board.study_line:
        lines.append(board.study_line)
    return lines


class OverviewTab(TabView):
    """Overall performance of every variant (docs/levels.md#overall)."""

    FOCUS = "#ov-metrics"
    TITLE = "Overview"
    DEFAULT_CSS = """
    OverviewTab #ov-verdict { height: auto; margin: 1 0 0 0; }
    OverviewTab #ov-chains { height: auto; color: $text-muted; }
    OverviewTab #ov-checks { height: auto; color: $warning; }
    OverviewTab #ov-metrics { height: auto; max-height: 14; }
    OverviewTab #ov-legend, OverviewTab #ov-budget { height: auto; color: $text-muted; }
    OverviewTab #ov-perclass, OverviewTab #ov-similarity { height: auto; max-height: 14; }
    OverviewTab #ov-fairness { height: auto; max-height: 12; }
    OverviewTab #ov-charts Chart { height: 16; }
    """

    verdict_ready = False
    """The verdict lines of the shown run are computed; tests await it."""

    def compose(self) -> ComposeResult:
        yield EmptyState(NO_RUN, self.PRODUCER, SUMMARY, id="ov-empty")
        yield Static("", id="ov-checks", classes="-hidden", markup=False)
        yield Static("", id="ov-verdict", classes="data", markup=False)
        yield Static("", id="ov-chains", classes="data -hidden", markup=False)
        yield Table(id="ov-metrics", cursor_type="row", zebra_stripes=True, classes="data")
        yield Static(
            "AOI clean accuracy · AAI accuracy under its own (white-box) attack · DR = 1 − AAI/AOI · "
            "Robust = AAI/AOI · DIR share of correct answers teacher-crafted inputs turn wrong · "
            "run: where the row comes from.  F1 explains every term.",
            id="ov-legend",
            classes="data",
        )
        yield Static("", id="ov-budget", classes="data", markup=False)
        with Flow(cell=56, row_height=16, id="ov-charts", classes="data"):
            yield Chart(id="ov-eps")
            yield Chart(id="ov-dir")
            yield Chart(id="ov-profile")
        # Hidden from the start (a run without its blocks, and no run, keep the layout they had before it).
        yield RobustnessPanel(id="ov-robustness", classes="data -hidden")
        yield Static("Fairness", classes="section data", id="ov-fairness-title")
        yield Table(id="ov-fairness", zebra_stripes=True, classes="data")
        yield Static("Per-class accuracy and transferability", classes="section data")
        yield EmptyState("", id="ov-perclass-empty", classes="data")
        yield Table(id="ov-perclass", zebra_stripes=True, classes="data")
        yield Static(
            "Variant similarity (linear CKA, 1 = same features: bottom layers / all layers)",
            classes="section data",
        )
        yield EmptyState("", id="ov-similarity-empty", classes="data")
        yield Table(id="ov-similarity", classes="data")

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        self.query_one("#ov-empty").set_class(run is not None, "-hidden")
        for w in self.query(".data"):
            w.set_class(run is None, "-hidden")
        banner = checks_banner(run)
        checks = self.query_one("#ov-checks", Static)
        checks.update(banner)
        checks.set_class(not banner, "-hidden")
        if run is None:
            return
        variants = run.variants
        self.verdict_ready = False
        self.query_one("#ov-verdict", Static).update("Verdict: computing the intervals…")
        self._verdict(run)
        table: DataTable[Any] = self.query_one("#ov-metrics", DataTable)
        table.clear(columns=True)
        table.fixed_columns = 1
        table.add_columns("variant", *(m.label for m in METRICS), "run")
        for row in metric_rows(variants, METRICS):
            table.add_row(row[0], *(fmt_num(v) for v in row[1:]), run.source(str(row[0])), key=row[0])
        self.query_one("#ov-budget", Static).update(budget_legend(run))
        chains = chain_text(run.derived)
        self.query_one("#ov-chains", Static).update(chains)
        self.query_one("#ov-chains").set_class(not chains, "-hidden")
        self.query_one("#ov-eps", Chart).show(eps_spec(variants), "no ε-curve in summary.json")
        self.query_one("#ov-dir", Chart).show(dir_spec(variants), "no DIR in summary.json")
        self.query_one("#ov-profile", Chart).show(profile_spec(variants))
        self.query_one(RobustnessPanel).show(run.info.dir_ladder, run.info.autoattack)
        self._show_fairness(run.info.fairness, variants)
        self._show_overall(run.overall)

    @work(group="ov-verdict", exclusive=True, thread=True)
    def _verdict(self, run: RunData) -> None:
        try:
            lines = verdict_lines(run_board(run))
        except TltuiError as exc:
            lines = [f"No verdict: {exc}"]
        except (ValueError, KeyError, OSError) as exc:  # a damaged run must not take the workbench down
            lines = [f"No verdict: the run's files do not fit together ({exc})"]
        self.app.call_from_thread(self._show_verdict, run, lines)

    def _show_verdict(self, run: RunData, lines: list[str]) -> None:
        if run is self.run:
            self.verdict_ready = True
            self.query_one("#ov-verdict", Static).update("\n".join(lines))

    def _show_fairness(self, fairness: FairnessInfo | None, variants: Mapping[str, VariantMetrics]) -> None:
        """summary.json `fairness` (attribute, split) and each variant's `fairness` metrics, when present."""
        rows = fairness_rows(variants) if fairness is not None else []
        title = self.query_one("#ov-fairness-title", Static)
        table: DataTable[Any] = self.query_one("#ov-fairness", DataTable)
        title.set_class(not rows, "-hidden")
        table.set_class(not rows, "-hidden")
        if not rows or fairness is None:
            return
        title.update(fairness_title(fairness))
        table.clear(columns=True)
        table.add_columns("variant", *(m.label for m in FAIRNESS_METRICS))
        for row in rows:
            table.add_row(row[0], *(fmt_num(v) for v in row[1:]))

    def _show_overall(self, overall: dict[str, Any] | None) -> None:
        per_class = (overall or {}).get("per_class")
        classes = [str(c) for c in (overall or {}).get("classes") or []]
        pc_table: DataTable[Any] = self.query_one("#ov-perclass", DataTable)
        pc_empty = self.query_one("#ov-perclass-empty", EmptyState)
        pc_table.set_class(not per_class, "-hidden")
        pc_empty.set_class(bool(per_class), "-hidden")
        if not per_class:
            pc_empty.set(
                "Per-class accuracy, most-confused classes and the transferability score are not in this run.",
                "analyze",
                OVERALL,
            )
        else:
            self._fill_per_class(pc_table, per_class, (overall or {}).get("transferability"), classes)
        sim = (overall or {}).get("cka") or (overall or {}).get("similarity")
        sim_table: DataTable[Any] = self.query_one("#ov-similarity", DataTable)
        sim_empty = self.query_one("#ov-similarity-empty", EmptyState)
        sim_table.set_class(not sim, "-hidden")
        sim_empty.set_class(bool(sim), "-hidden")
        if not sim:
            sim_empty.set(
                "The variant similarity matrix (linear CKA) is not in this run.", "analyze", OVERALL
            )
        else:
            names = [str(n) for n in sim.get("names") or sim.get("variants") or []]
            bottom, full = sim.get("bottom") or [], sim.get("all") or []
            sim_table.clear(columns=True)
            sim_table.add_columns("", *names)
            for i, name in enumerate(names):
                cells = []
                for j in range(len(names)):
                    b = bottom[i][j] if i < len(bottom) and j < len(bottom[i]) else None
                    a = full[i][j] if i < len(full) and j < len(full[i]) else None
                    cells.append(f"{fmt_num(b)} / {fmt_num(a)}")
                sim_table.add_row(name, *cells)

    @staticmethod
    def _fill_per_class(
        table: DataTable[Any], per_class: dict[str, Any], transfer: Any, classes: list[str]
    ) -> None:
        """overall.json: per_class[variant] = {accuracy: [..], confused: [[k, ..], ..]} (-1 = none)."""
        variants = {k: v for k, v in per_class.items() if isinstance(v, dict)}
        table.clear(columns=True)
        table.add_columns("class", *variants, "most confused with (last variant)")
        last = list(variants.values())[-1] if variants else {}
        for i, c in enumerate(classes):
            accs = [fmt_num((v.get("accuracy") or [None] * len(classes))[i]) for v in variants.values()]
            confused = (last.get("confused") or [[]] * len(classes))[i]
            names = [classes[k] for k in confused if isinstance(k, int) and 0 <= k < len(classes)]
            table.add_row(c, *accs, ", ".join(names))
        if isinstance(transfer, dict):
            note = f"score {fmt_num(transfer.get('score'))} (best: {transfer.get('best', '?')})"
            table.add_row("transferability", *("" for _ in variants), note)

    def pick_variant(self, name: str) -> None:
        table: DataTable[Any] = self.query_one("#ov-metrics", DataTable)
        try:
            table.move_cursor(row=table.get_row_index(name))
        except Exception:  # a variant the table does not list (yet)
            return

    def export_table(self) -> ExportTable | None:
        if self.run is None:
            return None
        return ExportTable(
            "overview",
            ("variant", *(m.key for m in METRICS)),
            tuple(metric_rows(self.run.variants, METRICS)),
        )
