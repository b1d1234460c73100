"""Snapshots: the main layout without a run in two themes, the help screen, and on a real run every tab at
80×24, 120×35 and 160×48 (dark) and the Overview in every theme. The run is a recorded real demo run
(tests/ui/fixtures/demo-run), so the pixels do not depend on the machine's float reductions; the pilot tests
check the numbers of a live run themselves."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.ui.helpers import SIZE, MakeApp
from tltui.ui.model.settings import Settings
from tltui.ui.tabs import TABS

SIZES = [(80, 24), (120, 35), (160, 48)]
THEMES = ["tltui-dark", "tltui-light", "tltui-high-contrast", "tltui-nord"]


@pytest.mark.parametrize("theme", ["tltui-dark", "tltui-light"])
def test_layout(theme: str, make_app: MakeApp, snap_compare: Any) -> None:
    app = make_app(None, settings=Settings(theme=theme, gpu_stats=False))
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle_quiet)


async def _help(pilot: Any) -> None:
    await _settle_quiet(pilot)
    await pilot.press("f1")
    await pilot.pause()


def test_help_screen(make_app: MakeApp, snap_compare: Any) -> None:
    app = make_app(None, settings=Settings(theme="tltui-high-contrast", gpu_stats=False))
    assert snap_compare(app, terminal_size=SIZE, run_before=_help)


def test_help_screen_fits_80x24(make_app: MakeApp, snap_compare: Any) -> None:
    app = make_app(None, settings=Settings(theme="tltui-dark", gpu_stats=False))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_help)


async def _settle(pilot: Any) -> None:
    app = pilot.app
    for _ in range(600):  # bounded: a view that never mounts fails the test instead of hanging the suite
        if app.started and len(app.workbench.views) >= len(TABS):
            break
        await pilot.pause(0.05)
    else:
        views = len(app.workbench.views) if app.started else None
        raise AssertionError(f"after 30 s: started={app.started}, {views} of {len(TABS)} views mounted")
    await pilot.pause(0.3)
    # the verdict lines and the Pareto board are computed in workers
    await asyncio.wait_for(app.workers.wait_for_complete(), timeout=60)
    await pilot.pause()


async def _settle_quiet(pilot: Any) -> None:
    """Settled, without the toasts: a toast lives 5 s of wall time, so whether a snapshot still shows it depends on
    the machine's load (the toasts are checked by the pilot tests that raise them)."""
    await _settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab", list(TABS))
def test_tab(
    tab: str, size: tuple[int, int], make_app: MakeApp, recorded_run: Path, snap_compare: Any
) -> None:
    app = make_app(recorded_run, settings=Settings(theme="tltui-dark", gpu_stats=False))
    key = str(list(TABS).index(tab) + 1)

    async def show(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press(key)
        await pilot.pause(0.5)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("theme", THEMES)
def test_overview_theme(theme: str, make_app: MakeApp, recorded_run: Path, snap_compare: Any) -> None:
    app = make_app(recorded_run, settings=Settings(theme=theme, gpu_stats=False))
    assert snap_compare(app, terminal_size=(120, 35), run_before=_settle)


async def test_without_a_run_the_workbench_offers_f5(make_app: MakeApp) -> None:
    app = make_app(None, settings=Settings(theme="tltui-dark", gpu_stats=False))
    said: list[str] = []
    shown = app.notify

    def notify(
        message: str, *args: Any, **kwargs: Any
    ) -> None:  # a toast lives 5 s: a loaded machine misses it
        said.append(message)
        shown(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert "No finished analysis of demo yet: press F5 to run one." in said
