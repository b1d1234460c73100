"""What every view tab is: shows a run (or a clear empty state) and exports its data."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.containers import VerticalScroll

from tltui.base.names import shown_markup
from tltui.base.rundir import details_name
from tltui.ui.export import ExportTable
from tltui.ui.messages import ComputeRequested
from tltui.ui.model.rundata import RunData


def run_layers(run: RunData | None) -> list[tuple[str, str]] | None:
    """(name, kind) of the run's layers in network order, for checking layer parameters; None without a run."""
    if run is None or not run.layers:
        return None
    return [(str(layer.get("name")), str(layer.get("kind", ""))) for layer in run.layers]


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
    REQUESTS: ClassVar[tuple[str, ...]] = ()
    """The job kinds this view hosts a form for (`("mitigate",)`): the palette's "Mitigate: X" reaches `request`
    of the first view listing the kind."""

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

    # Hooks: the app and the workbench ask every view (in tab order), never a view by its name.
    def request(self, method: str | None = None) -> None:
        """Submit this view's form as a job of its `REQUESTS` kind, for `method` (default: the form's)."""

    def instance_choices(self) -> list[tuple[int, str, str]]:
        """Instances worth picking from the palette: (position, name, what it is); [] when this view lists none.
        The first view with choices provides them."""
        return []

    def pick_instance(self, index: int) -> bool:
        """Show instance `index` (the palette picked it); True when this view did, and its tab is then shown.
        Every view still hears `select_instance`."""
        return False

    def show_preview(self, folder: Path) -> None:
        """A preview job wrote `folder` (a slicing preview); views that draw previews load it (default: none)."""

    def prefill(self, kind: str, method: str, values: dict[str, str]) -> bool:
        """Fill this view's form for job `kind` with `method` and `values` (another view offers it); True when
        this view hosts that form (its tab is then shown). Default: no form."""
        return False

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
