"""The workbench's view tabs, in tab order; each is a TabView class imported on first use."""

from __future__ import annotations

from tltui.base.catalogue.entry import Entry


def _view(key: str, title: str, help: str, cls: str) -> Entry:
    return Entry(key, help, f"tltui.ui.tabs.{key}:{cls}", title=title)


VIEWS: dict[str, Entry] = {
    e.name: e
    for e in (
        _view("overview", "Overview", "metrics per variant, curves, similarity", "OverviewTab"),
        _view("instances", "Instances", "the instance table and projection", "InstancesTab"),
        _view("features", "Features", "saliency, Grad-CAM, channels, Model Doctor", "FeaturesTab"),
        _view("layers", "Layers", "per-layer change, deviation, distances", "LayersTab"),
        _view("mitigate", "Mitigate", "slicing controls, preview and comparison", "MitigateTab"),
        _view("treat", "Treat", "treatments and the Model Doctor map", "TreatTab"),
        _view(
            "pareto", "Pareto", "DIR against accuracy with intervals, the front, the verdicts", "ParetoTab"
        ),
    )
}
"""View key -> entry; `target` is the "module:Class" of its TabView."""
