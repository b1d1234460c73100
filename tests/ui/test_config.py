"""Settings, theme files and the user keymap: parsed once, broken files never stop the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.helpers import SIZE, MakeApp, ready
from tltui.ui.keys import ALL_KEYS, effective_keys, keys_path, load_keymap
from tltui.ui.model.settings import Settings, load_settings, save_settings, settings_path
from tltui.ui.themes import load_themes, parse_theme, user_theme_dir


def test_settings_round_trip_and_defaults(env: Path) -> None:
    assert settings_path().is_relative_to(env.parent / "config")
    assert load_settings() == Settings()
    save_settings(Settings(theme="tltui-nord", panel=False))
    assert load_settings() == Settings(theme="tltui-nord", panel=False)
    settings_path().write_text("theme = [broken")
    assert load_settings() == Settings()
    settings_path().write_text('theme = 3\nsidebar = false\nunknown = "x"\n')
    assert load_settings() == Settings(sidebar=False)


def test_builtin_themes_load_and_cover_the_variables() -> None:
    themes = load_themes()
    for name in ("tltui-dark", "tltui-light", "tltui-high-contrast", "tltui-nord"):
        theme = themes[name]
        assert theme.primary and theme.background and theme.surface and theme.foreground
    assert not themes["tltui-light"].dark


def test_user_theme_dir_adds_and_broken_files_are_skipped(env: Path) -> None:
    user = user_theme_dir()
    user.mkdir(parents=True)
    (user / "mine.toml").write_text('name = "mine"\n[colors]\nprimary = "#123456"\n')
    (user / "bad.toml").write_text("[colors\n")
    (user / "empty.toml").write_text('name = "empty"\n')
    themes = load_themes()
    assert "mine" in themes and "empty" not in themes
    with pytest.raises(ValueError):
        parse_theme({"colors": {}}, "x")


def test_keymap_file_rebinds_known_actions_only(env: Path) -> None:
    keys_path().parent.mkdir(parents=True, exist_ok=True)
    keys_path().write_text('toggle_sidebar = "f9"\nnot_an_action = "f7"\n[keys]\npalette = "alt+x"\n')
    keymap = load_keymap()
    assert keymap == {"tltui.palette": "alt+x"}  # a [keys] table wins over top-level lines
    keys_path().write_text('toggle_sidebar = "f9"\nnot_an_action = "f7"\n')
    keymap = load_keymap()
    assert keymap == {"tltui.toggle_sidebar": "f9"}
    bound = dict((spec.name, keys) for spec, keys in effective_keys(keymap))
    assert bound["toggle_sidebar"] == "f9" and bound["toggle_panel"] == "ctrl+j,f4,alt+j"
    assert len({spec.name for spec in ALL_KEYS}) == len(ALL_KEYS)


async def test_rebound_key_works_in_the_app(make_app: MakeApp, run_dir: Path, env: Path) -> None:
    keys_path().parent.mkdir(parents=True, exist_ok=True)
    keys_path().write_text('toggle_sidebar = "f9"\n')
    app = make_app(run_dir)
    app.user_keymap = load_keymap()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sidebar = app.workbench.query_one("#sidebar")
        await pilot.press("ctrl+b")
        assert sidebar.display
        await pilot.press("f9")
        assert not sidebar.display


async def test_no_color_picks_high_contrast_and_is_not_saved(
    make_app: MakeApp, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(run_dir, settings=Settings(theme="tltui-light", gpu_stats=False))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.theme == "tltui-high-contrast"
        await pilot.press("f8")
        await pilot.pause()
    assert not settings_path().exists()
