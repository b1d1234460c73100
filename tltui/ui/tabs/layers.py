"""Layers: weight change, coverage and adversarial deviation per layer; for the selected layer its weight
histograms and neuron distance matrix; for the selected instance the layer window (a text Sankey)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Select, Static

from tltui.base.errors import TltuiError
from tltui.base.rundir import DETAILS, LAYERS_JSON, LAYERS_NPZ, SUMMARY, keys
from tltui.base.runfiles import load_json, load_npz
from tltui.ui.export import ExportTable, as_float, fmt_num
from tltui.ui.messages import LayerSelected
from tltui.ui.model import budget_lines
from tltui.ui.model.details import instance_details
from tltui.ui.model.rundata import RunData
from tltui.ui.tabs.base import NO_RUN, run_layers
from tltui.ui.tabs.details_view import DetailsView
from tltui.ui.widgets.chart import Chart, ChartSpec, Series, color_order
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.flow import Flow
from tltui.ui.widgets.image import HalfBlockImage
from tltui.ui.widgets.layer_window import LayerWindow, Window
from tltui.ui.widgets.localise_form import LocaliseForm
from tltui.ui.widgets.localise_section import LocaliseSection
from tltui.ui.widgets.table import Table


def layer_variants(layers: Sequence[Mapping[str, Any]], key: str) -> list[str]:
    return list(dict.fromkeys(v for layer in layers for v in (layer.get(key) or {})))


def per_layer_spec(
    layers: Sequence[Mapping[str, Any]], key: str, title: str, order: list[str] | None = None
) -> ChartSpec | None:
    """One line per variant across the layers; `order` (the run's variants) fixes each variant's colour."""
    names = layer_variants(layers, key)
    if not layers or not names:
        return None
    colors = color_order(order or names)
    x = tuple(float(i) for i in range(len(layers)))
    series = tuple(
        Series(
            v,
            tuple(as_float((layer.get(key) or {}).get(v)) for layer in layers),
            x,
            color=colors.get(v, len(colors) + i),
        )
        for i, v in enumerate(names)
    )
    step = max(1, len(layers) // 8)
    ticks = tuple(range(0, len(layers), step))
    labels = tuple(str(layers[i].get("name", i))[-12:] for i in ticks)
    return ChartSpec("line", series, title, "layer", xticks=(tuple(float(t) for t in ticks), labels))


def layer_rows(layers: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    wc, ad = layer_variants(layers, "weight_change"), layer_variants(layers, "adv_deviation")
    columns = ("layer", "coverage", *(f"Δw {v}" for v in wc), *(f"adv dev {v}" for v in ad))
    rows = [
        (
            layer.get("name", "?"),
            layer.get("coverage"),
            *((layer.get("weight_change") or {}).get(v) for v in wc),
            *((layer.get("adv_deviation") or {}).get(v) for v in ad),
        )
        for layer in layers
    ]
    return columns, rows


def hist_spec(arrays: dict[str, Any], meta: dict[str, Any], layer: str) -> ChartSpec | None:
    """Weight histograms of `layer` for every model (layers.npz `hist.*`, layers.json names)."""
    names, models = list(meta.get("names") or []), list(meta.get("hist_models") or [])
    edges, counts = arrays.get(keys.HIST_EDGES), arrays.get(keys.HIST_COUNTS)
    if layer not in names or edges is None or counts is None or np.ndim(counts) != 3:
        return None
    li = names.index(layer)
    if li >= counts.shape[1] or len(models) != counts.shape[0]:
        return None
    e = np.asarray(edges[li], dtype=float)
    centres = tuple(((e[:-1] + e[1:]) / 2).tolist())
    colors = color_order(models)
    series = tuple(
        Series(m, tuple(float(c) for c in counts[mi, li]), centres, color=colors[m])
        for mi, m in enumerate(models)
    )
    return ChartSpec("line", series, f"weights of {layer}", "weight", "count")


def window_of(details: dict[str, np.ndarray] | None, model: str) -> Window | None:
    """The layer window of `model` from one instance's details (win.<model>.top/act/links/layers)."""
    if not details:
        return None
    parts = [details.get(keys.window_key(model, k)) for k in ("layers", "top", "act", "links")]
    if any(p is None for p in parts):
        return None
    layers, top, act, links = parts
    assert layers is not None and top is not None and act is not None and links is not None
    return Window(
        tuple(str(n) for n in layers),
        np.asarray(top, dtype=int),
        np.asarray(act, dtype=float),
        np.asarray(links, dtype=float),
    )


def window_models(details: dict[str, np.ndarray] | None) -> list[str]:
    return sorted(keys.window_models(details or {}), key=lambda n: n != "teacher")


def _read(path: Path, json: bool = False) -> dict[str, Any]:
    try:
        data = load_json(path) if json else load_npz(path)
    except (TltuiError, OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def distance_maps(
    arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], layer: str
) -> tuple[list[tuple[str, np.ndarray]], str]:
    """The (variant, teacher × variant distance matrix) pairs at `layer`, and the layer they are at. Runs
    written before per-layer distances hold `dist.<variant>` at `distance_layer` only: those are shown there."""
    found = keys.parse_dist_keys(arrays)
    maps = [(v, arrays[k]) for k, (v, at) in found.items() if at == layer and np.ndim(arrays[k]) == 2]
    if maps:
        return maps, layer
    if str(meta.get("distance_layer") or "") == layer:
        return [
            (v, arrays[k]) for k, (v, at) in found.items() if at is None and np.ndim(arrays[k]) == 2
        ], layer
    return [], layer


class LayersTab(DetailsView):
    """Layer structure (docs/levels.md#layers) from summary.json's `layers`, layers.npz/json and the details files."""

    TITLE = "Layers"
    REQUESTS = ("localise",)
    DEFAULT_CSS = """
    LayersTab #ly-table { height: auto; max-height: 14; }
    LayersTab #ly-detail-row { height: auto; }
    LayersTab #ly-hist { height: 14; width: 1fr; }
    LayersTab #ly-dist { height: auto; }
    LayersTab #ly-dist Vertical { height: auto; }
    LayersTab #ly-charts Chart { height: 16; }
    LayersTab #ly-budget { height: auto; color: $text-muted; }
    LayersTab .form { height: auto; }
    LayersTab .form Label { padding: 1 1 0 0; width: auto; }
    LayersTab .form Select { width: 24; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.arrays: dict[str, Any] = {}
        self.meta: dict[str, Any] = {}
        self.selected_layer = ""
        self.details: dict[str, np.ndarray] | None = None
        self.picked = ""

    def compose(self) -> ComposeResult:
        yield EmptyState(NO_RUN, self.PRODUCER, SUMMARY, id="ly-empty")
        yield LocaliseSection(id="ly-localise")
        with Flow(cell=56, row_height=16, id="ly-charts", classes="data"):
            yield Chart(id="ly-adv")
            yield Chart(id="ly-wc")
        yield Static("", id="ly-budget", classes="data", markup=False)
        yield Static("Per layer (select a row for its detail)", classes="section data")
        yield Table(id="ly-table", cursor_type="row", zebra_stripes=True, classes="data")
        yield Static("Layer detail", classes="section data", id="ly-detail-title")
        yield EmptyState(
            "The teacher × student neuron distance matrix is not in this run.",
            "analyze",
            LAYERS_NPZ,
            id="ly-detail",
            classes="data",
        )
        yield Chart(id="ly-hist", classes="data")
        yield Flow(cell=40, id="ly-dist", classes="data")
        yield Static("Layer window of the selected instance", classes="section data")
        with Horizontal(classes="form data"):
            yield Label("model")
            yield Select[str]([], prompt="model", id="ly-win-model")
        yield Static("No instance selected (pick one in Instances).", id="ly-win-note", classes="data")
        yield LayerWindow(id="ly-window", classes="data")

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        layers = run.layers if run else []
        self.query_one("#ly-empty", EmptyState).set_class(bool(layers), "-hidden")
        if run is not None and not layers:
            self.query_one("#ly-empty", EmptyState).set(
                "This run has no per-layer results.", "analyze", f"{SUMMARY} 'layers'"
            )
        elif run is None:
            self.query_one("#ly-empty", EmptyState).set(NO_RUN, self.PRODUCER, SUMMARY)
        for w in self.query(".data"):
            w.set_class(not layers, "-hidden")
        self.query_one(LocaliseSection).show(run)
        if not layers or run is None:
            return
        # A mitigation run re-diagnoses every model: its layers.npz is the most complete one.
        npz, meta = run.artifacts(LAYERS_NPZ), run.artifacts(LAYERS_JSON)
        self.arrays = _read(npz[-1]) if npz else {}
        self.meta = _read(meta[-1], json=True) if meta else {}
        self.query_one("#ly-adv", Chart).show(
            per_layer_spec(
                layers, "adv_deviation", "adversarial deviation ‖f(x_adv)−f(x)‖/‖f(x)‖", list(run.variants)
            ),
            "no adversarial deviation in summary.json",
        )
        self.query_one("#ly-budget", Static).update(budget_lines.layers(run.info))
        self.query_one("#ly-wc", Chart).show(
            per_layer_spec(
                layers, "weight_change", "relative weight change ‖Ws−Wt‖/‖Wt‖", list(run.variants)
            ),
            "no weight change in summary.json",
        )
        columns, rows = layer_rows(layers)
        table: DataTable[Any] = self.query_one("#ly-table", DataTable)
        table.clear(columns=True)
        table.fixed_columns = 1
        table.add_columns(*columns)
        for row in rows:
            table.add_row(str(row[0]), *(fmt_num(v) for v in row[1:]))
        names = [str(layer.get("name")) for layer in layers]
        default = str(self.meta.get("distance_layer") or names[-1])
        self.selected_layer = self.selected_layer if self.selected_layer in names else default
        if self.selected_layer in names:
            table.move_cursor(row=names.index(self.selected_layer), scroll=False)
        self._show_layer()
        self.draw_details()

    # -- layer interventions (tltui localise) ----------------------------------------------------------------
    def pick_variant(self, name: str) -> None:
        self.picked = name

    def request(self, method: str | None = None) -> None:
        """The localise form (the picked variant, finetune by default); its job writes into the shown run."""
        if self.run is None:
            self.notify("no run is shown: analyze first", title="Localise", severity="warning")
            return
        names = [n for n in self.run.variants if n != "teacher"]
        variant = next(
            (n for n in (self.picked, "finetune") if n in names), names[0] if names else "finetune"
        )
        section = self.query_one(LocaliseSection)

        def run(params: dict[str, Any] | None) -> None:
            if params is not None:
                section.request(params)

        self.app.push_screen(LocaliseForm(variant, run_layers(self.run)), run)

    def computed(self, kind: str, status: str, error: str) -> None:
        if kind == "localise":
            self.query_one(LocaliseSection).show(self.run)

    # -- the selected layer ---------------------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "ly-table" or event.cursor_row != event.data_table.cursor_row:
            return  # another table, or a stale event (the cursor moved on, e.g. when the table was filled)
        if self.run is None or event.cursor_row < 0 or event.cursor_row >= len(self.run.layers):
            return
        name = str(self.run.layers[event.cursor_row].get("name", event.cursor_row))
        if name != self.selected_layer:
            self.post_message(LayerSelected(name))

    def select_layer(self, name: str) -> None:
        if name == self.selected_layer or self.run is None:
            return
        names = [str(layer.get("name")) for layer in self.run.layers]
        if name not in names:
            return
        self.selected_layer = name
        table: DataTable[Any] = self.query_one("#ly-table", DataTable)
        if table.row_count > names.index(name):
            table.move_cursor(row=names.index(name), scroll=False)
        self._show_layer()

    def _show_layer(self) -> None:
        self.query_one("#ly-detail-title", Static).update(
            f"Layer detail: {self.selected_layer} (weight histograms; teacher × variant neuron distances,"
            " dark = close)"
        )
        self.query_one("#ly-hist", Chart).show(
            hist_spec(self.arrays, self.meta, self.selected_layer),
            f"no weight histograms of {self.selected_layer} ({LAYERS_NPZ})",
        )
        self._show_distance()

    @work(group="dist", exclusive=True)
    async def _show_distance(self) -> None:
        """layers.npz `dist.<variant>@<layer>`: teacher-neuron × student-neuron distance at the selected layer."""
        box = self.query_one("#ly-dist", Flow)
        await box.remove_children()
        maps, at = distance_maps(self.arrays, self.meta, self.selected_layer)
        self.query_one("#ly-detail").set_class(bool(keys.parse_dist_keys(self.arrays)), "-hidden")
        if not maps:
            await box.mount(
                Label(f"No neuron distances at {self.selected_layer} (they are computed per conv layer).")
            )
            return
        widest = 0
        for name, dist in maps:
            image = HalfBlockImage(scale=1, legend=True, classes="-heat")
            c_t, c_s = dist.shape
            title = f"teacher × {name} at {at} ({c_t}×{c_s})"
            await box.mount(Vertical(Label(title), image))
            step = max(1, -(-max(c_t, c_s) // 64))  # at most 64 cells a side: a terminal is narrow
            shown = np.asarray(dist, dtype=float)[::step, ::step]
            image.set_image(shown)
            widest = max(widest, shown.shape[1], len(title))
        box.set_cell(widest + 2)

    # -- the layer window -------------------------------------------------------------------------------------
    @property
    def window_model(self) -> str:
        value = self.query_one("#ly-win-model", Select).value
        return str(value) if isinstance(value, str) else ""

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "ly-win-model":
            self.draw_details()

    def draw_details(self) -> None:
        """The layer window of the selected instance."""
        if self.run is None or not self.run.layers:
            return
        note = self.query_one("#ly-win-note", Static)
        widget = self.query_one("#ly-window", LayerWindow)
        i = self.instance
        self.details = instance_details(self.run, i) if i is not None else None
        models = window_models(self.details)
        select = self.query_one("#ly-win-model", Select)
        if models and [str(v) for _, v in select._options if isinstance(v, str)] != models:
            keep = self.window_model
            with select.prevent(Select.Changed):
                select.set_options([(m, m) for m in models])
                select.value = keep if keep in models else models[-1]
        if i is None:
            note.update("No instance selected (pick one in Instances).")
            widget.show(None, "")
            return
        if self.details is None:
            note.update(self.details_missing(i))
            widget.show(None, "")
            return
        window = window_of(self.details, self.window_model)
        note.update(
            f"Instance {self.instance_name(i)}, {self.window_model}: top channels by mean activation, strongest |w| between them"
            if window is not None
            else f"Instance {self.instance_name(i)}: no layer window of {self.window_model or 'any model'} in {DETAILS}"
        )
        widget.show(window, "")

    def export_table(self) -> ExportTable | None:
        if self.run is None or not self.run.layers:
            return None
        columns, rows = layer_rows(self.run.layers)
        return ExportTable("layers", columns, tuple(rows))
