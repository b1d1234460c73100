"""A small grayscale array drawn with half-block characters, shaded between two theme colours."""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget


def to_gray(image: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, C) / (C, H, W) in any range → (H, W) in [0, 1]; non-finite → 0."""
    a = np.asarray(image, dtype=float)
    if a.ndim == 3:
        a = a.mean(axis=0) if a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3) else a.mean(axis=-1)
    if a.ndim != 2:
        raise ValueError(f"expected an image, got shape {a.shape}")
    a = np.where(np.isfinite(a), a, 0.0)
    lo, hi = float(a.min(initial=0.0)), float(a.max(initial=0.0))
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)


class HalfBlockImage(Widget):
    """Two pixel rows per terminal row ('▀': top in the foreground colour, bottom in the background)."""

    DEFAULT_CSS = """
    HalfBlockImage { width: auto; height: auto; background: $background; color: $foreground; }
    HalfBlockImage.-heat { color: $error; }
    """

    def __init__(self, *, scale: int = 2, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.scale = scale
        self._pixels: np.ndarray = np.zeros((0, 0))

    def set_image(self, image: np.ndarray | None) -> None:
        px = np.zeros((0, 0)) if image is None else to_gray(image)
        if self.scale > 1 and px.size:
            px = np.kron(px, np.ones((self.scale, self.scale)))
        self._pixels = px
        self.refresh(layout=True)

    def get_content_width(self, container: object, viewport: object) -> int:
        return int(self._pixels.shape[1])

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return (int(self._pixels.shape[0]) + 1) // 2

    def render_line(self, y: int) -> Strip:
        px = self._pixels
        if 2 * y >= px.shape[0]:
            return Strip.blank(self.size.width)
        style = self.rich_style
        lo = Color.from_rich_color(style.bgcolor) if style.bgcolor else Color(0, 0, 0)
        hi = Color.from_rich_color(style.color) if style.color else Color(255, 255, 255)
        top = px[2 * y]
        bottom = px[2 * y + 1] if 2 * y + 1 < px.shape[0] else np.zeros_like(top)
        segments = [
            Segment(
                "▀", Style(color=lo.blend(hi, float(t)).rich_color, bgcolor=lo.blend(hi, float(b)).rich_color)
            )
            for t, b in zip(top, bottom, strict=True)
        ]
        return Strip(segments, len(segments))
