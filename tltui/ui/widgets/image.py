"""A small grayscale array drawn with half-block characters, shaded between two theme colours, with its scale."""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from tltui.ui.widgets.chart_text import ascii_only

SHADES = " .:-=+*#%@"
"""Plain-terminal shading, darkest to brightest (no half blocks where they cannot be drawn)."""


def value_range(image: np.ndarray, lo: float | None = None, hi: float | None = None) -> tuple[float, float]:
    """The values the darkest and brightest shade stand for: `lo`/`hi` when given, else the image's extremes."""
    a = np.asarray(image, dtype=float)
    finite = a[np.isfinite(a)]
    low = float(finite.min(initial=0.0)) if lo is None else lo
    high = float(finite.max(initial=0.0)) if hi is None else hi
    return low, high


def to_gray(image: np.ndarray, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """(H, W) or (H, W, C) / (C, H, W) in any range → (H, W) in [0, 1] over [lo, hi]; non-finite → 0."""
    a = np.asarray(image, dtype=float)
    if a.ndim == 3:
        a = a.mean(axis=0) if a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3) else a.mean(axis=-1)
    if a.ndim != 2:
        raise ValueError(f"expected an image, got shape {a.shape}")
    low, high = value_range(a, lo, hi)
    a = np.where(np.isfinite(a), a, low)
    return np.clip((a - low) / (high - low), 0.0, 1.0) if high > low else np.zeros_like(a)


def fmt_value(v: float) -> str:
    return f"{v:.2g}" if abs(v) < 1000 else f"{v:.0f}"


class HalfBlockImage(Widget):
    """Two pixel rows per terminal row ('▀': top in the foreground colour, bottom in the background); with
    `legend`, a colour scale under it names the values of the darkest and the brightest shade."""

    DEFAULT_CSS = """
    HalfBlockImage { width: auto; height: auto; background: $background; color: $foreground; }
    HalfBlockImage.-heat { color: $error; }
    """

    def __init__(
        self, *, scale: int = 2, legend: bool = False, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.scale = scale
        self.legend = legend
        self.range: tuple[float, float] = (0.0, 0.0)
        self._pixels: np.ndarray = np.zeros((0, 0))
        self._strips: dict[tuple[int, Color, Color, bool, int], Strip] = {}
        """Rendered lines of the current image (a tab switch or scroll redraws them from here)."""

    def set_image(self, image: np.ndarray | None, lo: float | None = None, hi: float | None = None) -> None:
        """Draw `image` shaded over [lo, hi] (default: its own extremes)."""
        px: np.ndarray
        if image is None:
            px = np.zeros((0, 0))
        else:
            self.range = value_range(image, lo, hi)
            px = to_gray(image, lo, hi)
        if self.scale > 1 and px.size:
            px = np.kron(px, np.ones((self.scale, self.scale)))
        self._pixels = px
        self._strips.clear()
        self.refresh(layout=True)

    @property
    def image_rows(self) -> int:
        return (int(self._pixels.shape[0]) + 1) // 2

    def get_content_width(self, container: object, viewport: object) -> int:
        width = int(self._pixels.shape[1])
        if self.legend and width:
            return max(width, len(self._scale_labels(width)))
        return width

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return self.image_rows + (2 if self.legend and self._pixels.size else 0)

    def _scale_labels(self, width: int) -> str:
        lo, hi = (fmt_value(v) for v in self.range)
        return lo + " " * max(1, width - len(lo) - len(hi)) + hi

    def _colors(self) -> tuple[Color, Color]:
        style = self.rich_style
        lo = Color.from_rich_color(style.bgcolor) if style.bgcolor else Color(0, 0, 0)
        hi = Color.from_rich_color(style.color) if style.color else Color(255, 255, 255)
        return lo, hi

    def render_line(self, y: int) -> Strip:
        lo, hi = self._colors()
        plain = ascii_only()
        key = (y, lo, hi, plain, self.size.width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._render_line(y, lo, hi, plain)
        return strip

    def _render_line(self, y: int, lo: Color, hi: Color, plain: bool) -> Strip:
        px = self._pixels
        if y >= self.image_rows:
            return self._legend_line(y - self.image_rows, lo, hi, plain)
        top = px[2 * y]
        bottom = px[2 * y + 1] if 2 * y + 1 < px.shape[0] else np.zeros_like(top)
        if plain:
            segments = [
                Segment(SHADES[round((t + b) / 2 * (len(SHADES) - 1))], Style(color=hi.rich_color))
                for t, b in zip(top, bottom, strict=True)
            ]
        else:
            segments = [
                Segment(
                    "▀",
                    Style(color=lo.blend(hi, float(t)).rich_color, bgcolor=lo.blend(hi, float(b)).rich_color),
                )
                for t, b in zip(top, bottom, strict=True)
            ]
        return Strip(segments, len(segments))

    def _legend_line(self, row: int, lo: Color, hi: Color, plain: bool) -> Strip:
        width = max(int(self._pixels.shape[1]), 1)
        if row == 0:
            ramp = np.linspace(0.0, 1.0, width)
            if plain:
                text = "".join(SHADES[round(v * (len(SHADES) - 1))] for v in ramp)
                return Strip([Segment(text, Style(color=hi.rich_color))], width)
            return Strip([Segment("█", Style(color=lo.blend(hi, float(v)).rich_color)) for v in ramp], width)
        if row == 1:
            text = self._scale_labels(width)
            return Strip([Segment(text, self.rich_style)], len(text))
        return Strip.blank(self.size.width)
