"""The workbench screen: explorer, view tabs, bottom panel, status bar, and the keys that arrange them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import MountError, Widget
from textual.widgets import Static, TabbedContent, TabPane

from tltui.ui.gcpolicy import COLLECTOR
from tltui.ui.keys import LAYOUT_KEYS, bindings
from tltui.ui.messages import (
    FormPrefilled,
    InstanceSelected,
    LayerSelected,
    LineLogged,
    RunLoaded,
    VariantPicked,
)
from tltui.ui.model.jobs_client import JobsClient
from tltui.ui.model.rundata import RunData
from tltui.ui.tabs import TABS
from tltui.ui.widgets.explorer import Explorer
from tltui.ui.widgets.panel import BottomPanel
from tltui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tltui.ui.tabs.base import TabView

REGIONS = ("#sidebar", "#views", "#panel")
SIDEBAR_MIN_WIDTH = 110
"""Below this many columns the sidebar starts hidden (the views need the room); F2 still shows it."""
PANEL_MIN_HEIGHT = 32
"""Below this many rows the panel starts hidden (the status bar shows job progress); F4 still shows it."""


class ViewTabs(TabbedContent):
    """The view tabs; a pane's "a descendant got focus" message only activates it while that focus lasts."""

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        # Textual posts the message, so it can arrive after a key already showed another tab; acting on it
        # then would pull the old tab back.
        # Textual then runs the base class's handler too, unless the default is prevented.
        focused = self.screen.focused
        if focused is None or event.tab_pane not in focused.ancestors_with_self:
            event.prevent_default()
            event.stop()


class WorkbenchScreen(Screen[None]):
    """VS Code-like layout; knows nothing about jobs or analysis, only how to show them."""

    BINDINGS = bindings(LAYOUT_KEYS)

    def __init__(
        self, jobs: JobsClient | None, status: StatusBar, *, sidebar: bool = True, panel: bool = True
    ) -> None:
        super().__init__()
        self._jobs = jobs
        self._status = status
        self._start_sidebar = sidebar
        self._start_panel = panel
        self._run: RunData | None = None
        self._preview: Path | None = None
        self._views: dict[str, TabView] = {}
        """Tab key → its view, once mounted (after the first frame)."""
        self._fits: tuple[bool, bool] | None = None
        """(wide enough for the sidebar, tall enough for the panel) at the last resize."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield Explorer(id="sidebar")
            with Vertical(id="editor"), ViewTabs(id="views", initial="tab-overview"):
                for i, (key, entry) in enumerate(TABS.items(), start=1):
                    with TabPane(f"{i} {entry.label}", id=f"tab-{key}"):
                        yield Static("loading…", classes="view-loading")
        yield BottomPanel(self._jobs, id="panel")
        yield self._status

    def on_mount(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)
        self.call_after_refresh(self._mount_views)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """Collapse the sidebar and the panel on small terminals; only when a size threshold is crossed, so a
        region the user showed or hid stays so while the size stays on the same side."""
        fits = (width >= SIDEBAR_MIN_WIDTH, height >= PANEL_MIN_HEIGHT)
        if fits == self._fits:
            return
        before, self._fits = self._fits, fits
        if before is None or before[0] != fits[0]:
            self.query_one("#sidebar").set_class(not (fits[0] and self._start_sidebar), "-hidden")
        if before is None or before[1] != fits[1]:
            self.query_one("#panel").set_class(not (fits[1] and self._start_panel), "-hidden")
        self.query_one("#panel").styles.height = 12 if height >= 40 else 9

    async def _mount_views(self) -> None:
        """After the first frame: import the views (numpy, plotext) and put them in their panes."""
        for key, entry in TABS.items():
            view = entry.load()(id=f"view-{key}")
            view.run = self._run
            pane = self.query_one(f"#tab-{key}", TabPane)
            try:
                await pane.query(".view-loading").remove()
                await pane.mount(view)
            except MountError:
                return  # the app closed before the views were in
            self._views[key] = view
            if self._preview is not None:
                view.show_preview(self._preview)
        if self.focused is None or isinstance(self.focused, Explorer):  # the shown view's keys work at once
            self._focus_view(self.query_one("#views", TabbedContent).active)
        COLLECTOR.settle()

    def view(self, key: str) -> TabView | None:
        """The view of tab `key`, None while the views are still being put in (just after the first frame)."""
        return self._views.get(key)

    def show_preview(self, folder: Path) -> None:
        """Hand a preview job's folder to the views now, and to each view put in later."""
        self._preview = folder
        for view in self.views:
            view.show_preview(folder)

    def on_form_prefilled(self, message: FormPrefilled) -> None:
        """A view offered a filled-in form: the view hosting it takes it and is shown."""
        message.stop()
        for key, view in self._views.items():
            if view.prefill(message.kind, message.method, message.values):
                self.show_tab(key)
                return

    def requester(self, kind: str) -> TabView | None:
        """The first view hosting a form for job `kind` (its `REQUESTS`), if any."""
        return next((v for v in self.views if kind in v.REQUESTS), None)

    def key_for(self, name: str) -> str:
        """The keys bound to action `name` now (after keys.toml), as the help screen writes them."""
        from tltui.ui.keys import ALL_KEYS, PREFIX
        from tltui.ui.screens.help import pretty

        spec = next((k for k in ALL_KEYS if k.name == name), None)
        if spec is None:
            return ""
        keymap = getattr(self.app, "user_keymap", {}) or {}
        return pretty(keymap.get(PREFIX + name, spec.keys)).replace("  ", " / ")

    # what is shown
    @property
    def views(self) -> list[TabView]:
        return list(self._views.values())

    def current_view(self) -> TabView | None:
        active = self.query_one("#views", TabbedContent).active
        return self._views.get(active.removeprefix("tab-"))

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # The workbench tells a view it is shown (a key, a click or the palette switched to it): Textual's Show
        # event alone proved unreliable when focus moved in the same refresh.
        if event.tabbed_content.id == "views":
            view = self.current_view()
            if view is not None:
                view.became_active()

    def on_run_loaded(self, message: RunLoaded) -> None:
        self._run = message.run
        for view in self.views:
            view.show_run(message.run)
        COLLECTOR.settle()

    def on_instance_selected(self, message: InstanceSelected) -> None:
        for view in self.views:
            view.select_instance(message.index)

    def on_layer_selected(self, message: LayerSelected) -> None:
        for view in self.views:
            view.select_layer(message.name)

    def on_variant_picked(self, message: VariantPicked) -> None:
        for view in self.views:
            view.pick_variant(message.name)

    def on_line_logged(self, message: LineLogged) -> None:
        self.query_one(BottomPanel).write(message.text)

    def show_run(self, run: RunData | None) -> None:
        if run is not None:
            self.post_message(RunLoaded(run))
            return
        self._run = None
        for view in self.views:
            view.show_run(None)

    # layout actions
    def _toggle(self, selector: str) -> bool:
        widget = self.query_one(selector)
        widget.toggle_class("-hidden")
        hidden = widget.has_class("-hidden")
        if hidden and self.focused is not None and widget in self.focused.ancestors_with_self:
            self.query_one("#views").focus()
        return not hidden

    def action_toggle_sidebar(self) -> None:
        self._toggle("#sidebar")

    def action_toggle_panel(self) -> None:
        self._toggle("#panel")

    def action_maximise(self) -> None:
        """Maximise the area that has focus (the panel, else the views); again restores."""
        if self.has_class("-max-views") or self.has_class("-max-panel"):
            self.remove_class("-max-views", "-max-panel")
            return
        panel = self.query_one("#panel")
        in_panel = self.focused is not None and panel in self.focused.ancestors_with_self
        self.add_class("-max-panel" if in_panel else "-max-views")

    @property
    def maximised(self) -> str | None:
        for name in ("views", "panel"):
            if self.has_class(f"-max-{name}"):
                return name
        return None

    def action_next_region(self) -> None:
        visible: list[Widget] = [
            w for w in (self.query_one(s) for s in REGIONS) if w.display and w.is_on_screen
        ]
        if not visible:
            return
        focused = self.focused
        current = next(
            (i for i, w in enumerate(visible) if focused is not None and w in focused.ancestors_with_self), -1
        )
        target = visible[(current + 1) % len(visible)]
        focusable = [w for w in target.query("*") if w.focusable]
        (focusable[0] if focusable else target).focus()

    def _tab_ids(self) -> list[str]:
        return [f"tab-{key}" for key in TABS]

    def _activate(self, tab_id: str) -> None:
        views = self.query_one("#views", TabbedContent)
        focused = self.focused
        if focused is not None and views in focused.ancestors:
            # A focused widget in the old pane would pull the old tab back (and Textual would hand focus to
            # the next widget there): let go of it; the new view takes focus after the refresh.
            self.set_focus(None)
        views.active = tab_id
        # Focus now, in the same refresh as the switch: focused later, the table would be drawn twice.
        self._focus_view(tab_id)
        # The screen lays out at its next update: the new pane's own request would travel as a message, and the
        # update before it would paint the old pane's blurred widgets for nothing.
        self.refresh(layout=True, repaint=False)

    def _focus_view(self, tab_id: str) -> None:
        """Put focus in the shown view so its keys (filter, sort, scrolling…) work at once."""
        views = self.query_one("#views", TabbedContent)
        if views.active != tab_id:  # another tab was shown meanwhile: focusing here would pull this one back
            return
        view = self._views.get(tab_id.removeprefix("tab-"))
        if view is None:
            return
        # The widget the view names (a table at its top), else none: never a widget further down (focusing it
        # would scroll the view away from its top), nor a text box (it would swallow the keys), nor the view
        # (focusing a container restyles all it holds: a tab switch would take 100+ ms).
        found = view.query(view.FOCUS) if view.FOCUS else None
        target = found.first() if found else None
        if target is not None:
            # At once (Widget.focus() defers, and a later tab switch would be undone), and without scrolling.
            self.set_focus(target, scroll_visible=False)

    def action_show_tab_index(self, index: int) -> None:
        ids = self._tab_ids()
        if 0 <= index < len(ids):
            self._activate(ids[index])

    def _step_tab(self, step: int) -> None:
        ids = self._tab_ids()
        tabs = self.query_one("#views", TabbedContent)
        self._activate(ids[(ids.index(tabs.active) + step) % len(ids)])

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_prev_tab(self) -> None:
        self._step_tab(-1)

    def instance_choices(self) -> list[tuple[int, str, str]]:
        """The palette's instances: those of the first view that lists some."""
        return next((c for c in (v.instance_choices() for v in self.views) if c), [])

    def pick_instance(self, index: int) -> None:
        """Show instance `index` in the first view that takes it (showing its tab), and tell every view."""
        for key, view in self._views.items():
            if view.pick_instance(index):
                self.show_tab(key)
                break
        self.post_message(InstanceSelected(index))

    def show_tab(self, key: str) -> None:
        self._activate(f"tab-{key}")
