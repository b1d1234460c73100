"""Mitigate: the slicing controls (method, ratio, coverage), a per-layer preview, run as a job, compare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Select, Static

from tltui.base import stack
from tltui.base.catalogue import MITIGATIONS, RemosParams, parse
from tltui.base.catalogue.params import spec_of
from tltui.base.errors import ParamError, TltuiError
from tltui.base.rundir import PREVIEW_NPZ, SUMMARY, keys
from tltui.base.rundir.tables import preview_cut
from tltui.base.runfiles import load_npz
from tltui.base.timeline import COLUMNS
from tltui.ui.export import ExportTable
from tltui.ui.messages import MitigationRequested
from tltui.ui.model import budget_lines
from tltui.ui.model.baseline_note import baseline_note
from tltui.ui.model.rundata import RunData
from tltui.ui.model.sweepform import sweep_params
from tltui.ui.model.timeline_view import timeline_note, timeline_rows, timeline_specs
from tltui.ui.tabs.base import TabView, run_layers
from tltui.ui.widgets.chart import Chart, ChartSpec, Series
from tltui.ui.widgets.comparison import (
    ComparisonTable,
    baseline_of,
    compare_rows,
    comparison_table,
    show_comparison,
)
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.param_form import ParamForm

RATIO = spec_of(RemosParams, "ratio")
PREVIEWED = ("remos", "seam")
"""The methods with a preview: ReMoS's slice (any ratio at once), SeaM's learnt mask (a job per setting)."""
THEN_CHOICES = [("then: —", "")] + [
    (f"then {n}", n) for entries in stack.families().values() for n in entries if not stack.first_only(n)
]
THEN_HELP = (
    "then run this method from the variant, seed by seed (a stacked job); its own parameters as NAME=VALUE "
    "words in the box beside, e.g. channel_alpha=5"
)


def ratio_of(text: str) -> float | None:
    """The ratio box as a slicing ratio (empty: the catalogue's default); None when it is not a valid one."""
    try:
        value = parse(RATIO, text or RATIO.default_text())
    except ParamError:
        return None
    return float(value)


class MitigateTab(TabView):
    """Model slicing controls (docs/mitigation.md#remos); the run is a `mitigate` job, its variant joins every view."""

    TITLE = "Mitigate"
    PRODUCER = "mitigate"
    REQUESTS = ("mitigate",)
    DEFAULT_CSS = """
    MitigateTab #mt-compare { height: auto; max-height: 14; }
    MitigateTab #mt-tradeoff { height: 16; }
    MitigateTab #mt-budget { height: auto; color: $text-muted; }
    MitigateTab .timeline-chart { height: 14; }
    MitigateTab #mt-timeline-table { height: auto; max-height: 10; }
    MitigateTab #mt-sweep { width: 22; }
    MitigateTab #mt-chain { height: auto; }
    MitigateTab #mt-then { width: 30; }
    MitigateTab #mt-then-params { width: 44; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.preview: dict[str, np.ndarray] | None = None

    def compose(self) -> ComposeResult:
        # The comparison first: its --seeds group rows are on screen without scrolling, at 80×24 too.
        yield Static("", classes="section", id="mt-compare-title")
        yield Static("", id="mt-baseline-note", classes="-hidden", markup=False)  # `[tuning]` is text
        yield EmptyState("No analysis run is loaded yet.", "analyze", SUMMARY, id="mt-compare-empty")
        yield ComparisonTable(id="mt-compare", zebra_stripes=True)
        yield Static("", id="mt-budget", markup=False)  # under the table: its group rows stay on screen
        yield Static("Method and parameters", classes="section")
        yield ParamForm(
            MITIGATIONS,
            prefix="mt",
            method="remos",
            extra=(
                Button("Preview cut", id="mt-preview-run"),
                Button("Run as job", id="mt-run", variant="primary"),
                Input("0.005,0.01,0.05", placeholder="lr values", id="mt-sweep"),
                Button("Sweep lr", id="mt-sweep-run"),
            ),
        )
        with Horizontal(id="mt-chain"):  # a stacked job (docs/mitigation.md#stacked-mitigations)
            yield Select(THEN_CHOICES, value="", allow_blank=False, id="mt-then", tooltip=THEN_HELP)
            yield Input(
                "", placeholder="its parameters: NAME=VALUE …", id="mt-then-params", tooltip=THEN_HELP
            )
        yield Static(
            "Preview: fraction of each layer's weights the method would cut",
            classes="section remos-only",
            id="mt-preview-title",
        )
        yield EmptyState(
            "No preview yet: press “Preview cut” (ReMoS: a short job profiles the teacher's coverage, then "
            "the ratio box updates the preview at once; SeaM: a job learns the mask, without the fine-tuning).",
            "preview",
            PREVIEW_NPZ,
            id="mt-preview",
            classes="remos-only",
        )
        yield Chart(id="mt-preview-chart", classes="row -hidden")
        yield Chart(id="mt-tradeoff")
        yield Static(
            "Timeline: DIR and accuracy along training", classes="section timeline", id="mt-timeline-title"
        )
        yield Static("", classes="timeline", id="mt-timeline-note", markup=False)
        yield DataTable(id="mt-timeline-table", classes="timeline", zebra_stripes=True, cursor_type="row")
        yield Chart(id="mt-timeline-dir", classes="timeline timeline-chart")
        yield Chart(id="mt-timeline-acc", classes="timeline timeline-chart")

    def on_mount(self) -> None:
        self.show_run(self.run)
        self._draw_preview()
        self._show_method_parts()

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        rows = compare_rows(run)
        self.query_one("#mt-compare-empty").set_class(bool(rows), "-hidden")
        table: DataTable[Any] = self.query_one("#mt-compare", DataTable)
        table.set_class(not rows, "-hidden")
        baseline = baseline_of(run)
        self.query_one("#mt-compare-title", Static).update(
            "Comparison: seed groups first, Δ against their matched baselines (e: their seeds)"
            + (f"; other variants against {baseline}, where mitigations start" if baseline else "")
        )
        show_comparison(table, self.query_one("#mt-tradeoff", Chart), run, baseline)
        budget = self.query_one("#mt-budget", Static)
        budget.update(budget_lines.comparison(run.info) if rows and run else "")
        budget.set_class(not rows, "-hidden")
        note = baseline_note(run)
        self.query_one("#mt-baseline-note", Static).update(note)
        self.query_one("#mt-baseline-note").set_class(not note, "-hidden")
        self._show_timeline(run)

    def _show_timeline(self, run: RunData | None) -> None:
        """The `--timeline` section: hidden unless the run (or a joined one) recorded a timeline."""
        specs = timeline_specs(run, plain=bool(self.app.no_color))
        for w in self.query(".timeline"):
            w.set_class(not specs, "-hidden")
        if not specs:
            return
        self.query_one("#mt-timeline-note", Static).update(timeline_note(run))
        table: DataTable[Any] = self.query_one("#mt-timeline-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*COLUMNS)
        table.add_rows(timeline_rows(run))
        self.query_one("#mt-timeline-dir", Chart).show(specs[0])
        self.query_one("#mt-timeline-acc", Chart).show(specs[1])

    def params(self, method: str | None = None, *, chain: bool = True) -> dict[str, Any] | None:
        """The form as job parameters (checked as the CLI checks them), or None after a toast; with the "then"
        stage chosen (`chain`), a stacked job (docs/mitigation.md#stacked-mitigations)."""
        form = self.query_one(ParamForm)
        try:
            extra = self.chain() if chain else {}
        except ParamError as exc:
            self.notify(exc.msg, title="Mitigate", severity="error")
            return None
        return form.job_params(method, run_layers(self.run), "Mitigate", extra)

    def chain(self) -> dict[str, Any]:
        """The "then" stage and its `NAME=VALUE` words (stage 2's own parameters) as raw job values; {} for none."""
        then = self.query_one("#mt-then", Select).value
        if not isinstance(then, str) or not then:
            return {}
        words = self.query_one("#mt-then-params", Input).value.split()
        return {stack.THEN: [then], **stack.assignments(words, stage=2)}

    def request(self, method: str | None = None) -> None:
        params = self.params(method)
        if params is None:
            return
        self.app.post_message(MitigationRequested("mitigate", params["method"], params))

    def prefill(self, kind: str, method: str, values: dict[str, str]) -> bool:
        """The form with `method` and `values` set (Layers' "slice these layers": ReMoS with a --scope)."""
        if kind != "mitigate" or method not in MITIGATIONS:
            return False
        form = self.query_one(ParamForm)
        select = self.query_one("#mt-method", Select)
        with select.prevent(Select.Changed):
            select.value = method
        form.show_method()
        for name, text in values.items():
            form.set_text(name, text)
        self._show_method_parts()
        return True

    def request_sweep(self) -> None:
        """The method against its matched baseline at each learning rate of the sweep box (docs/sweeps.md)."""
        params = self.params(chain=False)
        if params is None:
            return
        if self.query_one("#mt-then", Select).value:
            self.notify("a sweep runs one method: set “then” to none", title="Mitigate", severity="error")
            return
        try:
            job = sweep_params(params, self.query_one("#mt-sweep", Input).value)
        except ParamError as exc:
            self.notify(exc.msg, title="Mitigate", severity="error")
            return
        self.app.post_message(MitigationRequested("sweep", job["method"], job))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "mt-run":
            self.request()
        elif event.button.id == "mt-sweep-run":
            self.request_sweep()
        elif event.button.id == "mt-preview-run":
            method = self.query_one(ParamForm).method
            method = method if method in PREVIEWED else "remos"
            params = self.params(method, chain=False)
            if params is not None:
                self.app.post_message(MitigationRequested("preview", method, params))

    def show_preview(self, folder: Path) -> None:
        """Load preview.npz (ReMoS: the network-wide slice order as layer ids; SeaM: the learnt mask's cut per
        layer) and draw it (ReMoS's for the current ratio)."""
        try:
            arrays = load_npz(folder / PREVIEW_NPZ)
        except (TltuiError, OSError, ValueError):
            return
        have = set(arrays)
        if {keys.PREVIEW_LAYERS, keys.PREVIEW_SIZES} <= have and (
            keys.PREVIEW_ORDER in have or {keys.PREVIEW_CUT, keys.PREVIEW_KEPT} <= have
        ):
            self.preview = arrays
            self._draw_preview()

    def _preview_method(self) -> str | None:
        if self.preview is None:
            return None
        return "seam" if keys.PREVIEW_CUT in self.preview else "remos"

    def _draw_preview(self) -> None:
        if self.preview is None or not self.is_mounted:
            return
        layers = [str(n) for n in self.preview[keys.PREVIEW_LAYERS]]
        if self._preview_method() == "seam":
            cut = np.asarray(self.preview[keys.PREVIEW_CUT], dtype=float)
            title = f"SeaM mask keeps {float(self.preview[keys.PREVIEW_KEPT]):.1%}: fraction of each layer removed"
        else:
            ratio = ratio_of(self.query_one(ParamForm).text("ratio"))
            if ratio is None:
                return
            cut = preview_cut(self.preview[keys.PREVIEW_ORDER], self.preview[keys.PREVIEW_SIZES], ratio)
            title = f"ratio {ratio:g}: fraction of each layer's weights cut"
        spec = ChartSpec(
            "bar",
            (Series("cut", tuple(cut.tolist())),),
            title,
            categories=tuple(n[-14:] for n in layers),
            ylim=(0.0, 1.0),
            colors=tuple(0 for _ in layers),
        )
        chart = self.query_one("#mt-preview-chart", Chart)
        chart.show(spec)
        self._show_method_parts()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "mt-ratio":
            self._draw_preview()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "mt-method":
            self._show_method_parts()

    def _show_method_parts(self) -> None:
        """The preview belongs to ReMoS and SeaM, each its own: other methods show none (nor its button)."""
        method = self.query_one(ParamForm).method
        previewed = method in PREVIEWED
        for w in self.query(".remos-only, #mt-preview-run"):
            w.set_class(not previewed, "-hidden")
        own = previewed and self._preview_method() == method
        self.query_one("#mt-preview-chart").set_class(not own, "-hidden")
        if own:
            self.query_one("#mt-preview").add_class("-hidden")
        name = "the learnt SeaM mask would remove" if method == "seam" else "ReMoS would cut"
        self.query_one("#mt-preview-title", Static).update(
            f"Preview: fraction of each layer's weights {name}"
        )

    def export_table(self) -> ExportTable | None:
        return comparison_table("mitigate-compare", self.run, self.query_one("#mt-compare", ComparisonTable))
