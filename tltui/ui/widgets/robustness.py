"""The DIR ladder and the AutoAttack preset as the Overview shows them: a variant's worst rung, each rung on demand."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tltui.base.rundir.shape_attacks import AutoAttackBlock, LadderBlock
from tltui.ui.model.robustness_rows import (
    RUNG_COLUMNS,
    autoattack_rows,
    autoattack_title,
    ladder_headline,
    ladder_rungs,
)
from tltui.ui.widgets.table import Table


class RobustnessPanel(Vertical):
    """The ladder table (each variant's worst rung with its interval), the rungs of the highlighted variant, and
    the accuracy after each AutoAttack attack; each part hidden when the run lacks its block."""

    DEFAULT_CSS = """
    RobustnessPanel { height: auto; }
    RobustnessPanel DataTable { height: auto; max-height: 12; }
    """

    ladder: LadderBlock | None = None

    def compose(self) -> ComposeResult:
        yield Static(
            "DIR ladder: the worst teacher-only attack per variant, with its 95 % interval",
            classes="section rb-ladder",
        )
        yield Table(id="ov-ladder", cursor_type="row", zebra_stripes=True, classes="rb-ladder")
        yield Static("", id="ov-rungs-title", classes="rb-ladder")
        yield Table(id="ov-rungs", zebra_stripes=True, classes="rb-ladder")
        yield Static("AutoAttack", id="ov-aa-title", classes="section rb-aa")
        yield Table(id="ov-aa", zebra_stripes=True, classes="rb-aa")

    def show(self, ladder: LadderBlock | None, aa: AutoAttackBlock | None) -> None:
        """Fill the tables from summary.json's `dir_ladder` and `autoattack` blocks (None: not in the run)."""
        self.ladder = ladder
        self.set_class(ladder is None and aa is None, "-hidden")
        for w in self.query(".rb-ladder"):
            w.set_class(ladder is None, "-hidden")
        for w in self.query(".rb-aa"):
            w.set_class(aa is None, "-hidden")
        if ladder is not None:
            table: DataTable[Any] = self.query_one("#ov-ladder", DataTable)
            table.clear(columns=True)
            table.add_columns("variant", "DIR, worst rung [95 %]", "worst rung", "DIR, any rung per image")
            heads = ladder_headline(ladder)
            for head in heads:
                table.add_row(*head, key=head[0])
            if heads:
                self.show_rungs(heads[0][0])
        if aa is not None:
            self.query_one("#ov-aa-title", Static).update(autoattack_title(aa))
            columns, rows = autoattack_rows(aa)
            aa_table: DataTable[Any] = self.query_one("#ov-aa", DataTable)
            aa_table.clear(columns=True)
            aa_table.add_columns(*columns)
            for cells in rows:
                aa_table.add_row(*cells)

    def show_rungs(self, variant: str) -> None:
        """The ladder's rungs for one variant (the row highlighted in the ladder table): each on demand."""
        if self.ladder is None:
            return
        self.query_one("#ov-rungs-title", Static).update(
            f"Each rung for {variant} (move in the table above for another variant): budget, runtime, DIR"
        )
        rungs: DataTable[Any] = self.query_one("#ov-rungs", DataTable)
        rungs.clear(columns=True)
        rungs.add_columns(*RUNG_COLUMNS)
        for row in ladder_rungs(self.ladder, variant):
            rungs.add_row(*row)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "ov-ladder" and event.row_key.value is not None:
            self.show_rungs(str(event.row_key.value))
