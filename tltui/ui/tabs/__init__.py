"""The view tabs, one module each, registered in one dict (order = tab order); imported on first use so
the first frame (the tab bar) never waits for numpy or plotext."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tltui.ui.tabs.base import TabView


@dataclass(frozen=True)
class TabEntry:
    """A tab's title and where its view class lives."""

    title: str
    path: str
    """"module:Class" of the TabView subclass."""

    def load(self) -> type[TabView]:
        module, _, name = self.path.partition(":")
        cls: type[TabView] = getattr(importlib.import_module(module), name)
        return cls


TABS: dict[str, TabEntry] = {
    "overview": TabEntry("Overview", "tltui.ui.tabs.overview:OverviewTab"),
    "instances": TabEntry("Instances", "tltui.ui.tabs.instances:InstancesTab"),
    "features": TabEntry("Features", "tltui.ui.tabs.features:FeaturesTab"),
    "layers": TabEntry("Layers", "tltui.ui.tabs.layers:LayersTab"),
    "mitigate": TabEntry("Mitigate", "tltui.ui.tabs.mitigate:MitigateTab"),
    "treat": TabEntry("Treat", "tltui.ui.tabs.treat:TreatTab"),
}

__all__ = ["TABS", "TabEntry"]
