"""Treat: Model Doctor, Dare, FMT as jobs; the Model Doctor class × channel map when the run has it."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from tltui.core.errors import TltuiError
from tltui.core.results import load_npz
from tltui.ui.export import ExportTable, fmt_num
from tltui.ui.messages import MitigationRequested
from tltui.ui.methods import TREATMENT_METHODS
from tltui.ui.rundata import RunData
from tltui.ui.tabs.base import TabView
from tltui.ui.tabs.mitigate import COMPARE, compare_rows
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.image import HalfBlockImage

FILE = "features.npz"


class TreatTab(TabView):
    """Treatments (DESIGN §2.6)."""

    TITLE = "Treat"
    PRODUCER = "treat"
    DEFAULT_CSS = """
    TreatTab .form { height: auto; }
    TreatTab .form Label { padding: 1 1 0 0; width: auto; }
    TreatTab .form Input { width: 12; }
    TreatTab .form Select { width: 24; }
    TreatTab #tr-compare { height: auto; max-height: 12; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Treatment", classes="section")
        with Horizontal(classes="form"):
            yield Label("method")
            yield Select(
                [(m, m) for m in TREATMENT_METHODS], value="model-doctor", allow_blank=False, id="tr-method"
            )
            yield Label("α")
            yield Input("10", id="tr-alpha")
            yield Button("Run as job", id="tr-run", variant="primary")
        yield Static("", id="tr-help")
        yield Static(
            "Model Doctor map (class × channel, correlated kernels above θ = 0.2)", classes="section"
        )
        yield EmptyState("", id="tr-map-empty")
        yield HalfBlockImage(scale=1, id="tr-map", classes="-heat")
        yield Static("Comparison", classes="section")
        yield DataTable(id="tr-compare", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#tr-help", Static).update(TREATMENT_METHODS["model-doctor"])
        self.show_run(self.run)

    def on_select_changed(self, event: Select.Changed) -> None:
        self.query_one("#tr-help", Static).update(TREATMENT_METHODS.get(str(event.value), ""))

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        grads = self._map(run)
        empty = self.query_one("#tr-map-empty", EmptyState)
        empty.set_class(isinstance(grads, np.ndarray), "-hidden")
        image = self.query_one("#tr-map", HalfBlockImage)
        image.set_class(not isinstance(grads, np.ndarray), "-hidden")
        if isinstance(grads, np.ndarray):
            image.set_image(grads)
        else:
            empty.set(grads, "analyze", FILE)
        rows = compare_rows(run)
        table: DataTable[Any] = self.query_one("#tr-compare", DataTable)
        table.clear(columns=True)
        table.add_columns("variant", *(label for _, label in COMPARE))
        for row in rows:
            table.add_row(row[0], *(fmt_num(v) for v in row[1:]))

    @staticmethod
    def _map(run: RunData | None) -> np.ndarray | str:
        """The last variant's Model Doctor scores (classes × channels) from features.npz."""
        path = run.artifact(FILE) if run else None
        if path is None:
            return "No Model Doctor diagnosis in this run."
        try:
            arrays = load_npz(path)
        except (TltuiError, OSError, ValueError) as exc:
            return f"{FILE} could not be read: {exc}"
        maps = [
            k for k in arrays if k.startswith("md.") and k.endswith(".scores") and k != "md.teacher.scores"
        ]
        if not maps or np.ndim(arrays[maps[-1]]) != 2:
            return f"{FILE} has no Model Doctor map (md.<variant>.scores)."
        return np.asarray(arrays[maps[-1]], dtype=float)

    def request(self, method: str | None = None) -> None:
        method = method or str(self.query_one("#tr-method", Select).value)
        params: dict[str, Any] = {"method": method}
        if method == "model-doctor":
            try:
                params["alpha"] = float(self.query_one("#tr-alpha", Input).value)
            except ValueError:
                self.notify("α must be a number", title="Treat", severity="error")
                return
        self.app.post_message(MitigationRequested("treat", method, params))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "tr-run":
            self.request()

    def export_table(self) -> ExportTable | None:
        rows = compare_rows(self.run)
        if not rows:
            return None
        return ExportTable("treat-compare", ("variant", *(k for k, _ in COMPARE)), tuple(rows))
