"""The bottom panel: Jobs and Log tabs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Log, TabbedContent, TabPane

from tltui.base.names import shown
from tltui.ui.model.jobs_client import JobsClient
from tltui.ui.widgets.jobs_panel import JobsPanel


class BottomPanel(Vertical):
    """Jobs (progress, ETA, cancel) and Log (job messages and app events)."""

    DEFAULT_CSS = """
    BottomPanel { height: 12; background: $surface; border-top: solid $panel-lighten-1; }
    BottomPanel TabbedContent, BottomPanel ContentSwitcher, BottomPanel TabPane { height: 1fr; }
    BottomPanel TabPane { padding: 0; }
    BottomPanel Log { background: $surface; height: 1fr; }
    """

    def __init__(self, client: JobsClient | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._client = client

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="panel-jobs", id="panel-tabs"):
            with TabPane("Jobs", id="panel-jobs"):
                yield JobsPanel(self._client, id="jobs")
            with TabPane("Log", id="panel-log"):
                yield Log(id="log", max_lines=2000)

    def write(self, line: str) -> None:
        self.query_one(Log).write_line(shown(line))  # job messages name the user's files
