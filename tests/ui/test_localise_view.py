"""The Layers view's interventions section on the recorded demo run with a recorded interventions.json (from
`tltui localise demo --variant finetune`): snapshots at 80×24 and 160×48, the intervention picker, the
prefilled Mitigate forms (ReMoS, reinit) and the localise form."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Select

from tests.ui.helpers import MakeApp
from tests.ui.test_snapshots import _settle
from tltui.base.rundir import INTERVENTIONS
from tltui.ui.model.settings import Settings
from tltui.ui.tabs import TABS
from tltui.ui.widgets.localise_form import LocaliseForm
from tltui.ui.widgets.localise_section import LocaliseSection
from tltui.ui.widgets.table import Table

FIXTURE = Path(__file__).parent / "fixtures" / INTERVENTIONS
LAYERS_KEY = str(list(TABS).index("layers") + 1)


@pytest.fixture
def localised_run(recorded_run: Path) -> Path:
    shutil.copy(FIXTURE, recorded_run / INTERVENTIONS)
    return recorded_run


async def _show_layers(pilot: Any) -> None:
    await _settle(pilot)
    await pilot.press(LAYERS_KEY)
    await pilot.pause(0.5)
    await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_layers_interventions_snapshot(
    size: tuple[int, int], make_app: MakeApp, localised_run: Path, snap_compare: Any
) -> None:
    app = make_app(localised_run, settings=Settings(theme="tltui-dark", gpu_stats=False))
    assert snap_compare(app, terminal_size=size, run_before=_show_layers)


async def test_the_section_follows_the_intervention_and_prefills_remos_and_reinit(
    make_app: MakeApp, localised_run: Path
) -> None:
    app = make_app(localised_run, settings=Settings(theme="tltui-dark", gpu_stats=False))
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(600):  # bounded: only the Layers and Mitigate views are needed, not every worker
            if app.started and app.workbench.requester("mitigate") and app.workbench.requester("localise"):
                break
            await pilot.pause(0.05)
        await pilot.press(LAYERS_KEY)
        section = app.workbench.query_one(LocaliseSection)
        for _ in range(600):
            if section.iv is not None and section.query_one("#lc-table", Table).row_count:
                break
            await pilot.pause(0.05)
        assert section.display and section.iv is not None
        table = section.query_one("#lc-table", Table)
        first = [str(c) for c in table.get_row_at(0)]
        assert first[0] == "1" and first[1] == section.iv.data["ranking"][0]
        section.query_one("#lc-kind", Select).value = "restore"
        await pilot.pause()
        assert str(table.get_row_at(0)[0]) == ""  # ranks belong to the ranking intervention
        section.query_one("#lc-k", Select).value = 2
        await pilot.pause()
        await pilot.click("#lc-slice")
        await pilot.pause()
        mitigate = app.workbench.requester("mitigate")
        assert mitigate is not None and mitigate.on_screen()
        assert mitigate.query_one("#mt-method", Select).value == "remos"
        top = [n for n in section.iv.data["ranking"][:2] if n.startswith("conv")]
        assert mitigate.query_one("#mt-scope", Input).value == ",".join(top)
        await pilot.press(LAYERS_KEY)  # the second follow-up: re-initialise the top layers, any kind
        await pilot.pause()
        await pilot.click("#lc-reinit")
        await pilot.pause()
        assert mitigate.on_screen() and mitigate.query_one("#mt-method", Select).value == "reinit"
        assert mitigate.query_one("#mt-layers", Input).value == ",".join(section.iv.data["ranking"][:2])
        # the palette's "Localise" opens the form on the run's layers; its values become the job's parameters
        got: list[dict[str, Any] | None] = []
        app.push_screen(LocaliseForm("finetune", [("conv1", "Conv2d"), ("fc", "Linear")]), got.append)
        await pilot.pause()
        app.screen.query_one("#lf-layers", Input).value = "fc,conv9"
        await pilot.click("#lf-run")
        await pilot.pause()
        assert got == [] and isinstance(app.screen, LocaliseForm)  # conv9 is not a layer: refused, form stays
        app.screen.query_one("#lf-layers", Input).value = "fc,conv1"
        app.clear_notifications()
        await pilot.pause()
        app.screen.query_one("#lf-run", Button).press()  # not a click: a toast may still lie over the button
        for _ in range(100):  # bounded: the form is dismissed on the next frames
            if got:
                break
            await pilot.pause(0.05)
        assert got[0] is not None and got[0]["variant"] == "finetune" and got[0]["layers"] == ["conv1", "fc"]
