"""Mitigate: the slicing controls (method, ratio, coverage), a per-layer preview, run as a job, compare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Static

from tltui.base.catalogue import MITIGATIONS, MitigateParams, parse
from tltui.base.catalogue.params import spec_of
from tltui.base.errors import ParamError, TltuiError
from tltui.base.rundir import PREVIEW_NPZ, SUMMARY, keys, metric_rows
from tltui.base.rundir.tables import preview_cut
from tltui.base.runfiles import load_npz
from tltui.ui.export import ExportTable, fmt_num
from tltui.ui.messages import MitigationRequested
from tltui.ui.rundata import RunData
from tltui.ui.tabs.base import TabView
from tltui.ui.widgets.chart import Chart, ChartSpec, Series
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.param_form import ParamForm

RATIO = spec_of(MitigateParams, "ratio")
COMPARE = (("aoi", "AOI"), ("aai", "AAI"), ("dir", "DIR"), ("macro_f1", "macro-F1"))


def ratio_of(text: str) -> float | None:
    """The ratio box as a slicing ratio (empty: the catalogue's default); None when it is not a valid one."""
    try:
        value = parse(RATIO, text or RATIO.default_text())
    except ParamError:
        return None
    return float(value)


def compare_rows(run: RunData | None) -> list[tuple[Any, ...]]:
    if run is None:
        return []
    return metric_rows(run.variants, (k for k, _ in COMPARE))


def run_layers(run: RunData | None) -> list[tuple[str, str]] | None:
    """(name, kind) of the run's layers in network order, for checking layer parameters; None without a run."""
    if run is None or not run.layers:
        return None
    return [(str(layer.get("name")), str(layer.get("kind", ""))) for layer in run.layers]


def tradeoff_spec(run: RunData | None) -> ChartSpec:
    """Accuracy against DIR, one point per variant: a good mitigation sits top left (accurate, not inherited)."""
    series = []
    for i, (name, v) in enumerate((run.variants if run else {}).items()):
        aoi, dir_ = v.get("aoi"), v.get("dir")
        if isinstance(aoi, (int, float)) and isinstance(dir_, (int, float)):
            series.append(Series(name, (float(aoi),), (float(dir_),), "●", i))
    return ChartSpec("scatter", tuple(series), "accuracy vs inherited weakness", xlabel="DIR", ylabel="AOI")


def show_comparison(table: DataTable[Any], chart: Chart, run: RunData | None) -> None:
    """Fill a comparison table (one row per variant) and its accuracy-vs-DIR chart."""
    table.clear(columns=True)
    table.add_columns("variant", *(label for _, label in COMPARE))
    for row in compare_rows(run):
        table.add_row(row[0], *(fmt_num(v) for v in row[1:]))
    chart.show(tradeoff_spec(run), "no variants to compare")


class MitigateTab(TabView):
    """Model slicing controls (docs/mitigation.md#remos); the run is a `mitigate` job, its variant joins every view."""

    TITLE = "Mitigate"
    PRODUCER = "mitigate"
    DEFAULT_CSS = """
    MitigateTab #mt-scope { width: 28; }
    MitigateTab #mt-compare { height: auto; max-height: 12; }
    MitigateTab #mt-compare-row { height: auto; }
    MitigateTab #mt-tradeoff { height: 16; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.preview: dict[str, np.ndarray] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Method and parameters", classes="section")
        yield ParamForm(
            MITIGATIONS,
            prefix="mt",
            method="remos",
            extra=(
                Button("Preview cut", id="mt-preview-run"),
                Button("Run as job", id="mt-run", variant="primary"),
            ),
        )
        yield Static("Preview: fraction of each layer's weights ReMoS would cut", classes="section")
        yield EmptyState(
            "No slicing preview yet: press “Preview cut” (a short job profiles the teacher's coverage; "
            "then the ratio box updates the preview at once).",
            "preview",
            PREVIEW_NPZ,
            id="mt-preview",
        )
        yield Chart(id="mt-preview-chart", classes="row -hidden")
        yield Static("Comparison (variants of this run and the mitigations joined to it)", classes="section")
        yield EmptyState("No analysis run is loaded yet.", "analyze", SUMMARY, id="mt-compare-empty")
        with Horizontal(id="mt-compare-row"):
            yield DataTable(id="mt-compare", zebra_stripes=True)
            yield Chart(id="mt-tradeoff")

    def on_mount(self) -> None:
        self.show_run(self.run)
        self._draw_preview()

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        rows = compare_rows(run)
        self.query_one("#mt-compare-empty").set_class(bool(rows), "-hidden")
        table: DataTable[Any] = self.query_one("#mt-compare", DataTable)
        table.set_class(not rows, "-hidden")
        show_comparison(table, self.query_one("#mt-tradeoff", Chart), run)

    def params(self, method: str | None = None) -> dict[str, Any] | None:
        """The form as job parameters (checked as the CLI checks them), or None after a toast."""
        return self.query_one(ParamForm).job_params(method, run_layers(self.run), "Mitigate")

    def request(self, method: str | None = None) -> None:
        params = self.params(method)
        if params is None:
            return
        self.app.post_message(MitigationRequested("mitigate", params["method"], params))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "mt-run":
            self.request()
        elif event.button.id == "mt-preview-run":
            params = self.params("remos")
            if params is not None:
                self.app.post_message(MitigationRequested("preview", "remos", params))

    def show_preview(self, folder: Path) -> None:
        """Load preview.npz (the network-wide slice order as layer ids) and draw it for the current ratio."""
        try:
            arrays = load_npz(folder / PREVIEW_NPZ)
        except (TltuiError, OSError, ValueError):
            return
        if {keys.PREVIEW_ORDER, keys.PREVIEW_LAYERS, keys.PREVIEW_SIZES} <= set(arrays):
            self.preview = arrays
            self._draw_preview()

    def _draw_preview(self) -> None:
        if self.preview is None or not self.is_mounted:
            return
        ratio = ratio_of(self.query_one("#mt-ratio", Input).value)
        if ratio is None:
            return
        layers = [str(n) for n in self.preview[keys.PREVIEW_LAYERS]]
        cut = preview_cut(self.preview[keys.PREVIEW_ORDER], self.preview[keys.PREVIEW_SIZES], ratio)
        spec = ChartSpec(
            "bar",
            (Series("cut", tuple(cut.tolist())),),
            f"ratio {ratio:g}: fraction of each layer cut",
            categories=tuple(n[-10:] for n in layers),
        )
        self.query_one("#mt-preview").add_class("-hidden")
        chart = self.query_one("#mt-preview-chart", Chart)
        chart.remove_class("-hidden")
        chart.show(spec)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "mt-ratio":
            self._draw_preview()

    def export_table(self) -> ExportTable | None:
        rows = compare_rows(self.run)
        if not rows:
            return None
        return ExportTable("mitigate-compare", ("variant", *(k for k, _ in COMPARE)), tuple(rows))
