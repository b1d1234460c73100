"""Instances: one row per test instance (clean / adversarial predictions per variant, and what each
mitigation "updated"), the drawn instance, and a PCA or t-SNE projection of penultimate features."""

from __future__ import annotations

from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from tltui.base.names import shown_markup
from tltui.base.rundir import INSTANCES, PROJECTION, keys, tsne_name
from tltui.ui.export import ExportTable
from tltui.ui.keys import INSTANCE_KEYS, bindings
from tltui.ui.messages import ComputeRequested, InstanceSelected
from tltui.ui.model import budget_lines
from tltui.ui.model.instances_data import Instances, load_instances, load_tsne
from tltui.ui.model.rundata import RunData
from tltui.ui.tabs.base import NO_RUN, TabView
from tltui.ui.widgets.chart import Chart, ChartSpec, Series
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.flow import Flow
from tltui.ui.widgets.image import HalfBlockImage
from tltui.ui.widgets.table import Table

MAX_ROWS = 2000


def attack_eps(run: RunData | None) -> float | None:
    """The study's attack budget ε (pixel units) from summary.json, None when the run does not say."""
    attack = run.info.attack if run is not None else None
    eps = attack.get("eps") if attack is not None else None
    return float(eps) if isinstance(eps, (int, float)) and eps > 0 else None


def projection_spec(
    data: Instances, model: str, xy: np.ndarray, xy_adv: np.ndarray | None, selected: int | None, method: str
) -> ChartSpec:
    """Clean points coloured by class (mispredictions marked x), the teacher-crafted twins (+, coloured by
    their true class, so a twin that jumps into another class's cluster stands out), the selected pair."""
    y = np.asarray(data.table.labels)
    column = data.table.columns.get(model)
    wrong = (column.pred != y) if column is not None else np.zeros(len(xy), dtype=bool)

    def pts(label: str, mask: np.ndarray, a: np.ndarray, color: int, marker: str = "") -> Series:
        return Series(label, tuple(a[mask, 1].tolist()), tuple(a[mask, 0].tolist()), marker, color)

    series: list[Series] = []
    marked_wrong = marked_adv = False
    for k in np.unique(y).tolist():
        cls = y == k
        series.append(pts(data.name(int(k)), cls & ~wrong, xy, int(k)))
        if (cls & wrong).any():
            series.append(pts("" if marked_wrong else "x mispredicted", cls & wrong, xy, int(k), "x"))
            marked_wrong = True
        if xy_adv is not None and len(xy_adv) == len(y):
            series.append(pts("" if marked_adv else "+ teacher-crafted", cls, xy_adv, int(k), "+"))
            marked_adv = True
    if selected is not None and 0 <= selected < len(xy):
        name = data.ids[selected]
        series.append(Series(name, (float(xy[selected, 1]),), (float(xy[selected, 0]),), "◉"))
        if xy_adv is not None and selected < len(xy_adv):
            series.append(
                Series(f"{name} adv", (float(xy_adv[selected, 1]),), (float(xy_adv[selected, 0]),), "◈")
            )
    return ChartSpec("scatter", tuple(series), f"penultimate features of {model} ({method})")


class InstancesTab(TabView):
    """Instance level (docs/levels.md#instances)."""

    FOCUS = "#in-table"
    TITLE = "Instances"
    BINDINGS = bindings(INSTANCE_KEYS)
    DEFAULT_CSS = """
    InstancesTab #in-filter { width: 1fr; }
    InstancesTab #in-bar { height: auto; }
    InstancesTab #in-bar Select { width: 30; }
    InstancesTab #in-count { height: 1; color: $text-muted; }
    InstancesTab #in-budget { height: auto; color: $text-muted; }
    InstancesTab #in-table { height: 12; }
    InstancesTab #in-images { height: auto; padding: 1 0; }
    InstancesTab #in-images Vertical { height: auto; }
    InstancesTab .form { height: auto; }
    InstancesTab .form Label { padding: 1 1 0 0; width: auto; }
    InstancesTab .form Select { width: 24; }
    InstancesTab #in-proj-note { padding: 1 0 0 2; width: 1fr; }
    InstancesTab #in-proj { height: 20; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: Instances | None = None
        self.shown: list[int] = []
        self.selected: int | None = None
        self.pending: int | None = None
        """An instance picked before its row existed (run not loaded yet); selected when it appears."""
        self.method = "pca"
        """The projection shown: 'pca' (projection.npz) or 'tsne' (tsne-<model>.npz, a job on request)."""
        self.tsne_asked: set[str] = set()

    def compose(self) -> ComposeResult:
        yield EmptyState(NO_RUN, self.PRODUCER, INSTANCES, id="in-empty")
        with Horizontal(id="in-bar", classes="data"):
            yield Input(
                placeholder="filter: fooled  fixed  label=7  <id text>   (/ focuses this, f sorts, t: t-SNE)",
                id="in-filter",
            )
            yield Select[str]([], prompt="columns of every variant", id="in-cols")
        yield Static("", id="in-count", classes="data")
        yield Static("", id="in-budget", classes="data", markup=False)
        yield Table(id="in-table", cursor_type="row", zebra_stripes=True, classes="data")
        with Flow(cell=34, id="in-images", classes="data"):
            for name, title in (
                ("clean", "clean"),
                ("adversarial", "teacher-crafted (adversarial)"),
                ("perturbation", "perturbation |δ|"),
            ):
                with Vertical():
                    yield Label(title, id=f"in-l-{name}")
                    yield HalfBlockImage(
                        id=f"in-img-{name}",
                        legend=name == "perturbation",
                        classes="-heat" if name == "perturbation" else "",
                    )
        with Horizontal(classes="form data"):
            yield Label("projection of")
            yield Select[str]([], prompt="model", id="in-proj-model")
            yield Button("t-SNE", id="in-tsne")
            yield Static("", id="in-proj-note")
        yield Chart(id="in-proj", classes="data")

    def on_resize(self) -> None:
        # The table takes what the view has left under the filter bar (scrolling on to the drawings below).
        self.query_one("#in-table").styles.height = max(8, min(18, self.size.height - 5))

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        loaded = load_instances(run) if run is not None else NO_RUN
        self.data = loaded if isinstance(loaded, Instances) else None
        empty = self.query_one("#in-empty", EmptyState)
        empty.set_class(self.data is not None, "-hidden")
        if isinstance(loaded, str):
            empty.set(loaded, self.PRODUCER, INSTANCES)
        for w in self.query(".data"):
            w.set_class(self.data is None, "-hidden")
        self.tsne_asked.clear()
        if self.data is not None:
            self.query_one("#in-budget", Static).update(
                budget_lines.instances(self.run.info if self.run else None)
            )
            models = [m for m in ("teacher", *self.data.variants) if m in self.data.projections]
            select = self.query_one("#in-proj-model", Select)
            keep = select.value if isinstance(select.value, str) else ""
            with select.prevent(Select.Changed):
                select.set_options([(m, m) for m in models])
                if models:
                    select.value = keep if keep in models else models[-1]
            cols = self.query_one("#in-cols", Select)
            only = self.only
            with cols.prevent(Select.Changed):
                cols.set_options([(f"columns of {v} only", v) for v in self.data.variants])
                if only in self.data.variants:
                    cols.value = only
            self._fill(self.query_one("#in-filter", Input).value)
            self.query_one("#in-images").set_class(keys.IMAGES not in self.data.arrays, "-hidden")

    @property
    def only(self) -> str:
        """The variant whose columns the table shows ("": every variant's)."""
        value = self.query_one("#in-cols", Select).value
        return str(value) if isinstance(value, str) else ""

    def _fill(self, query: str) -> None:
        data = self.data
        if data is None:
            return
        matching = [i for i in range(len(data)) if data.matches(i, query)]
        self.shown = matching[:MAX_ROWS]
        table: DataTable[Any] = self.query_one("#in-table", DataTable)
        table.clear(columns=True)
        table.fixed_columns = 2  # the id and the label stay while the variants' columns scroll
        keep = data.keep(self.only)
        table.add_columns(*(c for c, k in zip(data.columns(), keep, strict=True) if k))
        for i in self.shown:
            table.add_row(*(c for c, k in zip(data.row(i), keep, strict=True) if k), key=str(i))
        self._count(query, len(matching), len(data))
        self._projection(None)
        if self.pending in self.shown:
            self.select(self.pending)

    def _count(self, query: str, matching: int, total: int) -> None:
        """How many rows the filter leaves, and what to do when it leaves none."""
        note = self.query_one("#in-count", Static)
        if not query.strip():
            note.update(f"{total} instances")
        elif matching == 0:
            note.update(
                f"no instance matches {shown_markup(repr(query.strip()))} (filters: fooled, fixed, label=CLASS, or id text)"
            )
        else:
            shown = f", the first {MAX_ROWS} shown" if matching > MAX_ROWS else ""
            note.update(f"{matching} of {total} instances match {shown_markup(repr(query.strip()))}{shown}")

    @property
    def proj_model(self) -> str:
        value = self.query_one("#in-proj-model", Select).value
        return str(value) if isinstance(value, str) else ""

    def _projection(self, selected: int | None) -> None:
        if selected is not None:
            self.selected = selected
        data, model = self.data, self.proj_model
        chart = self.query_one("#in-proj", Chart)
        note = self.query_one("#in-proj-note", Static)
        self.query_one("#in-tsne", Button).label = "PCA" if self.method == "tsne" else "t-SNE"
        if data is None or model not in data.projections:
            chart.show(None, f"No 2-D projection of penultimate features in this run ({PROJECTION}).")
            note.update("")
            return
        (xy, xy_adv), method = data.projections[model], "PCA"
        note.update("t: t-SNE (a job, perplexity 40)")
        if self.method == "tsne":
            tsne = load_tsne(self.run, model)
            if tsne is not None and len(tsne[0]) == len(xy):
                (xy, xy_adv), method = tsne, "t-SNE"
                note.update("t: back to PCA")
            elif model in self.tsne_asked:
                note.update(f"computing the t-SNE of {model} (tsne job)… PCA until it is there")
            else:
                self.tsne_asked.add(model)
                self.app.post_message(ComputeRequested("tsne", tsne_name(model), {"model": model}))
                note.update(f"computing the t-SNE of {model} (tsne job)… PCA until it is there")
        chart.show(projection_spec(data, model, xy, xy_adv, self.selected, method))

    def action_toggle_tsne(self) -> None:
        """Switch the projection between PCA and t-SNE (asking for the t-SNE job when it is missing)."""
        self.method = "pca" if self.method == "tsne" else "tsne"
        self._projection(None)

    def computed(self, kind: str, status: str, error: str) -> None:
        if kind != "tsne":
            return
        model = self.proj_model
        if status != "done" and load_tsne(self.run, model) is None:
            self.tsne_asked.discard(model)
            self.method = "pca"
            self.notify(f"t-SNE of {model}: {error or status}", title="t-SNE", severity="error")
        self._projection(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "in-tsne":
            event.stop()
            self.action_toggle_tsne()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "in-proj-model":
            event.stop()
            self._projection(None)
        elif event.select.id == "in-cols":
            event.stop()
            self._fill(self.query_one("#in-filter", Input).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None:
            return
        index = int(event.row_key.value)
        self._draw(index)
        self.post_message(InstanceSelected(index))

    def _draw(self, index: int) -> None:
        arrays = self.data.arrays if self.data else {}
        if keys.IMAGES not in arrays:
            return
        clean = arrays[keys.IMAGES][index].astype(float)
        adv = (
            arrays[keys.TEACHER_ADV_IMAGES][index].astype(float)
            if keys.TEACHER_ADV_IMAGES in arrays
            else None
        )
        self.query_one("#in-img-clean", HalfBlockImage).set_image(clean, 0.0, 1.0)
        self.query_one("#in-img-adversarial", HalfBlockImage).set_image(adv, 0.0, 1.0)
        # Scaled to the attack's budget: the brightest shade is a pixel moved by the full ε, none saturates.
        eps = attack_eps(self.run)
        pert = None if adv is None else np.abs(adv - clean)
        hi = eps if eps else (float(pert.max()) if pert is not None else None)
        self.query_one("#in-img-perturbation", HalfBlockImage).set_image(pert, 0.0, hi)
        self.query_one("#in-l-perturbation", Label).update(
            f"perturbation |δ| (0 … ε = {eps:g})" if eps else "perturbation |δ|"
        )
        self.query_one("#in-l-clean", Label).update(f"{self.instance_name(index)} clean")
        self._projection(index)

    def action_focus_filter(self) -> None:
        self.query_one("#in-filter", Input).focus()

    def action_sort_fooled(self) -> None:
        if self.data is None:
            return
        table: DataTable[Any] = self.query_one("#in-table", DataTable)
        fooled = self.data.fooled
        order = sorted(self.shown, key=lambda i: -int(fooled[:, i].sum()))
        keep = self.data.keep(self.only)
        table.clear()
        for i in order:
            table.add_row(*(c for c, k in zip(self.data.row(i), keep, strict=True) if k), key=str(i))
        self.shown = order

    def instance_choices(self, limit: int = 20) -> list[tuple[int, str, str]]:
        """Instances worth picking from the palette, the most-fooled first: (position, id, what it is)."""
        if self.data is None:
            return []
        data = self.data
        order = sorted(range(len(data)), key=lambda i: -int(data.fooled[:, i].sum()))[:limit]
        return [
            (
                i,
                data.ids[i],
                f"label {shown_markup(data.label(i))}; fooled on: "
                + (", ".join(n for v, n in enumerate(data.variants) if data.fooled[v, i]) or "none"),
            )
            for i in order
        ]

    def pick_instance(self, index: int) -> bool:
        self.select(index)
        return True

    def select(self, index: int) -> None:
        """Move the table to instance `index` (clearing a filter that hides it)."""
        self.pending = None
        if index not in self.shown and self.data is not None:
            self.query_one("#in-filter", Input).value = ""
            self._fill("")
        if index not in self.shown:
            self.pending = index
            return
        table: DataTable[Any] = self.query_one("#in-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(index)))

    def export_table(self) -> ExportTable | None:
        if self.data is None:
            return None
        return ExportTable("instances", self.data.columns(), tuple(self.data.row(i) for i in self.shown))
