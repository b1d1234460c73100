"""Mirrored histograms in text: per channel, source counts grow up and target counts grow down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from rich.console import Group
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

UP = " ▁▂▃▄▅▆▇█"
"""Eighths of a cell, filled from the bottom (source: bars grow up from the axis)."""
DOWN = " ▔▔▀▀▀▀██"
"""The same fill from the top (target: bars hang down); text cells only have ▔ ▀ █ for that."""


@dataclass(frozen=True)
class ChannelHist:
    """One channel: its title, the bin edges and the two count vectors (same length)."""

    title: str
    source: tuple[float, ...]
    target: tuple[float, ...]
    lo: float = 0.0
    hi: float = 0.0


def bar_rows(counts: np.ndarray, scale: float, height: int, chars: str) -> list[str]:
    """`height` text rows of vertical bars for `counts` (values / scale of the full height).
    Rows come nearest-the-axis first."""
    eighths = np.zeros(len(counts), dtype=int) if scale <= 0 else np.rint(counts / scale * height * 8)
    rows = []
    for r in range(height):
        level = np.clip(np.asarray(eighths, dtype=int) - 8 * r, 0, 8)
        rows.append("".join(chars[int(v)] for v in level))
    return rows


def render_channel(ch: ChannelHist, height: int) -> list[tuple[str, str]]:
    """Lines of one channel as (text, role) with role 'title', 'source', 'axis' or 'target'."""
    src, tgt = np.asarray(ch.source, dtype=float), np.asarray(ch.target, dtype=float)
    scale = float(max(src.max(initial=0.0), tgt.max(initial=0.0)))
    up = bar_rows(src, scale, height, UP)[::-1]
    down = bar_rows(tgt, scale, height, DOWN)
    width = len(src)
    lines = [(ch.title[:width].ljust(width), "title")]
    lines += [(row, "source") for row in up]
    axis = f"{ch.lo:.2g}".ljust(width // 2) + f"{ch.hi:.2g}".rjust(width - width // 2)
    lines.append((axis[:width], "axis"))
    lines += [(row, "target") for row in down]
    return lines


class MirroredHistograms(Widget):
    """A grid of channels, each a mirrored histogram (source up, target down), as many per row as fit."""

    DEFAULT_CSS = """
    MirroredHistograms { width: 1fr; height: auto; }
    MirroredHistograms > .mirror--source { color: $primary; }
    MirroredHistograms > .mirror--target { color: $accent; }
    MirroredHistograms > .mirror--title { color: $foreground; text-style: bold; }
    MirroredHistograms > .mirror--axis { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "mirror--source",
        "mirror--target",
        "mirror--title",
        "mirror--axis",
    }

    def __init__(self, *, height: int = 3, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.bar_height = height
        self.channels: tuple[ChannelHist, ...] = ()
        self.empty = "no channels"

    def show(self, channels: list[ChannelHist], empty: str = "no channels") -> None:
        self.channels = tuple(channels)
        self.empty = empty
        self.refresh(layout=True)

    def _per_row(self, width: int) -> int:
        cell = max((len(c.source) for c in self.channels), default=1) + 2
        return max(1, width // cell)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        if not self.channels:
            return 1
        rows = -(-len(self.channels) // self._per_row(width))
        return rows * (2 * self.bar_height + 3) + 1

    def render(self) -> RenderResult:
        if not self.channels:
            return Text(self.empty, style="italic")
        styles = {
            role: self.get_component_rich_style(f"mirror--{role}", partial=True)
            for role in ("source", "target", "title", "axis")
        }
        per_row = self._per_row(self.size.width or 80)
        blocks: list[Text] = []
        for start in range(0, len(self.channels), per_row):
            rendered = [render_channel(c, self.bar_height) for c in self.channels[start : start + per_row]]
            for i in range(len(rendered[0])):
                line = Text()
                for lines in rendered:
                    text, role = lines[i]
                    line.append(text, styles[role])
                    line.append("  ")
                blocks.append(line)
            blocks.append(Text(""))
        legend = Text()
        legend.append("▆ source data (up)", styles["source"])
        legend.append("   ")
        legend.append("▀ target data (down)", styles["target"])
        blocks.append(legend)
        return Group(*blocks)
