"""A DataTable that keeps its rendered cells when it is shown again or only its focus or hover state changes."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.widget import PseudoClasses
from textual.widgets import DataTable


class Table(DataTable[Any]):
    """Every table in the workbench.

    Textual's DataTable throws away every rendered cell, row and line on every resize event, and a widget gets
    one each time its tab is shown again, at the same size; and on any style update, and gaining or losing focus
    is one. So each tab switch (the shown view's table takes focus) re-rendered every visible cell, most of
    a switch to the Instances table (docs/workbench.md), and more while an analysis shares the CPU. This table keeps its caches
    through a resize to the size it already had, and through a style update that leaves the styles it draws
    with in that pseudo-class state (focus, hover, enabled: every cache key holds it) as they were the last
    time it was in that state. A theme, a class or a stylesheet change drops everything, as in DataTable.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen_styles: dict[PseudoClasses, tuple[Style, ...]] = {}
        """Pseudo-class state → the styles rendered in it since the caches were last dropped."""
        self._drawn_size = Size(0, 0)

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
