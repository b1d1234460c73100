"""Treat: Model Doctor, Dare and FMT as jobs on a chosen variant; the Model Doctor map before and after."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, DataTable, Label, Select, Static

from tltui.base.catalogue import TREATMENTS
from tltui.base.errors import TltuiError
from tltui.base.rundir import FEATURES_JSON, FEATURES_NPZ, keys
from tltui.base.rundir.tables import md_maps as model_doctor_maps
from tltui.base.runfiles import load_json, load_npz
from tltui.ui.export import ExportTable
from tltui.ui.messages import MitigationRequested
from tltui.ui.model import budget_lines
from tltui.ui.model.rundata import RunData
from tltui.ui.tabs.base import TabView, run_layers
from tltui.ui.widgets.chart import Chart
from tltui.ui.widgets.comparison import ComparisonTable, comparison_table, show_comparison
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.flow import Flow
from tltui.ui.widgets.image import HalfBlockImage
from tltui.ui.widgets.param_form import ParamForm

FILE, META = FEATURES_NPZ, FEATURES_JSON


def md_maps(run: RunData | None) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]] | str:
    """Every model's Model Doctor scores (classes × channels) and their metadata, or why there are none."""
    path = run.artifact(FILE) if run else None
    if path is None:
        return "No Model Doctor diagnosis in this run."
    try:
        arrays = load_npz(path)
        meta_path = run.artifact(META) if run else None
        meta = load_json(meta_path).get("model_doctor", {}) if meta_path else {}
    except (TltuiError, OSError, ValueError) as exc:
        return f"{FILE} could not be read: {exc}"
    maps = model_doctor_maps(arrays)
    if not maps:
        return f"{FILE} has no Model Doctor map ({keys.md_key('<variant>', 'scores')})."
    return maps, meta if isinstance(meta, dict) else {}


def treated_from(run: RunData | None, base: str) -> list[str]:
    """Treatment variants produced from `base`, newest last."""
    derived = run.derived if run else {}
    out = [(float(m.get("created") or 0), n) for n, m in derived.items() if m.get("base") == base]
    return [n for _, n in sorted(out) if n in (run.variants if run else {})]


class TreatTab(TabView):
    """Treatments (docs/treatments.md)."""

    TITLE = "Treat"
    PRODUCER = "treat"
    REQUESTS = ("treat",)
    DEFAULT_CSS = """
    TreatTab #tr-maps { height: auto; }
    TreatTab #tr-maps Vertical { height: auto; }
    TreatTab #tr-after { width: 30; }
    TreatTab #tr-compare { height: auto; max-height: 14; }
    TreatTab #tr-tradeoff { height: 16; }
    TreatTab #tr-budget { height: auto; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        # The comparison first: its --seeds group rows are on screen without scrolling, at 80×24 too.
        yield Static("Comparison", classes="section", id="tr-compare-title")
        yield ComparisonTable(id="tr-compare", zebra_stripes=True)
        yield Static("", id="tr-budget", markup=False)  # under the table: its group rows stay on screen
        yield Static("Treatment", classes="section")
        yield ParamForm(
            TREATMENTS,
            prefix="tr",
            method="model-doctor",
            pickers=("variant",),
            extra=(Button("Run as job", id="tr-run", variant="primary"),),
        )
        yield Static("Model Doctor map (class × channel at the diagnosed layer)", classes="section")
        yield EmptyState("", id="tr-map-empty")
        with Flow(cell=66, id="tr-maps"):
            with Vertical():
                yield Label("", id="tr-l-map")
                yield HalfBlockImage(scale=1, legend=True, id="tr-map", classes="-heat")
            with Vertical():
                yield Select[str]([], prompt="compare with", id="tr-after")
                yield Label("", id="tr-l-after")
                yield HalfBlockImage(scale=1, legend=True, id="tr-map-after", classes="-heat")
        yield Chart(id="tr-tradeoff")

    def on_mount(self) -> None:
        self.show_run(self.run)

    @property
    def method(self) -> str:
        return self.query_one(ParamForm).method

    @property
    def variant(self) -> str:
        value = self.query_one("#tr-variant", Select).value
        return str(value) if isinstance(value, str) else ""

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "tr-variant":
            self._fill_after()
            self._draw_maps()
            self._compare()
        elif event.select.id == "tr-after":
            self._draw_maps()

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        names = list(run.variants) if run else []
        base = self.query_one("#tr-variant", Select)
        keep = self.variant
        default = (
            keep if keep in names else "finetune" if "finetune" in names else (names[-1] if names else "")
        )
        with base.prevent(Select.Changed):
            base.set_options([(n, n) for n in names])
            if default:
                base.value = default
        self._fill_after()
        self._draw_maps()
        self._compare()

    def _compare(self) -> None:
        """The comparison, Δ against the variant chosen for treatment (what a treatment starts from)."""
        baseline = self.variant if self.run is not None and self.variant in self.run.variants else ""
        self.query_one("#tr-compare-title", Static).update(
            "Comparison: seed groups first, Δ against their matched baselines (e: their seeds)"
            + (f"; other variants against {baseline}, the variant to treat" if baseline else "")
        )
        show_comparison(
            self.query_one("#tr-compare", DataTable),
            self.query_one("#tr-tradeoff", Chart),
            self.run,
            baseline,
        )
        self.query_one("#tr-budget", Static).update(
            budget_lines.comparison(self.run.info) if self.run else ""
        )

    def _fill_after(self) -> None:
        """The comparison map: by default the newest treatment of the chosen variant, else the teacher."""
        names = ["teacher", *(self.run.variants if self.run else {})]
        names = [n for n in names if n != self.variant]
        treated = treated_from(self.run, self.variant)
        after = self.query_one("#tr-after", Select)
        keep = after.value if isinstance(after.value, str) else ""
        with after.prevent(Select.Changed):
            after.set_options([(n, n) for n in names])
            choice = keep if keep in names and keep not in ("teacher",) else (treated or ["teacher"])[-1]
            if choice in names:
                after.value = choice

    def _draw_maps(self) -> None:
        loaded = md_maps(self.run)
        empty = self.query_one("#tr-map-empty", EmptyState)
        empty.set_class(not isinstance(loaded, str), "-hidden")
        self.query_one("#tr-maps").set_class(isinstance(loaded, str), "-hidden")
        if isinstance(loaded, str):
            empty.set(loaded, "analyze", FILE)
            return
        maps, meta = loaded
        after = self.query_one("#tr-after", Select).value
        for name, image_id, label_id in (
            (self.variant, "#tr-map", "#tr-l-map"),
            (str(after) if isinstance(after, str) else "", "#tr-map-after", "#tr-l-after"),
        ):
            grads = maps.get(name)
            info = meta.get(name) or {}
            density = info.get("density")
            text = f"{name} at {info.get('layer', '?')}" if grads is not None else f"{name}: no map"
            if isinstance(density, (int, float)):
                text += f": {density:.0%} of cells correlated"
            self.query_one(label_id, Label).update(text)
            self.query_one(image_id, HalfBlockImage).set_image(grads)

    def params(self, method: str | None = None) -> dict[str, Any] | None:
        """The form as job parameters (checked as the CLI checks them), or None after a toast."""
        return self.query_one(ParamForm).job_params(method, run_layers(self.run), "Treat")

    def request(self, method: str | None = None) -> None:
        params = self.params(method)
        if params is not None:
            self.app.post_message(MitigationRequested("treat", params["method"], params))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "tr-run":
            self.request()

    def export_table(self) -> ExportTable | None:
        return comparison_table("treat-compare", self.run, self.query_one("#tr-compare", ComparisonTable))
