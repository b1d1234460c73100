"""Theme files (the shipped TOML palettes and the user's config dir) turned into Textual themes."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.theme import Theme

from tltui.ui.model.settings import config_dir
from tltui.ui.themefiles import builtin_theme_files

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_COLOR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)


def user_theme_dir() -> Path:
    """Where the user's own palettes live (`~/.config/tltui/themes`)."""
    return config_dir() / "themes"


def theme_files(dirs: Iterable[Path] | None = None) -> list[Traversable]:
    """The `*.toml` files in `dirs`; by default the shipped ones, then the user's (a user theme of the same name wins)."""
    if dirs is None:
        return [*builtin_theme_files(), *theme_files([user_theme_dir()])]
    return [path for d in dirs if d.is_dir() for path in sorted(d.glob("*.toml"))]


def parse_theme(data: dict[str, Any], fallback_name: str) -> Theme:
    """One TOML palette → a Textual Theme; raises ValueError on a palette without `primary`."""
    colors = data.get("colors", {})
    if "primary" not in colors:
        raise ValueError("a theme needs at least [colors] primary")
    kwargs: dict[str, Any] = {k: str(colors[k]) for k in _COLOR_KEYS if k in colors}
    return Theme(
        name=str(data.get("name", fallback_name)),
        dark=bool(data.get("dark", True)),
        luminosity_spread=float(data.get("luminosity_spread", 0.15)),
        ansi=bool(data.get("ansi", False)),
        variables={str(k): str(v) for k, v in data.get("variables", {}).items()},
        **kwargs,
    )


def load_themes(dirs: Iterable[Path] | None = None) -> dict[str, Theme]:
    """Every readable `*.toml` palette, by theme name; broken files are skipped (a theme never stops the app)."""
    themes: dict[str, Theme] = {}
    for path in theme_files(dirs):
        try:
            theme = parse_theme(tomllib.loads(path.read_text()), f"tltui-{path.name.removesuffix('.toml')}")
        except (OSError, ValueError, tomllib.TOMLDecodeError):
            continue
        themes[theme.name] = theme
    return themes
