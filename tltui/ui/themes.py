"""Theme files (TOML palettes in themes/ and the user's config dir) turned into Textual themes."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.theme import Theme

import tltui
from tltui.ui.settings import config_dir

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


def theme_dirs() -> list[Path]:
    """Built-in themes beside the package, then the user's (a user file of the same name wins)."""
    return [Path(tltui.__file__).resolve().parents[1] / "themes", config_dir() / "themes"]


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
        variables={str(k): str(v) for k, v in data.get("variables", {}).items()},
        **kwargs,
    )


def load_themes(dirs: Iterable[Path] | None = None) -> dict[str, Theme]:
    """Every readable `*.toml` palette, by theme name; broken files are skipped (a theme never stops the app)."""
    themes: dict[str, Theme] = {}
    for d in theme_dirs() if dirs is None else dirs:
        for path in sorted(d.glob("*.toml")) if d.is_dir() else []:
            try:
                theme = parse_theme(tomllib.loads(path.read_text()), f"tltui-{path.stem}")
            except (OSError, ValueError, tomllib.TOMLDecodeError):
                continue
            themes[theme.name] = theme
    return themes
