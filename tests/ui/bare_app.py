"""A bare Textual app of the workbench's layout (sidebar tree, six view tabs, bottom panel, status line): the
baseline `measure_startup.sh` compares the workbench's first frame with."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Log, Static, TabbedContent, TabPane, Tree

TABS = ("Overview", "Instances", "Features", "Layers", "Mitigate", "Treat")


class BareApp(App[None]):
    CSS = """
    #sidebar { width: 32; }
    #panel { height: 12; }
    #status { dock: bottom; height: 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            tree: Tree[None] = Tree("study", id="sidebar")
            tree.root.add_leaf("teacher")
            yield tree
            with Vertical(), TabbedContent():
                for i, name in enumerate(TABS, start=1):
                    with TabPane(f"{i} {name}"):
                        yield Static(name)
        with TabbedContent(id="panel"):
            with TabPane("Jobs"):
                yield DataTable()
            with TabPane("Log"):
                yield Log()
        yield Static("status", id="status")


if __name__ == "__main__":
    BareApp().run()
