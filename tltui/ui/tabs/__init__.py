"""The view tabs, one module each; the catalogue's VIEWS lists them (order = tab order) and each is imported on first
use, so the first frame (the tab bar) never waits for numpy or plotext."""

from __future__ import annotations

from tltui.base.catalogue import VIEWS as TABS

__all__ = ["TABS"]
