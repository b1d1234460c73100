"""Treat: Model Doctor, Dare and FMT as jobs on a chosen variant; the Model Doctor map before and after."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from tltui.base.errors import TltuiError
from tltui.base.runfiles import load_json, load_npz
from tltui.ui.export import ExportTable
from tltui.ui.messages import MitigationRequested
from tltui.ui.methods import TREATMENT_METHODS
from tltui.ui.rundata import RunData
from tltui.ui.tabs.base import TabView
from tltui.ui.tabs.mitigate import COMPARE, compare_rows, show_comparison
from tltui.ui.widgets.chart import Chart
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.image import HalfBlockImage

FILE = "features.npz"
META = "features.json"

FIELDS: dict[str, tuple[tuple[str, str, str, type], ...]] = {
    # method -> (job parameter, label, default shown, type); an empty box means the method's own default
    "model-doctor": (("alpha", "α", "10", float), ("theta", "θ", "0.2", float), ("layer", "layer", "", str)),
    "dare": (("slice_ratio", "slice cut", "0.05", float), ("layer", "layer", "", str)),
    "fmt": (("sensitive_ratio", "sensitive", "0.25", float), ("slice_ratio", "slice cut", "0.05", float)),
}
"""The controls each treatment shows besides the variant and the epochs."""


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
    maps = {
        k[3 : -len(".scores")]: np.asarray(v, dtype=float)
        for k, v in arrays.items()
        if k.startswith("md.") and k.endswith(".scores") and np.ndim(v) == 2
    }
    if not maps:
        return f"{FILE} has no Model Doctor map (md.<variant>.scores)."
    return maps, meta if isinstance(meta, dict) else {}


def treated_from(run: RunData | None, base: str) -> list[str]:
    """Treatment variants produced from `base`, newest last."""
    derived = run.derived if run else {}
    out = [(float(m.get("created") or 0), n) for n, m in derived.items() if m.get("base") == base]
    return [n for _, n in sorted(out) if n in (run.variants if run else {})]


class TreatTab(TabView):
    """Treatments (DESIGN §2.6)."""

    TITLE = "Treat"
    PRODUCER = "treat"
    DEFAULT_CSS = """
    TreatTab .form { height: auto; }
    TreatTab .form Label { padding: 1 1 0 0; width: auto; }
    TreatTab .form Input { width: 12; }
    TreatTab .form Select { width: 24; }
    TreatTab .form .-hidden { display: none; }
    TreatTab #tr-maps { height: auto; }
    TreatTab #tr-maps Vertical { width: auto; height: auto; padding: 0 4 0 0; }
    TreatTab #tr-compare-row { height: auto; }
    TreatTab #tr-compare { height: auto; max-height: 14; }
    TreatTab #tr-tradeoff { height: 16; width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Treatment", classes="section")
        with Horizontal(classes="form"):
            yield Label("method")
            yield Select(
                [(m, m) for m in TREATMENT_METHODS], value="model-doctor", allow_blank=False, id="tr-method"
            )
            yield Label("treat variant")
            yield Select[str]([], prompt="variant", id="tr-variant")
            yield Label("epochs")
            yield Input("", placeholder="default", id="tr-epochs")
            yield Button("Run as job", id="tr-run", variant="primary")
        with Horizontal(classes="form"):
            seen: set[str] = set()
            for fields in FIELDS.values():
                for key, label, default, _ in fields:
                    if key in seen:
                        continue
                    seen.add(key)
                    yield Label(label, id=f"tr-l-{key}")
                    yield Input(default, placeholder="default", id=f"tr-{key}")
        yield Static("", id="tr-help")
        yield Static("Model Doctor map (class × channel at the diagnosed layer)", classes="section")
        yield EmptyState("", id="tr-map-empty")
        with Horizontal(id="tr-maps"):
            with Vertical():
                yield Label("", id="tr-l-map")
                yield HalfBlockImage(scale=1, id="tr-map", classes="-heat")
            with Vertical():
                yield Select[str]([], prompt="compare with", id="tr-after")
                yield Label("", id="tr-l-after")
                yield HalfBlockImage(scale=1, id="tr-map-after", classes="-heat")
        yield Static("Comparison", classes="section")
        with Horizontal(id="tr-compare-row"):
            yield DataTable(id="tr-compare", zebra_stripes=True)
            yield Chart(id="tr-tradeoff")

    def on_mount(self) -> None:
        self._method_changed()
        self.show_run(self.run)

    @property
    def method(self) -> str:
        return str(self.query_one("#tr-method", Select).value)

    @property
    def variant(self) -> str:
        value = self.query_one("#tr-variant", Select).value
        return str(value) if isinstance(value, str) else ""

    def _method_changed(self) -> None:
        self.query_one("#tr-help", Static).update(TREATMENT_METHODS.get(self.method, ""))
        shown = {key for key, *_ in FIELDS.get(self.method, ())}
        for fields in FIELDS.values():
            for key, *_ in fields:
                for w in (self.query_one(f"#tr-l-{key}"), self.query_one(f"#tr-{key}")):
                    w.set_class(key not in shown, "-hidden")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "tr-method":
            self._method_changed()
        elif event.select.id == "tr-variant":
            self._fill_after()
            self._draw_maps()
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
        show_comparison(self.query_one("#tr-compare", DataTable), self.query_one("#tr-tradeoff", Chart), run)

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
        """The form as treat-job parameters, or None (with a toast) when a box does not parse."""
        method = method or self.method
        params: dict[str, Any] = {"method": method}
        if self.variant:
            params["variant"] = self.variant
        boxes = [("epochs", "epochs", "", int), *FIELDS.get(method, ())]
        for key, label, _, kind in boxes:
            text = self.query_one(f"#tr-{key}", Input).value.strip()
            if not text:
                continue
            try:
                value = kind(text)
            except ValueError:
                self.notify(
                    f"{label}: {text!r} is not a valid {kind.__name__}", title="Treat", severity="error"
                )
                return None
            params[key] = value
        return params

    def request(self, method: str | None = None) -> None:
        params = self.params(method)
        if params is not None:
            self.app.post_message(MitigationRequested("treat", params["method"], params))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "tr-run":
            self.request()

    def export_table(self) -> ExportTable | None:
        rows = compare_rows(self.run)
        if not rows:
            return None
        return ExportTable("treat-compare", ("variant", *(k for k, _ in COMPARE)), tuple(rows))
