"""Shared bits of the UI tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import TabbedContent

from tltui.ui.app import WorkbenchApp
from tltui.ui.tabs import TABS

SIZE = (160, 48)
MakeApp = Callable[..., WorkbenchApp]
FAKE = "tests.ui.fake_jobs"


def active(app: WorkbenchApp) -> str:
    """The id of the active view tab."""
    return str(app.workbench.query_one("#views", TabbedContent).active)


def fake(name: str) -> str:
    return f"{FAKE}:{name}"


async def wait_until(pilot: Pilot[None], cond: Callable[[], object], timeout: float = 30.0) -> None:
    """Let the app run until `cond()` holds (jobs are other processes: there is nothing to await)."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {cond}")
        await pilot.pause(0.05)


async def ready(pilot: Pilot[None]) -> None:
    """Let the app show its first frame and start its session (the run is shown after the first refresh)."""
    app = pilot.app
    assert isinstance(app, WorkbenchApp)
    await wait_until(pilot, lambda: app.started)
    # The views are put in after the first frame, one by one: wait for all of them (a test may query any view).
    await wait_until(pilot, lambda: len(app.workbench.views) == len(TABS))
    await pilot.pause()
