"""Mitigate: the slicing controls (method, ratio, coverage), a per-layer preview, run as a job, compare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from tltui.base.errors import TltuiError
from tltui.base.runfiles import load_npz
from tltui.ui.export import ExportTable, fmt_num
from tltui.ui.messages import MitigationRequested
from tltui.ui.methods import COVERAGE_CRITERIA, DEFAULT_RATIO, DEFAULT_THRESHOLD, MITIGATION_METHODS
from tltui.ui.rundata import RunData
from tltui.ui.tabs.base import TabView
from tltui.ui.widgets.chart import Chart, ChartSpec, Series
from tltui.ui.widgets.empty_state import EmptyState

COMPARE = (("aoi", "AOI"), ("aai", "AAI"), ("dir", "DIR"), ("macro_f1", "macro-F1"))


def parse_fraction(text: str, default: float) -> float | None:
    """A number in (0, 1] from an input box; None when it is not one."""
    try:
        value = float(text) if text.strip() else default
    except ValueError:
        return None
    return value if 0 < value <= 1 else None


def preview_cut(order: np.ndarray, sizes: np.ndarray, ratio: float) -> np.ndarray:
    """Per layer, the fraction of its weights among the first `ratio` of the slice order."""
    k = round(ratio * len(order))
    counts = np.bincount(np.asarray(order[:k], dtype=np.int64), minlength=len(sizes))
    return counts / np.maximum(np.asarray(sizes, dtype=float), 1.0)


def compare_rows(run: RunData | None) -> list[tuple[Any, ...]]:
    if run is None:
        return []
    return [(name, *(v.get(k) for k, _ in COMPARE)) for name, v in run.variants.items()]


def conv_layers(run: RunData | None) -> list[str]:
    """The run's conv layers (the only ones a slice may cut), in network order."""
    if run is None:
        return []
    return [str(layer.get("name")) for layer in run.layers if str(layer.get("kind", "")).startswith("Conv")]


def parse_scope(text: str, convs: list[str]) -> list[str] | str | None:
    """The layer scope box: None (every conv layer) when empty, else the named layers in network order; a
    one-line error (str) for a name that is not a conv layer of the run."""
    names = [n.strip() for n in text.replace(" ", ",").split(",") if n.strip()]
    if not names:
        return None
    if convs:
        bad = [n for n in names if n not in convs]
        if bad:
            return f"layer scope: {', '.join(bad)} not a conv layer of this run (have {', '.join(convs)})"
        return [n for n in convs if n in names]
    return names


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
    """Model slicing controls (DESIGN §2.5); the run is a `mitigate` job, its variant joins every view."""

    TITLE = "Mitigate"
    PRODUCER = "mitigate"
    DEFAULT_CSS = """
    MitigateTab .form { height: auto; }
    MitigateTab .form Label { padding: 1 1 0 0; width: auto; }
    MitigateTab .form Input { width: 12; }
    MitigateTab .form Select { width: 24; }
    MitigateTab .form #mt-scope { width: 1fr; }
    MitigateTab #mt-compare { height: auto; max-height: 12; }
    MitigateTab #mt-compare-row { height: auto; }
    MitigateTab #mt-tradeoff { height: 16; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.preview: dict[str, np.ndarray] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Method and slicing parameters", classes="section")
        with Horizontal(classes="form"):
            yield Label("method")
            yield Select(
                [(m, m) for m in MITIGATION_METHODS], value="remos", allow_blank=False, id="mt-method"
            )
            yield Label("ratio")
            yield Input(f"{DEFAULT_RATIO:g}", id="mt-ratio")
            yield Label("coverage θ")
            yield Input(f"{DEFAULT_THRESHOLD:g}", id="mt-threshold")
            yield Label("criterion")
            yield Select(
                [(c, c) for c in COVERAGE_CRITERIA], value="neuron", allow_blank=False, id="mt-criterion"
            )
        with Horizontal(classes="form"):
            yield Label("layer scope")
            yield Input("", placeholder="every conv layer (or: conv1,conv2 …)", id="mt-scope")
            yield Button("Preview cut", id="mt-preview-run")
            yield Button("Run as job", id="mt-run", variant="primary")
        yield Static("", id="mt-help")
        yield Static("Preview: fraction of each layer's weights ReMoS would cut", classes="section")
        yield EmptyState(
            "No slicing preview yet: press “Preview cut” (a short job profiles the teacher's coverage; "
            "then the ratio box updates the preview at once).",
            "preview",
            "preview.npz",
            id="mt-preview",
        )
        yield Chart(id="mt-preview-chart", classes="row -hidden")
        yield Static("Comparison (variants of this run and the mitigations joined to it)", classes="section")
        yield EmptyState("No analysis run is loaded yet.", "analyze", "summary.json", id="mt-compare-empty")
        with Horizontal(id="mt-compare-row"):
            yield DataTable(id="mt-compare", zebra_stripes=True)
            yield Chart(id="mt-tradeoff")

    def on_mount(self) -> None:
        self._describe("remos")
        self.show_run(self.run)
        self._draw_preview()

    def _describe(self, method: str) -> None:
        self.query_one("#mt-help", Static).update(MITIGATION_METHODS.get(method, ""))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "mt-method":
            self._describe(str(event.value))

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        rows = compare_rows(run)
        self.query_one("#mt-compare-empty").set_class(bool(rows), "-hidden")
        table: DataTable[Any] = self.query_one("#mt-compare", DataTable)
        table.set_class(not rows, "-hidden")
        show_comparison(table, self.query_one("#mt-tradeoff", Chart), run)

    def params(self) -> dict[str, Any] | None:
        """The form as job parameters, or None (with a toast) when a number is out of range."""
        method = str(self.query_one("#mt-method", Select).value)
        ratio = parse_fraction(self.query_one("#mt-ratio", Input).value, DEFAULT_RATIO)
        threshold = parse_fraction(self.query_one("#mt-threshold", Input).value, DEFAULT_THRESHOLD)
        if ratio is None or threshold is None:
            self.notify("ratio and coverage θ must be numbers in (0, 1]", title="Mitigate", severity="error")
            return None
        scope = parse_scope(self.query_one("#mt-scope", Input).value, conv_layers(self.run))
        if isinstance(scope, str):
            self.notify(scope, title="Mitigate", severity="error")
            return None
        return {
            "method": method,
            "ratio": ratio,
            "threshold": threshold,
            "criterion": str(self.query_one("#mt-criterion", Select).value),
            "scope": scope,
        }

    def request(self, method: str | None = None) -> None:
        params = self.params()
        if params is None:
            return
        if method is not None:
            params["method"] = method
        self.app.post_message(MitigationRequested("mitigate", params["method"], params))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "mt-run":
            self.request()
        elif event.button.id == "mt-preview-run":
            params = self.params()
            if params is not None:
                self.app.post_message(MitigationRequested("preview", "remos", params))

    def show_preview(self, folder: Path) -> None:
        """Load preview.npz (the network-wide slice order as layer ids) and draw it for the current ratio."""
        try:
            arrays = load_npz(folder / "preview.npz")
        except (TltuiError, OSError, ValueError):
            return
        if {"order", "layers", "sizes"} <= set(arrays):
            self.preview = arrays
            self._draw_preview()

    def _draw_preview(self) -> None:
        if self.preview is None or not self.is_mounted:
            return
        ratio = parse_fraction(self.query_one("#mt-ratio", Input).value, DEFAULT_RATIO)
        if ratio is None:
            return
        layers = [str(n) for n in self.preview["layers"]]
        cut = preview_cut(self.preview["order"], self.preview["sizes"], ratio)
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
