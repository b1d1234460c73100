"""The parts of a chart drawn as plain text: series colours and glyphs, the legend, horizontal bars."""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Mapping, Sequence

from rich.style import Style
from rich.text import Text
from textual.color import Color

SERIES_VARIABLES = tuple(f"series-{i}" for i in range(1, 11))
"""Theme variables holding the series colours (themes/*.toml); a chart never names a literal colour."""
FALLBACK_VARIABLES = ("primary", "secondary", "accent", "success", "warning", "error")
"""Used when a (user) theme defines no series colours."""
ANSI16 = (
    "cyan",
    "yellow",
    "magenta",
    "green",
    "red",
    "blue",
    "bright_cyan",
    "bright_yellow",
    "bright_magenta",
)
"""Series colours on a 16-colour terminal: ANSI colours stay distinct where blended theme colours collapse."""

MARKERS = "●▲■◆✚✖○△□◇▼▶◀◉◎⊕⊗⊞⊠⊡⬟⬢⬡✦✧✱✳✶✷✸"
ASCII_MARKERS = "ox+*#@%&=~vsdXOHZNMW^$?<>TKYAV"
"""One glyph per style slot (chart_spec.SLOTS = 30), so series stay apart without colour (NO_COLOR) and in
black-and-white prints."""
BAR_EIGHTHS = " ▏▎▍▌▋▊▉█"


def ascii_only() -> bool:
    """Whether the terminal cannot draw braille, half blocks and shaded glyphs: `TLTUI_ASCII=1`, the Linux
    console (TERM=linux) or a non-UTF-8 locale."""
    if os.environ.get("TLTUI_ASCII", "") not in ("", "0"):
        return True
    if os.environ.get("TERM") == "linux":
        return True
    encoding = getattr(sys.stdout, "encoding", None) or locale.getpreferredencoding(False)
    return "utf" not in str(encoding).lower()


def glyph(index: int, plain: bool) -> str:
    glyphs = ASCII_MARKERS if plain else MARKERS
    return glyphs[index % len(glyphs)]


def palette(variables: Mapping[str, str], colors: int) -> list[str | tuple[int, int, int]]:
    """Series colours for this theme: plotext colour names on a 16-colour terminal, else RGB triples."""
    if colors <= 16:
        return list(ANSI16)
    out: list[str | tuple[int, int, int]] = []
    for names in (SERIES_VARIABLES, FALLBACK_VARIABLES):
        for name in names:
            try:
                out.append(Color.parse(variables[name]).rgb)
            except Exception:  # a missing or unparsable variable
                continue
        if out:
            return out
    return [(128, 128, 128)]


def rich_style(color: str | tuple[int, int, int]) -> Style:
    if isinstance(color, tuple):
        return Style(color=f"rgb({color[0]},{color[1]},{color[2]})")
    return Style(color=color.replace("bright_", "bright_"))


def legend_lines(items: Sequence[tuple[str, str, Style]], width: int) -> list[Text]:
    """`glyph label` items packed into as few lines of `width` as they fit."""
    lines: list[Text] = []
    line = Text()
    for mark, label, style in items:
        entry = len(mark) + 1 + len(label)
        if line.cell_len and line.cell_len + 3 + entry > width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append("   ")
        line.append(mark, style)
        line.append(" " + label)
    if line.cell_len:
        lines.append(line)
    return lines


def bar_text(value: float, top: float, width: int, plain: bool) -> str:
    """A horizontal bar of `value` out of `top` in `width` cells (eighths; `#` on plain terminals)."""
    frac = 0.0 if top <= 0 else max(0.0, min(1.0, value / top))
    if plain:
        return ("#" * round(frac * width)).ljust(width)
    eighths = round(frac * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (BAR_EIGHTHS[part] if part else "")).ljust(width)


def hbars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    styles: Sequence[Style],
    width: int,
    *,
    top: float | None = None,
    plain: bool = False,
    fmt: str = "{:.3f}",
) -> Text:
    """One labelled row per bar, its value written after it: every bar is named, whatever the width."""
    label_w = min(max((len(s) for s in labels), default=0), max(6, width // 3))
    texts = [fmt.format(v) for v in values]
    value_w = max((len(t) for t in texts), default=0)
    bar_w = max(4, width - label_w - value_w - 3)
    scale = top if top is not None else max([*values, 0.0])
    out = Text(title[:width] + "\n", style="bold") if title else Text()
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        out.append(label[:label_w].rjust(label_w) + " ")
        out.append(bar_text(value, scale, bar_w, plain), styles[i % len(styles)] if styles else "")
        out.append(" " + text.rjust(value_w))
        if i < len(labels) - 1:
            out.append("\n")
    return out
