"""The built-in theme palettes, shipped as the package `tltui.themes` (see `[tool.setuptools]` in pyproject)."""
