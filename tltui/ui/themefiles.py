"""The built-in theme palettes shipped as package data (`tltui.themes`); no Textual, so any install can list them."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def builtin_theme_files() -> list[Traversable]:
    """Every shipped `*.toml` palette, by file name."""
    found = (f for f in files("tltui.themes").iterdir() if f.is_file() and f.name.endswith(".toml"))
    return sorted(found, key=lambda f: f.name)
