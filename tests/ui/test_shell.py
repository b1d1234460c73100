"""Pilot tests of the shell: tabs, sidebar, panel, maximise, help, themes, palette, export."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable

from tests.ui.helpers import SIZE, MakeApp, active, ready
from tltui.ui.keys import ALL_KEYS
from tltui.ui.model.settings import load_settings, settings_path
from tltui.ui.screens.help import HelpScreen
from tltui.ui.tabs import TABS


async def test_opens_run_and_shows_metrics(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        summary = json.loads((run_dir / "summary.json").read_text())
        table = app.workbench.query_one("#ov-metrics", DataTable)
        assert table.row_count == len(summary["variants"])
        first = next(iter(summary["variants"]))
        row = table.get_row(first)
        assert row[1] == f"{summary['variants'][first]['aoi']:.3f}"
        assert app.session.run is not None and app.session.run.run_dir == run_dir.resolve()


async def test_tabs_switch_by_keys_and_mouse(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        keys = list(TABS)
        for i, key in enumerate(keys):
            await pilot.press(f"alt+{i + 1}")
            assert active(app) == f"tab-{key}"
        await pilot.press("alt+1", "ctrl+pagedown")
        assert active(app) == f"tab-{keys[1]}"
        await pilot.press("ctrl+pageup", "ctrl+pageup")
        assert active(app) == f"tab-{keys[-1]}"
        await pilot.press("5")  # the tmux-safe tab keys: plain digits outside a text box
        assert active(app) == "tab-mitigate"
        await pilot.press("3")
        assert active(app) == "tab-features"
        await pilot.click("#views Tab#--content-tab-tab-layers")
        assert active(app) == "tab-layers"


async def test_toggle_sidebar_panel_and_maximise(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = app.workbench
        sidebar, panel = screen.query_one("#sidebar"), screen.query_one("#panel")
        await pilot.press("ctrl+b")
        assert not sidebar.display
        await pilot.press("f2")
        assert sidebar.display
        await pilot.press("ctrl+j")
        assert not panel.display
        await pilot.press("f4")
        assert panel.display
        await pilot.press("f11")
        assert screen.maximised == "views" and not sidebar.display and not panel.display
        await pilot.press("f11")
        assert screen.maximised is None and sidebar.display and panel.display
        screen.query_one("#jobs-table").focus()
        await pilot.press("alt+m")
        assert screen.maximised == "panel" and not screen.query_one("#main").display


async def test_help_lists_every_key(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        names = {table.get_row_at(i)[1] for i in range(table.row_count)}
        assert {spec.name for spec in ALL_KEYS} <= names
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_theme_switch_is_live_and_remembered(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        before = app.theme
        await pilot.press("f8")
        await pilot.pause()
        assert app.theme != before
        chosen = app.theme
    assert load_settings().theme == chosen
    assert settings_path().is_file()
    again = make_app(run_dir, settings=load_settings())
    async with again.run_test(size=SIZE) as pilot:
        assert again.theme == chosen


async def test_palette_runs_a_command(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Theme: tltui-light")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "tltui-light"
        await pilot.press("ctrl+p")
        await pilot.press(*"Show view: Layers")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
        assert active(app) == "tab-layers"


async def test_palette_lists_state_derived_commands(make_app: MakeApp, run_dir: Path) -> None:
    from tltui.ui.commands import palette_commands

    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        titles = [t for t, _, _ in palette_commands(app)]
        for expected in (
            "Run analysis",
            "Mitigate: remos",
            "Treat: model-doctor",
            "Pick variant: finetune",
            "Theme: tltui-nord",
            "Toggle sidebar",
            "Toggle panel",
            "Export view as CSV",
        ):
            assert expected in titles
        ids = app.session.run.summary.get("ids") or []
        assert any(t.startswith("Pick instance: ") and t.split(": ", 1)[1] in ids for t in titles)


async def test_export_csv_json_svg(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        exports = run_dir / "exports"
        csvs, jsons = list(exports.glob("overview-*.csv")), list(exports.glob("overview-*.json"))
        assert len(csvs) == 1 and len(jsons) == 1
        header, first = csvs[0].read_text().splitlines()[:2]
        assert header.startswith("variant,aoi,aai") and header.endswith(",white_box_attack,teacher_attack")
        assert "pgd L∞ ε=0.1 α=0.02 · 10 steps · 1 restart" in first  # every row names its attack's budget
        doc = json.loads(jsons[0].read_text())
        rows = doc["rows"]
        summary = json.loads((run_dir / "summary.json").read_text())
        assert {r["variant"] for r in rows} == set(summary["variants"])
        assert doc["budget"]["white_box_attack"].startswith("pgd L∞ ε=0.1 α=0.02 · 10 steps · 1 restart")
        await pilot.press("f12")
        await pilot.pause()
        svgs = list(exports.glob("*.svg"))
        assert len(svgs) == 1 and svgs[0].read_text().lstrip().startswith("<svg")
        assert set(app.last_exports) == set(svgs)
