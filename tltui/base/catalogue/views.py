"""The workbench's view tabs, in tab order; each is a TabView class imported on first use."""

from __future__ import annotations

from tltui.base.catalogue.entry import Entry

_TABS = "tltui.ui.tabs"

VIEWS: dict[str, Entry] = {
    "overview": Entry(
        "overview",
        "metrics per variant, curves, similarity",
        f"{_TABS}.overview:OverviewTab",
        title="Overview",
    ),
    "instances": Entry(
        "instances", "the instance table and projection", f"{_TABS}.instances:InstancesTab", title="Instances"
    ),
    "features": Entry(
        "features",
        "saliency, Grad-CAM, channels, Model Doctor",
        f"{_TABS}.features:FeaturesTab",
        title="Features",
    ),
    "layers": Entry(
        "layers", "per-layer change, deviation, distances", f"{_TABS}.layers:LayersTab", title="Layers"
    ),
    "mitigate": Entry(
        "mitigate",
        "slicing controls, preview and comparison",
        f"{_TABS}.mitigate:MitigateTab",
        title="Mitigate",
    ),
    "treat": Entry("treat", "treatments and the Model Doctor map", f"{_TABS}.treat:TreatTab", title="Treat"),
}
"""View key -> entry; `target` is the "module:Class" of its TabView."""
