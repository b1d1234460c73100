"""A container that lays its children out in as many columns as fit its width, wrapping onto more rows."""

from __future__ import annotations

from textual import events
from textual.containers import Container


class Flow(Container):
    """Children in a grid of `cell`-wide columns, as many as fit (at least one); a narrow terminal stacks them.

    `cell` is the width a child needs; the owner sets it when the content changes (e.g. the image width). With
    fewer children than columns fit, the columns widen to fill the row; `most` counts the children a Flow whose
    children are mounted as needed will hold, so its columns stay where they are as they come."""

    DEFAULT_CSS = """
    Flow { layout: grid; grid-size: 1; grid-gutter: 0 2; height: auto; grid-rows: auto; }
    Flow > * { height: auto; }
    """

    def __init__(
        self,
        *children: object,
        cell: int = 40,
        row_height: int = 0,
        most: int | None = None,
        id: str | None = None,
        classes: str = "",
    ) -> None:
        super().__init__(*children, id=id, classes=classes)  # type: ignore[arg-type]
        self.cell = cell
        self.row_height = row_height
        """Rows of a fixed height (charts), 0 for rows as high as their content."""
        self.most = most

    def on_mount(self) -> None:
        if self.row_height:
            self.styles.grid_rows = str(self.row_height)
        self._arrange(self.size.width or self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._arrange(event.size.width)

    def set_cell(self, cell: int) -> None:
        self.cell = max(1, cell)
        self._arrange(self.size.width or self.app.size.width)

    def columns_for(self, width: int) -> int:
        return max(1, (width + 2) // (self.cell + 2))

    def _arrange(self, width: int) -> None:
        columns = min(self.columns_for(width), max(1, self.most or len(self.children)))
        if self.styles.grid_size_columns != columns:
            self.styles.grid_size_columns = columns
