"""Four more views after tests/plugins/seventh_view.py (twelve in all with the seven built-in ones): tabs past the ninth have no digit key."""

from __future__ import annotations

from tltui.base import catalogue
from tltui.base.catalogue import Entry

for n in range(8, 12):
    catalogue.register(
        "view", Entry(f"extra{n}", f"plugin view {n}", "seventh_view:SeventhTab", title=f"Extra {n}")
    )
