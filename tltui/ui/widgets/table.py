"""A DataTable that keeps its rendered cells when it is shown again or only its focus or hover state changes."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import TextType
from textual import events
from textual.geometry import Size
from textual.widget import PseudoClasses
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, ColumnKey, RowKey

from tltui.base.names import shown_markup


class Table(DataTable[Any]):
    """Every table in the workbench.

    Textual's DataTable throws away every rendered cell, row and line on every resize event, and a widget gets
    one each time its tab is shown again, at the same size; and on any style update, and gaining or losing focus
    is one. So each tab switch (the shown view's table takes focus) re-rendered every visible cell, most of
    a switch to the Instances table (docs/workbench.md), and more while an analysis shares the CPU. This table keeps its caches
    through a resize to the size it already had, and through a style update that leaves the styles it draws
    with in that pseudo-class state (focus, hover, enabled: every cache key holds it) as they were the last
    time it was in that state. A theme, a class or a stylesheet change drops everything, as in DataTable.

    DataTable reads a str cell as markup: every str cell, label and row label goes through `shown_markup` (class
    names and file names come from the user's data), so escapes are drawn visibly and `[bold]` as written.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen_styles: dict[PseudoClasses, tuple[Style, ...]] = {}
        """Pseudo-class state → the styles rendered in it since the caches were last dropped."""
        self._drawn_size = Size(0, 0)

    def add_column(
        self, label: TextType, *, width: int | None = None, key: str | None = None, default: Any = None
    ) -> ColumnKey:
        return super().add_column(_safe(label), width=width, key=key, default=_safe(default))

    def add_row(
        self, *cells: CellType, height: int | None = 1, key: str | None = None, label: TextType | None = None
    ) -> RowKey:
        return super().add_row(*(_safe(c) for c in cells), height=height, key=key, label=_safe(label))

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: CellType,
        *,
        update_width: bool = False,
    ) -> None:
        super().update_cell(row_key, column_key, _safe(value), update_width=update_width)

    def _on_resize(self, event: events.Resize) -> None:
        if event.size == self._drawn_size:
            event.prevent_default()  # DataTable's handler would invalidate every cache for an unchanged size
        self._drawn_size = event.size

    def _styles_now(self) -> tuple[Style, ...] | None:
        """The styles cells are drawn with; None before the stylesheet has given the component classes any."""
        try:
            components = [
                self.get_component_rich_style(n, partial=True) for n in sorted(self.COMPONENT_CLASSES)
            ]
        except KeyError:
            return None
        return (self.rich_style, *components)

    def notify_style_update(self) -> None:
        # The widget's own style caches first: the comparison below reads fresh styles.
        super(DataTable, self).notify_style_update()
        state = self.get_pseudo_class_state()
        styles = self._styles_now()
        if styles is None or self._seen_styles.get(state, styles) != styles:
            self._seen_styles = {} if styles is None else {state: styles}
            super().notify_style_update()
            return
        self._seen_styles[state] = styles
        # Not keyed by the pseudo-class state: recomputed (it is a few component lookups).
        self._get_styles_to_render_cell.cache_clear()
        self._styles_cache.clear()
        self.refresh()


def _safe(value: Any) -> Any:
    return shown_markup(value) if isinstance(value, str) else value
