"""The layer window as a text Sankey: top-k channels per layer, braille lines for the strongest weights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from tltui.ui.keys import WINDOW_KEYS, bindings

BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""Dot bit of a braille cell by (row 0–3, column 0–1)."""
EIGHTHS = " ▏▎▍▌▋▊▉█"
NODE_WIDTH = 16
LABELS = 8
"""How many of the drawn links are also listed as text."""


@dataclass(frozen=True)
class Window:
    """One instance's window: `layers` (Lw), `top` (Lw, k) channel ids, `act` (Lw, k) their mean
    activation, `links` (Lw−1, k, k): |w| from top[l][c] (column) to top[l+1][r] (row)."""

    layers: tuple[str, ...]
    top: np.ndarray
    act: np.ndarray
    links: np.ndarray

    @property
    def k(self) -> int:
        return int(self.top.shape[1]) if self.top.ndim == 2 else 0

    def edges(self, threshold: float) -> list[tuple[int, int, int, float]]:
        """Links at or above `threshold` × the window's strongest: (layer, source row, target row, |w|),
        strongest first."""
        if self.links.size == 0:
            return []
        cut = float(threshold) * float(np.max(self.links))
        out = [
            (li, c, r, float(self.links[li, r, c]))
            for li in range(self.links.shape[0])
            for r in range(self.links.shape[1])
            for c in range(self.links.shape[2])
            if self.links[li, r, c] >= cut
        ]
        return sorted(out, key=lambda e: -e[3])


def bar(value: float, width: int) -> str:
    """A horizontal bar of `value` in [0, 1] with eighth-cell resolution."""
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part] if part else "")).ljust(width)[:width]


def braille_lines(
    width: int, height: int, segments: list[tuple[int, int, int]]
) -> list[list[tuple[str, int]]]:
    """A width × height grid of braille cells with straight lines from the left edge at text row a to the
    right edge at text row b; `segments` are (a, b, tier) and each cell keeps the highest tier drawn in it."""
    dots = np.zeros((height * 4, width * 2), dtype=np.int8)  # 0: empty, tier + 1 otherwise
    cols = width * 2
    for a, b, tier in segments:
        y0, y1 = 4 * a + 1.5, 4 * b + 1.5
        for x in range(cols):
            t = x / max(1, cols - 1)
            y = round(y0 + (y1 - y0) * t)
            if 0 <= y < dots.shape[0]:
                dots[y, x] = max(dots[y, x], tier + 1)
            if x + 1 < cols:  # steep lines: fill the vertical run to the next column
                y_next = round(y0 + (y1 - y0) * (x + 1) / max(1, cols - 1))
                lo, hi = sorted((y, y_next))
                for yy in range(lo + 1, hi):
                    if 0 <= yy < dots.shape[0]:
                        dots[yy, x] = max(dots[yy, x], tier + 1)
    grid: list[list[tuple[str, int]]] = []
    for row in range(height):
        line = []
        for col in range(width):
            cell = dots[4 * row : 4 * row + 4, 2 * col : 2 * col + 2]
            bits = sum(BRAILLE_BITS[dy][dx] for dy in range(4) for dx in range(2) if cell[dy, dx])
            line.append((chr(0x2800 + bits) if bits else " ", int(cell.max()) - 1))
        grid.append(line)
    return grid


class LayerWindow(Widget, can_focus=True):
    """Columns of the top-k channels of consecutive layers, linked where |w| ≥ threshold × the strongest."""

    DEFAULT_CSS = """
    LayerWindow { width: 1fr; height: auto; padding: 0 1; }
    LayerWindow:focus { background: $boost; }
    LayerWindow > .window--node { color: $foreground; }
    LayerWindow > .window--bar { color: $primary; }
    LayerWindow > .window--link { color: $secondary; }
    LayerWindow > .window--strong { color: $accent; text-style: bold; }
    LayerWindow > .window--muted { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "window--node",
        "window--bar",
        "window--link",
        "window--strong",
        "window--muted",
    }
    BINDINGS = bindings(WINDOW_KEYS)

    def __init__(self, *, threshold: float = 0.5, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.window: Window | None = None
        self.threshold = threshold
        self.empty = "no layer window"

    def show(self, window: Window | None, empty: str = "no layer window") -> None:
        self.window, self.empty = window, empty
        self.refresh(layout=True)

    def action_threshold(self, step: float) -> None:
        self.set_threshold(self.threshold + step)

    def set_threshold(self, value: float) -> None:
        self.threshold = round(min(1.0, max(0.0, value)), 2)
        self.refresh(layout=True)

    def edges(self) -> list[tuple[int, int, int, float]]:
        return self.window.edges(self.threshold) if self.window is not None else []

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        if self.window is None:
            return 1
        return 2 + 2 * self.window.k + 2 + min(LABELS, len(self.edges()))

    def render(self) -> RenderResult:
        w = self.window
        if w is None or w.k == 0:
            return Text(self.empty, style="italic")
        st = {
            r: self.get_component_rich_style(f"window--{r}", partial=True)
            for r in ("node", "bar", "link", "strong", "muted")
        }
        n_layers, k = len(w.layers), w.k
        gap = max(6, ((self.size.width or 100) - 2 - n_layers * NODE_WIDTH) // max(1, n_layers - 1))
        edges = self.edges()
        strong_cut = (1.0 + self.threshold) / 2 * float(np.max(w.links)) if w.links.size else 0.0
        grids = [
            braille_lines(
                gap,
                2 * k,
                [(2 * c, 2 * r, int(v >= strong_cut)) for li2, c, r, v in edges if li2 == li],
            )
            for li in range(n_layers - 1)
        ]
        lines: list[Text] = []
        head = Text()
        for li, name in enumerate(w.layers):
            head.append(name[: NODE_WIDTH - 1].ljust(NODE_WIDTH), st["node"] + Style(bold=True))
            if li < n_layers - 1:
                head.append(" " * gap)
        lines += [head, Text("")]
        for row in range(2 * k):
            line = Text()
            for li in range(n_layers):
                j = row // 2
                if row % 2 == 0 and j < w.top.shape[1]:
                    peak = float(np.max(w.act[li])) or 1.0
                    line.append(f"c{int(w.top[li, j]):<4}", st["node"])
                    line.append(bar(float(w.act[li, j]) / peak, 5), st["bar"])
                    line.append(
                        f" {float(w.act[li, j]):<6.2g}"[: NODE_WIDTH - 10].ljust(NODE_WIDTH - 10), st["muted"]
                    )
                else:
                    line.append(" " * NODE_WIDTH)
                if li < n_layers - 1:
                    for ch, tier in grids[li][row]:
                        line.append(ch, st["strong"] if tier >= 1 else st["link"])
            lines.append(line)
        total = int(w.links.size)
        lines.append(Text(""))
        lines.append(
            Text(
                f"links with |w| ≥ {self.threshold:.2f} × strongest: {len(edges)} of {total}"
                "   (+ / − change the threshold)",
                st["muted"],
            )
        )
        for li, c, r, v in edges[:LABELS]:
            src, dst = int(w.top[li, c]), int(w.top[li + 1, r])
            lines.append(
                Text(f"  {w.layers[li]} c{src} → {w.layers[li + 1]} c{dst}   |w| {v:.3g}", st["node"])
            )
        return Group(*lines)
