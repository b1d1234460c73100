"""A seventh view, added as one module plus one catalogue line (the plugin path docs/workbench.md describes).

It lists the run's variants and their metrics in a table: small, but a real TabView with hooks the app calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from tltui.base import catalogue
from tltui.base.catalogue import Entry
from tltui.ui.export import ExportTable
from tltui.ui.tabs.base import TabView

if TYPE_CHECKING:
    from tltui.ui.model.rundata import RunData


class SeventhTab(TabView):
    """The run's variants, one row each."""

    TITLE = "Seventh"
    FOCUS = "#sv-table"

    def compose(self) -> ComposeResult:
        yield Static("Variants", classes="section")
        yield DataTable(id="sv-table")

    def show_run(self, run: RunData | None) -> None:
        super().show_run(run)
        if not self.is_mounted:
            return
        table: DataTable[Any] = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("variant")
        for name in run.variants if run else {}:
            table.add_row(name)

    def export_table(self) -> ExportTable | None:
        names = list(self.run.variants) if self.run else []
        return ExportTable("seventh", ("variant",), tuple((n,) for n in names)) if names else None


catalogue.register(
    "view", Entry("seventh", "the run's variants (a plugin view)", f"{__name__}:SeventhTab", title="Seventh")
)
