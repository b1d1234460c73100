"""A view tab that draws the selected instance's details (details.npz, or the file a details job writes)."""

from __future__ import annotations

from tltui.ui.model.details import instance_details
from tltui.ui.tabs.base import TabView


class DetailsView(TabView):
    """Follows the selected test instance and redraws when its details job ends; subclasses draw."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.instance: int | None = None
        self._drawn: tuple[int, int | None] | None = None
        """(run, instance) last drawn: showing the tab again redraws nothing when neither changed."""

    def _redraw(self) -> None:
        # Drawn while hidden, it may have held back a details job (asked for only when shown): draw again then.
        self._drawn = (id(self.run), self.instance) if self.on_screen() else None
        self.draw_details()

    def draw_details(self) -> None:
        """Redraw what shows the selected instance's details."""

    def select_instance(self, index: int) -> None:
        self.instance = index
        self.failed.pop(index, None)
        if self.is_mounted:
            self._redraw()

    def became_active(self) -> None:
        if self._drawn != (id(self.run), self.instance):
            self._redraw()

    def computed(self, kind: str, status: str, error: str) -> None:
        if kind != "details" or self.instance is None:
            return
        found = instance_details(self.run, self.instance) is not None
        self.details_ended(self.instance, status, error, found)
        self._redraw()
