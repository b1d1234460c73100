"""Features: saliency and Grad-CAM of the selected instance (teacher vs a chosen student, clean vs
adversarial), the Model Doctor class × channel maps, and the domain-discriminative channels per layer."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Select, Static

from tltui.base.errors import TltuiError
from tltui.base.rundir import DETAILS, FEATURES_JSON, FEATURES_NPZ, keys
from tltui.base.rundir.tables import md_maps
from tltui.base.runfiles import load_json, load_npz
from tltui.ui.export import ExportTable, fmt_num
from tltui.ui.messages import LayerSelected
from tltui.ui.model import budget_lines
from tltui.ui.model.details import instance_details
from tltui.ui.model.rundata import RunData
from tltui.ui.tabs.base import NO_RUN
from tltui.ui.tabs.details_view import DetailsView
from tltui.ui.widgets.chart import Chart, ChartSpec, Series
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.flow import Flow
from tltui.ui.widgets.image import HalfBlockImage
from tltui.ui.widgets.mirror import ChannelHist, MirroredHistograms
from tltui.ui.widgets.table import Table

TOP = 10
MAP_CELL = 16
"""Columns of one saliency / Grad-CAM cell (a 16-pixel image and its title); the row wraps below 4 of them."""
MAP_TITLES = {keys.SALIENCY: "saliency", keys.CAM: "Grad-CAM"}
MIRRORED = 8
"""Channels drawn as mirrored histograms (the table lists TOP)."""


def _load(run: RunData | None, name: str) -> dict[str, Any]:
    path = run.artifact(name) if run else None
    if path is None:
        return {}
    try:
        data = load_json(path) if name == FEATURES_JSON else load_npz(path)
    except (TltuiError, OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def ranked(info: dict[str, Any], top: int = TOP) -> list[tuple[int, float]]:
    """A layer's channels by |coefficient| of the source-vs-target classifier: (channel, coef)."""
    coef = info.get("coef") or []
    order = info.get("order") or sorted(range(len(coef)), key=lambda c: -abs(coef[c]))
    return [(int(c), float(coef[c])) for c in order[:top] if 0 <= int(c) < len(coef)]


def top_channels(
    discriminative: dict[str, Any], model: str, layer: str = ""
) -> tuple[str, list[tuple[int, float]]]:
    """`layer` (default: the deepest) of `model` and its top channels."""
    layers = discriminative.get(model) or {}
    if not layers:
        return "", []
    layer = layer if layer in layers else list(layers)[-1]
    return layer, ranked(layers[layer])


def mirrored(
    arrays: dict[str, Any], model: str, layer: str, channels: list[tuple[int, float]]
) -> list[ChannelHist]:
    """The mirrored histograms of `channels` from features.npz `disc.<model>.<layer>.*`."""
    edges, src, tgt = (
        arrays.get(keys.disc_key(model, layer, k)) for k in ("edges", "hist_source", "hist_target")
    )
    if edges is None or src is None or tgt is None:
        return []
    out = []
    for c, coef in channels:
        if 0 <= c < len(src):
            out.append(
                ChannelHist(
                    f"c{c} {coef:+.2f}",
                    tuple(float(v) for v in src[c]),
                    tuple(float(v) for v in tgt[c]),
                    float(edges[c][0]),
                    float(edges[c][-1]),
                )
            )
    return out


def disc_projection(arrays: dict[str, Any], model: str, layer: str) -> ChartSpec | None:
    """Source vs target instances on the top channels: x = linear SVM direction, y = first PCA component."""
    xy, dom = (
        arrays.get(keys.disc_key(model, layer, "proj")),
        arrays.get(keys.disc_key(model, layer, "domain")),
    )
    if xy is None or dom is None or np.ndim(xy) != 2:
        return None
    series = []
    for d, name in ((0, "source data"), (1, "target data")):
        pts = np.asarray(xy)[np.asarray(dom) == d]
        series.append(Series(name, tuple(pts[:, 1].tolist()), tuple(pts[:, 0].tolist())))
    return ChartSpec(
        "scatter", tuple(series), f"{model} {layer}: top channels, SVM × PCA", "SVM direction", "PCA 1"
    )


def _options(names: list[str]) -> list[tuple[str, str]]:
    return [(n, n) for n in names]


class FeaturesTab(DetailsView):
    """Feature level (docs/levels.md#features) from details.npz (or details-<i>.npz), features.npz and features.json."""

    TITLE = "Features"
    DEFAULT_CSS = """
    FeaturesTab .form { height: auto; }
    FeaturesTab .form Label { padding: 1 1 0 0; width: auto; }
    FeaturesTab .form Select { width: 24; }
    FeaturesTab #ft-maps, FeaturesTab #ft-md { height: auto; padding: 1 0 0 0; }
    FeaturesTab #ft-maps Flow Vertical, FeaturesTab #ft-md Vertical { height: auto; }
    FeaturesTab .ft-who { text-style: bold; }
    FeaturesTab #ft-channels { height: auto; max-height: 14; }
    FeaturesTab #ft-disc-proj { height: 16; }
    FeaturesTab #ft-disc-note { padding: 1 0; color: $text-muted; }
    FeaturesTab #ft-budget { height: auto; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.details: dict[str, np.ndarray] | None = None
        self.features: dict[str, Any] = {}
        self.meta: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static("Saliency and Grad-CAM of the selected instance", classes="section")
        with Horizontal(classes="form"):
            yield Label("compare the teacher with")
            yield Select[str]([], prompt="student", id="ft-student")
        yield Static("", id="ft-budget", markup=False)
        yield Static("No instance selected (pick one in Instances).", id="ft-instance")
        yield EmptyState(NO_RUN, self.PRODUCER, DETAILS, id="ft-empty")
        with Vertical(id="ft-maps"):
            for who in ("teacher", "student"):
                yield Label(who, id=f"ft-l-{who}", classes="ft-who")
                with Flow(cell=MAP_CELL, classes="ft-row"):
                    for kind in (keys.SALIENCY, keys.CAM):
                        for cond in keys.MAP_TAGS:
                            with Vertical():
                                yield Label(MAP_TITLES[kind] + " " + cond, id=f"ft-l-{who}-{kind}-{cond}")
                                yield HalfBlockImage(
                                    scale=1, legend=True, id=f"ft-{who}-{kind}-{cond}", classes="-heat"
                                )
        yield Static("Model Doctor: class × channel gradient maps (last conv layer)", classes="section")
        yield EmptyState("", id="ft-md-empty")
        yield Flow(cell=40, id="ft-md")
        yield Static("Domain-discriminative channels (source vs target data)", classes="section")
        with Horizontal(classes="form"):
            yield Label("model")
            yield Select[str]([], prompt="model", id="ft-disc-model")
            yield Label("layer")
            yield Select[str]([], prompt="layer", id="ft-disc-layer")
        yield EmptyState("", id="ft-disc-empty")
        yield Static("", id="ft-disc-note")
        yield MirroredHistograms(id="ft-mirror")
        yield Chart(id="ft-disc-proj")
        yield Table(id="ft-channels", zebra_stripes=True)

    # -- which models ------------------------------------------------------------------------------------
    @property
    def student(self) -> str:
        value = self.query_one("#ft-student", Select).value
        return str(value) if isinstance(value, str) else ""

    @property
    def disc(self) -> dict[str, Any]:
        disc = self.meta.get("discriminative") or {}
        return disc if isinstance(disc, dict) else {}

    @property
    def disc_model(self) -> str:
        value = self.query_one("#ft-disc-model", Select).value
        return str(value) if isinstance(value, str) else ""

    @property
    def disc_layer(self) -> str:
        value = self.query_one("#ft-disc-layer", Select).value
        return str(value) if isinstance(value, str) else ""

    @staticmethod
    def _set_options(select: Select[str], names: list[str], keep: str, default: str) -> None:
        with select.prevent(Select.Changed):
            select.set_options(_options(names))
            if names:
                select.value = keep if keep in names else default if default in names else names[-1]

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        self.features = _load(run, FEATURES_NPZ)
        self.meta = _load(run, FEATURES_JSON)
        self.query_one("#ft-budget", Static).update(budget_lines.features(run.info) if run else "")
        variants = list(run.variants) if run else []
        self._set_options(self.query_one("#ft-student", Select), variants, self.student, "")
        models = list(self.disc)
        self._set_options(self.query_one("#ft-disc-model", Select), models, self.disc_model, self.student)
        self._fill_layers()
        self.draw_details()
        self._draw_model_doctor()
        self._draw_disc()

    def _fill_layers(self) -> None:
        layers = list(self.disc.get(self.disc_model) or {})
        self._set_options(self.query_one("#ft-disc-layer", Select), layers, self.disc_layer, "")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "ft-student":
            self.draw_details()
        elif event.select.id == "ft-disc-model":
            self._fill_layers()
            self._draw_disc()
        elif event.select.id == "ft-disc-layer":
            self._draw_disc()
            if self.disc_layer:
                self.post_message(LayerSelected(self.disc_layer))  # the Layers view follows

    def select_layer(self, name: str) -> None:
        select = self.query_one("#ft-disc-layer", Select)
        if name == self.disc_layer or name not in list(self.disc.get(self.disc_model) or {}):
            return
        with select.prevent(Select.Changed):
            select.value = name
        self._draw_disc()

    # -- saliency and Grad-CAM -----------------------------------------------------------------------------
    def draw_details(self) -> None:
        label = self.query_one("#ft-instance", Static)
        i = self.instance
        self.details = instance_details(self.run, i) if i is not None else None
        shown = self.details is not None
        self.query_one("#ft-maps").set_class(not shown, "-hidden")
        self.query_one("#ft-empty").set_class(shown or i is not None, "-hidden")
        empty = self.query_one("#ft-empty", EmptyState)
        if self.run is None:
            empty.set(NO_RUN, self.PRODUCER, DETAILS)
        elif self.run.artifact(DETAILS) is None:
            empty.set("Saliency and Grad-CAM per instance are not in this run.", self.PRODUCER, DETAILS)
        else:
            empty.set("Select an instance in the Instances tab.")
        if i is None:
            label.update("No instance selected (pick one in Instances).")
            return
        if self.details is None:
            label.update(NO_RUN if self.run is None else self.details_missing(i))
            return
        student = self.student
        label.update(f"Instance {self.instance_name(i)}: teacher vs {student}")
        widest = 0
        for who, model in (("teacher", "teacher"), ("student", student)):
            self.query_one(f"#ft-l-{who}", Label).update(model)
            for kind in (keys.SALIENCY, keys.CAM):
                for cond in keys.MAP_TAGS:
                    arr = self.details.get(keys.map_key(kind, model, cond))
                    title = f"{MAP_TITLES[kind]} {cond}"
                    self.query_one(f"#ft-l-{who}-{kind}-{cond}", Label).update(
                        title if arr is not None else f"{title}: not computed"
                    )
                    self.query_one(f"#ft-{who}-{kind}-{cond}", HalfBlockImage).set_image(
                        None if arr is None else np.asarray(arr, dtype=float)
                    )
                    widest = max(widest, 0 if arr is None else int(np.shape(arr)[-1]))
        for row in self.query(".ft-row").results(Flow):
            row.set_cell(max(MAP_CELL, widest))

    # -- Model Doctor ----------------------------------------------------------------------------------------
    @work(group="md", exclusive=True)
    async def _set_md(self, maps: list[tuple[str, np.ndarray]]) -> None:
        box = self.query_one("#ft-md", Flow)
        await box.remove_children()
        widest = 0
        for name, scores in maps:
            image = HalfBlockImage(scale=1, legend=True, classes="-heat")
            density = (self.meta.get("model_doctor") or {}).get(name, {}).get("density")
            await box.mount(Vertical(Label(f"{name} (density {fmt_num(density, 2)})"), image))
            image.set_image(scores)
            widest = max(widest, int(np.shape(scores)[-1]))
        box.set_cell(max(24, widest + 2))

    def _draw_model_doctor(self) -> None:
        maps = list(md_maps(self.features).items())
        empty = self.query_one("#ft-md-empty", EmptyState)
        empty.set_class(bool(maps), "-hidden")
        empty.set("No Model Doctor diagnosis in this run.", self.PRODUCER, FEATURES_NPZ)
        self._set_md(maps)

    # -- discriminative channels -----------------------------------------------------------------------------
    def _draw_disc(self) -> None:
        model, layer = self.disc_model, self.disc_layer
        info = (self.disc.get(model) or {}).get(layer) or {}
        empty = self.query_one("#ft-disc-empty", EmptyState)
        empty.set_class(bool(self.disc), "-hidden")
        if not self.disc:
            note = self.meta.get("discriminative_note") or "No domain-discriminative channels in this run."
            empty.set(str(note), self.PRODUCER, FEATURES_JSON)
        acc = fmt_num(info.get("accuracy"), 2) if info else "–"
        self.query_one("#ft-disc-note", Static).update(
            f"{model} {layer}: a linear classifier tells source from target activations with accuracy {acc};"
            " its top channels by |coefficient|:"
            if info
            else ""
        )
        hists = mirrored(self.features, model, layer, ranked(info, MIRRORED)) if info else []
        mirror = self.query_one("#ft-mirror", MirroredHistograms)
        mirror.show(hists, f"no activation histograms for {model} {layer} in {FEATURES_NPZ}")
        mirror.set_class(not self.disc, "-hidden")
        proj = self.query_one("#ft-disc-proj", Chart)
        proj.show(disc_projection(self.features, model, layer) if info else None, "no projection")
        proj.set_class(not self.disc, "-hidden")
        self._fill_channels()

    def _fill_channels(self) -> None:
        table: DataTable[Any] = self.query_one("#ft-channels", DataTable)
        table.clear(columns=True)
        disc = self.disc
        table.add_columns("model", "layer", *(f"#{i + 1}" for i in range(TOP)))
        for model in disc:
            layer, top = top_channels(disc, model, self.disc_layer)
            cells = [f"c{c} ({coef:+.2f})" for c, coef in top]
            table.add_row(model, layer, *cells, *([""] * (TOP - len(cells))))
        table.set_class(not disc, "-hidden")

    def export_table(self) -> ExportTable | None:
        disc = self.disc
        if not disc:
            return None
        rows = []
        for model in disc:
            for layer, info in (disc.get(model) or {}).items():
                rows += [(model, layer, rank + 1, c, coef) for rank, (c, coef) in enumerate(ranked(info))]
        return ExportTable("features-channels", ("model", "layer", "rank", "channel", "coef"), tuple(rows))
