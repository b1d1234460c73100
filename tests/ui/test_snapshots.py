"""Snapshots of the main layout in two themes and of the help screen; no run is loaded, so no float noise
(the numbers are checked by the pilot tests instead)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.helpers import SIZE, MakeApp
from tltui.ui.settings import Settings


@pytest.mark.parametrize("theme", ["tltui-dark", "tltui-light"])
def test_layout(theme: str, make_app: MakeApp, snap_compare: Any) -> None:
    app = make_app(None, settings=Settings(theme=theme, gpu_stats=False))
    assert snap_compare(app, terminal_size=SIZE)


def test_help_screen(make_app: MakeApp, snap_compare: Any) -> None:
    app = make_app(None, settings=Settings(theme="tltui-high-contrast", gpu_stats=False))
    assert snap_compare(app, terminal_size=SIZE, press=["f1"])
