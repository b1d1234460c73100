"""A mitigation method added as one module plus one catalogue line appears in the palette and the Mitigate form."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from tests.ui.helpers import SIZE, MakeApp, ready
from tltui.base import catalogue
from tltui.ui.commands import palette_commands
from tltui.ui.tabs.mitigate import MitigateTab

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.syspath_prepend(str(PLUGINS))
    importlib.import_module("toy_shrink")
    yield "toy-shrink"
    catalogue.MITIGATIONS.pop("toy-shrink", None)
    sys.modules.pop("toy_shrink", None)


async def test_the_toy_method_in_the_palette_and_the_form(toy: str, make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert f"Mitigate: {toy}" in [t for t, _, _ in palette_commands(app)]
        await pilot.press("alt+5")
        await pilot.pause()
        view = app.workbench.query_one(MitigateTab)
        view.query_one("#mt-method", Select).value = toy
        await pilot.pause()
        shrink = view.query_one("#mt-shrink", Input)
        assert shrink.display and shrink.value == "0.5"  # its default, from the catalogue
        assert not view.query_one("#mt-ratio").display  # ReMoS's fields are hidden
        assert view.params() == {"method": toy, "shrink": 0.5, "epochs": 1, "seed": 0}
        shrink.value = "3"
        assert view.params() is None  # out of range: refused with a toast
