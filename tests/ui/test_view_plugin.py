"""A view added by a plugin (`$TLTUI_PLUGINS`, tests/plugins/seventh_view.py) gets a tab, a key and a palette line.

The keys are made when `tltui.ui.keys` is first imported, so the plugin must be registered before that, as it is for
a user: each check runs in a fresh interpreter with `$TLTUI_PLUGINS` set.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tests.ui.helpers import SIZE, active, ready

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
REPO = Path(__file__).resolve().parents[2]


async def drive(run: Path, workspace: Path) -> None:
    """Open the workbench on `run` and reach the seventh view by its key and by the palette (and, when more
    plugin views are there, the ones past the ninth by next/previous tab and the palette)."""
    from textual.widgets import DataTable, TabbedContent

    from tltui.base.catalogue import VIEWS
    from tltui.ui.app import WorkbenchApp
    from tltui.ui.keys import LAYOUT_KEYS
    from tltui.ui.model.jobs_client import JobsClient
    from tltui.ui.model.session import Session
    from tltui.ui.model.settings import Settings

    session = Session(study="demo", device="cpu", jobs=JobsClient(workspace), run_dir=run, autostart=False)
    app = WorkbenchApp(session, Settings(gpu_stats=False))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        tabs = app.workbench.query_one("#views", TabbedContent)
        assert tabs.tab_count == len(VIEWS) >= 7, tabs.tab_count
        pos = list(VIEWS).index("seventh") + 1  # after the built-in views (seventh when there were six)
        assert str(tabs.get_tab("tab-seventh").label) == f"{pos} Seventh"
        digits = [k.name for k in LAYOUT_KEYS if k.name.startswith("tab_")]
        assert digits == [f"tab_{i}" for i in range(1, min(len(VIEWS), 9) + 1)], digits
        await pilot.press(str(pos))
        await pilot.pause()
        assert active(app) == "tab-seventh", active(app)
        view = app.workbench.current_view()
        assert view is not None and session.run is not None
        assert view.query_one(DataTable).row_count == len(session.run.variants)
        await pilot.press("1")
        await pilot.pause()
        assert active(app) == "tab-overview"
        last = list(VIEWS)[-1]
        await pilot.press("ctrl+pageup")  # the first tab's previous is the last
        await pilot.pause()
        assert active(app) == f"tab-{last}", active(app)
        await pilot.press("1", "ctrl+p")
        await pilot.press(*f"Show view: {VIEWS[last].label}")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
        assert active(app) == f"tab-{last}", active(app)


def check(plugins: str, run: Path, workspace: Path) -> None:
    """`drive` in a fresh interpreter with `$TLTUI_PLUGINS=plugins`."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.test_view_plugin", str(run), str(workspace)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={
            **os.environ,
            "TLTUI_PLUGINS": plugins,
            "PYTHONPATH": os.pathsep.join([str(REPO), str(PLUGINS)]),
        },
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_a_plugin_view_is_the_seventh_tab(env: Path, recorded_run: Path) -> None:
    check("seventh_view", recorded_run, env)


def test_views_past_the_ninth_are_reached_by_next_tab_and_the_palette(env: Path, recorded_run: Path) -> None:
    check("seventh_view,more_views", recorded_run, env)


def test_tab_keys() -> None:
    from tltui.ui.keys import DIGIT_TABS, key_name, tab_keys

    assert tab_keys(1) == f"1,alt+1,{key_name('¡')}"  # what ESC 1 arrives as
    assert tab_keys(9) == f"9,alt+9,{key_name('ª')}"
    assert DIGIT_TABS == 9


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(drive(Path(sys.argv[1]), Path(sys.argv[2])))
