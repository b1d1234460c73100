"""What every view tab is: shows a run (or a clear empty state) and exports its data."""

from __future__ import annotations

from typing import ClassVar

from textual.containers import VerticalScroll

from tltui.base.names import shown_markup
from tltui.base.rundir import details_name
from tltui.ui.export import ExportTable
from tltui.ui.messages import ComputeRequested
from tltui.ui.rundata import RunData

NO_RUN = 'No analysis run is loaded yet (F5 or the palette\'s "Run analysis" starts one).'


class TabView(VerticalScroll):
    """Base of the view tabs; subclasses fill `show_run` and `export_table`."""

    DEFAULT_CSS = """
    TabView { height: 1fr; padding: 0 1; }
    TabView .section { height: auto; margin: 1 0 0 0; text-style: bold; color: $secondary; }
    TabView .row { height: 16; }
    TabView .-hidden { display: none; }
    """

    TITLE: ClassVar[str] = ""
    FOCUS: ClassVar[str] = ""
    """A selector of the widget that takes focus when the tab is shown (a table at the top); "" for the view."""
    PRODUCER: ClassVar[str] = "analyze"
    """The job whose output this view shows (named in the empty state)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.run: RunData | None = None
        self.asked: set[int] = set()
        """Instances whose details this view asked for and that are not there yet."""
        self.failed: dict[int, str] = {}
        """Instances whose details job failed, with why (asked again only when reselected)."""

    def on_mount(self) -> None:
        self.show_run(self.run)  # a run set before mounting is drawn now

    def show_run(self, run: RunData | None) -> None:
        self.run = run
        self.asked.clear()
        self.failed.clear()

    def on_screen(self) -> bool:
        """Whether this view is the one shown (hidden tabs do not start jobs)."""
        return self.is_mounted and all(getattr(w, "display", True) for w in self.ancestors_with_self)

    def instance_name(self, index: int) -> str:
        """The instance's one name (its id, `digit-81`), as the Instances table and the palette show it (markup-safe: ids
        are file names)."""
        return shown_markup(self.run.instance_name(index)) if self.run is not None else f"#{index}"

    def details_missing(self, index: int) -> str:
        """Why instance `index` has no details yet; asks for them (a details job) when this view is shown."""
        name = self.instance_name(index)
        if index in self.failed:
            return (
                f"Instance {name}: the details job failed ({self.failed[index]}); select it again to retry."
            )
        if index not in self.asked and self.run is not None and self.on_screen():
            self.asked.add(index)
            # Straight to the app, which runs jobs: a bubbling message created inside a screen handler stops at
            # the screen (Textual does not bubble a message past its sender).
            self.app.post_message(ComputeRequested("details", details_name(index), {"indices": [index]}))
        if index in self.asked:
            return f"Instance {name}: computing saliency, Grad-CAM and the layer window (details job)…"
        return f"Instance {name}: not among the precomputed instances; computed when this tab is shown."

    def details_ended(self, index: int | None, status: str, error: str, found: bool) -> None:
        """Bookkeeping after a details job ended: a failure is remembered for `index` unless it has its file."""
        if index is None:
            return
        if status != "done" and not found and index in self.asked:
            self.failed[index] = error or status
        self.asked.discard(index)

    def export_table(self) -> ExportTable | None:
        return None

    def pick_variant(self, name: str) -> None:
        """Highlight a variant (default: nothing to do)."""

    def select_instance(self, index: int) -> None:
        """React to a selected test instance (default: nothing to do)."""

    def select_layer(self, name: str) -> None:
        """React to a layer selected in any view (default: nothing to do)."""

    def became_active(self) -> None:
        """This view's tab became the active one (default: nothing to do); views that start work only while
        shown (details jobs) start it here."""

    def computed(self, kind: str, status: str, error: str) -> None:
        """An on-demand job (details, tsne) ended; reload what it wrote (default: nothing to do)."""
