"""The Layers view's interventions section: per layer Δ DIR with whiskers beside the passive scores, the top-k
follow-up, each passive score's rank correlation with the measured effect, and "slice" or "re-initialise these
layers"."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select, Static

from tltui.base.errors import TltuiError
from tltui.base.rundir import INTERVENTIONS
from tltui.base.rundir.interventions import Interventions, read_interventions
from tltui.ui.messages import ComputeRequested, FormPrefilled
from tltui.ui.model import budget_lines
from tltui.ui.model import interventions_view as V
from tltui.ui.model.rundata import RunData
from tltui.ui.widgets.table import Table


def load_interventions(run: RunData | None) -> Interventions | None:
    """The run's interventions.json (this run's, else a joined run's), None when absent or unreadable."""
    path = run.artifact(INTERVENTIONS) if run is not None else None
    if path is None:
        return None
    try:
        return read_interventions(path)
    except (TltuiError, OSError, ValueError):
        return None


class LocaliseSection(Vertical):
    """Shown only when the run has interventions.json (`tltui localise`, or the palette's "Localise")."""

    DEFAULT_CSS = """
    LocaliseSection { height: auto; }
    LocaliseSection .lc-form { height: auto; }
    LocaliseSection .lc-form Label { padding: 1 1 0 0; width: auto; }
    LocaliseSection .lc-form Select { width: 16; }
    LocaliseSection .lc-form Button { margin: 0 1 0 0; min-width: 10; }
    LocaliseSection Table { height: auto; max-height: 14; }
    LocaliseSection Static { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.iv: Interventions | None = None
        self.conv: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("Layer interventions (docs/localise.md)", classes="section")
        yield Static("", id="lc-note", markup=False)
        with Horizontal(classes="lc-form"):
            yield Label("intervention")
            yield Select[str]([("reinit", "reinit")], allow_blank=False, id="lc-kind")
            yield Label("top k")
            yield Select[int]([("1", 1)], allow_blank=False, id="lc-k")
            yield Button(
                "Slice…", id="lc-slice", tooltip="ReMoS with --scope the conv layers among the top k"
            )
            yield Button(
                "Re-init…", id="lc-reinit", tooltip="reinit: re-initialise the top k layers, fine-tune"
            )
        yield Table(id="lc-table", zebra_stripes=True, cursor_type="row")
        yield Static("Cumulative interventions on the top k layers", classes="section")
        yield Table(id="lc-cumulative", zebra_stripes=True)
        yield Static(
            "Passive scores against the measured effect (Spearman ρ, permutation p)", classes="section"
        )
        yield Table(id="lc-corr", zebra_stripes=True)

    def show(self, run: RunData | None) -> None:
        self.iv = load_interventions(run)
        self.display = self.iv is not None
        self.conv = [
            str(x.get("name"))
            for x in (run.layers if run else [])
            if str(x.get("kind", "")).startswith("Conv")
        ]
        if self.iv is None or not self.is_mounted:
            return
        iv, d = self.iv, self.iv.data
        acc0, dir0 = iv.baseline
        self.query_one("#lc-note", Static).update(
            f"{d.get('variant')}: baseline accuracy {V._num(acc0)}, DIR {V._num(dir0)} on {d.get('n_test')} images; "
            f"the teacher-crafted inputs are fixed by the teacher, only the student is re-evaluated. Δ = intervened "
            f"− baseline, paired bootstrap (* excludes 0); ranked by |Δ DIR| under {iv.rank_by}.\n"
            + budget_lines.interventions(run.info if run else None, d.get("teacher_attack"))
        )
        kinds = [
            k for k in d.get("interventions", []) if any((r.get("effects") or {}).get(k) for r in iv.layers)
        ]
        kind_box: Select[str] = self.query_one("#lc-kind", Select)
        with kind_box.prevent(Select.Changed):
            kind_box.set_options([(k, k) for k in kinds or [iv.rank_by]])
            kind_box.value = iv.rank_by if iv.rank_by in kinds else (kinds or [iv.rank_by])[0]
        k_box: Select[int] = self.query_one("#lc-k", Select)
        ks = [c["k"] for c in iv.cumulative] or [1]
        with k_box.prevent(Select.Changed):
            k_box.set_options([(str(k), k) for k in ks])
            k_box.value = ks[-1]
        self._fill(
            self.query_one("#lc-cumulative", Table),
            ("k", "layers", "Δ DIR [95 %]", "Δ acc [95 %]"),
            V.cumulative_rows(iv),
        )
        self._fill(
            self.query_one("#lc-corr", Table),
            ("passive score", "ρ", "p", "expected", "reading"),
            V.correlation_rows(iv),
        )
        self._draw_layers()

    @property
    def kind(self) -> str:
        value = self.query_one("#lc-kind", Select).value
        return str(value) if isinstance(value, str) else (self.iv.rank_by if self.iv else "reinit")

    def _draw_layers(self) -> None:
        if self.iv is not None:
            self._fill(
                self.query_one("#lc-table", Table), V.layer_columns(), V.layer_rows(self.iv, self.kind)
            )

    @staticmethod
    def _fill(table: Table, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        table.clear(columns=True)
        table.fixed_columns = 2 if len(columns) > 4 else 1
        table.add_columns(*columns)
        for row in rows:
            table.add_row(*row)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("lc-kind", "lc-k"):
            event.stop()
            self._draw_layers()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id not in ("lc-slice", "lc-reinit") or self.iv is None:
            return
        event.stop()
        value = self.query_one("#lc-k", Select).value
        k = value if isinstance(value, int) else 1
        if event.button.id == "lc-reinit":
            found = V.prefill_reinit(self.iv, k)
            missing = "no layer is ranked"
        else:
            found = V.prefill(self.iv, k, self.conv)
            missing = "none of the top layers is a conv layer ReMoS can slice"
        if found is None:
            self.notify(missing, title="Layers", severity="warning")
            return
        self.post_message(FormPrefilled("mitigate", *found))

    def request(self, params: dict[str, Any]) -> None:
        """Start a localise job writing interventions.json into the shown run."""
        self.app.post_message(ComputeRequested("localise", INTERVENTIONS, params))
