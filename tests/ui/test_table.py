"""The workbench's Table keeps rendered cells through focus changes and re-shows, and draws exactly what
Textual's DataTable draws in every state (focused, blurred, hidden and shown again, under another theme)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Button, DataTable

from tltui.ui.widgets.table import Table

ROWS = [(f"digit-{i}", i % 10, f"{0.1 * i:.3f}", "fooled" if i % 3 else "") for i in range(30)]
Drawn = list[list[Any]]


class One(App[None]):
    """One table of `kind` (alone: DataTable clears a cache that all tables share) and a button to move to."""

    CSS = "DataTable { height: 12; } DataTable:focus { background-tint: $foreground 5%; }"

    def __init__(self, kind: type[DataTable[Any]]) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        yield self.kind(id="table", cursor_type="row", zebra_stripes=True)
        yield Button("elsewhere", id="away")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "label", "score", "fate")
        table.add_rows(ROWS)


def drawn(table: DataTable[Any]) -> Drawn:
    """Every line's segments (text and style), as the compositor would get them."""
    table._pseudo_class_state = table.get_pseudo_class_state()  # as render_lines does
    return [list(table.render_line(y)) for y in range(table.size.height)]


async def states(kind: type[DataTable[Any]]) -> list[Drawn]:
    """What a table of `kind` draws through focus round trips, a cursor move, a re-show and a theme change."""
    app = One(kind)
    seen: list[Drawn] = []
    async with app.run_test(size=(100, 20)) as pilot:
        table, away = app.query_one(DataTable), app.query_one("#away")

        async def look() -> None:
            await pilot.pause()
            seen.append(drawn(table))

        await look()
        for _ in range(2):
            table.focus()
            await look()
            away.focus()
            await look()
        table.move_cursor(row=5)
        await look()
        table.focus()
        table.display = False
        await pilot.pause()
        table.display = True
        await look()
        app.theme = "textual-light"
        await look()
        away.focus()
        await look()
        table.focus()
        await look()
    return seen


async def test_table_draws_what_datatable_draws_in_every_state() -> None:
    ours, plain = await states(Table), await states(DataTable)
    assert len(ours) == len(plain) == 10
    assert ours[1] != ours[2]  # focused and blurred differ, so the comparison sees stale styles
    assert ours[6] != ours[7]  # and so do the two themes
    for step, (a, b) in enumerate(zip(ours, plain, strict=True)):
        assert a == b, f"step {step}: the Table drew something else than a DataTable"


async def test_focus_and_reshow_keep_the_rendered_cells() -> None:
    app = One(Table)
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(Table)
        away = app.query_one("#away")
        await pilot.pause()
        for _ in range(2):  # both focus states drawn once
            table.focus()
            await pilot.pause()
            drawn(table)
            away.focus()
            await pilot.pause()
            drawn(table)
        cache = table._cell_render_cache
        keys = list(cache.keys())  # an LRUCache is not iterable
        cells = {k: cache.get(k) for k in keys}
        updates = table._update_count
        table.focus()
        await pilot.pause()
        table.display = False
        await pilot.pause()
        table.display = True
        await pilot.pause()
        drawn(table)
        assert table._update_count == updates  # the re-show at the same size kept every cache key valid
        assert all(cache.get(k) is v for k, v in cells.items())
        app.theme = "textual-light"
        await pilot.pause()
        assert len(table._cell_render_cache) < len(cells)  # a theme change drops them
