"""The one widget that owns plotext: draws a `ChartSpec` with one colour and glyph per series, the legend
outside the plot, bars as labelled rows; caches renders, throttles, never crashes."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from plotext._dict import themes as _plotext_themes
from rich.console import Group
from rich.text import Text
from textual.app import RenderResult
from textual.timer import Timer
from textual_plotext import PlotextPlot

from tltui.ui.keys import CHART_KEYS, bindings
from tltui.ui.model.chart_spec import (
    ChartKind,
    ChartSpec,
    Series,
    clean_spec,
    color_order,
    downsample,
    shown_spec,
)
from tltui.ui.widgets.chart_text import ascii_only, glyph, hbars, legend_lines, palette, rich_style

__all__ = ["Chart", "ChartKind", "ChartSpec", "Series", "clean_spec", "color_order", "downsample"]


class Chart(PlotextPlot, can_focus=True):
    """A plotext chart driven by a `ChartSpec`; a failing plot becomes a one-line 'chart unavailable'. Focused,
    `s` / `S` (keys.CHART_KEYS) show one series alone, in legend order, then all again."""

    BINDINGS = bindings(CHART_KEYS)

    DEFAULT_CSS = """
    Chart {
        width: 1fr;
        height: 1fr;
        min-height: 6;
        background: $surface;
        color: $foreground;
    }
    """

    MIN_INTERVAL = 0.1
    """Seconds between two redraws caused by new data (live progress cannot flood the renderer)."""
    CACHE_SIZE = 8

    def __init__(self, spec: ChartSpec | None = None, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self._spec: ChartSpec | None = clean_spec(spec) if spec else None
        self._pending: ChartSpec | None = None
        self._last_update = 0.0
        self._timer: Timer | None = None
        self._cache: OrderedDict[tuple[object, ...], Text | Group] = OrderedDict()
        self._empty = "no data"
        self.only: str | None = None
        """The label of the one series shown (`s`), None: all."""
        self.builds = 0
        """How many times plotext actually rendered (the cache and throttle keep this low)."""

    @property
    def spec(self) -> ChartSpec | None:
        return self._spec

    def show(self, spec: ChartSpec | None, empty: str = "no data") -> None:
        """Draw `spec` (None: show `empty`); redraws closer than MIN_INTERVAL are coalesced."""
        self._pending = clean_spec(spec) if spec else None
        self._empty = empty
        wait = self.MIN_INTERVAL - (time.monotonic() - self._last_update)
        if wait <= 0 or not self.is_mounted:
            self._flush()
        elif self._timer is None:
            self._timer = self.set_timer(wait, self._flush)

    def _flush(self) -> None:
        self._timer = None
        self._spec = self._pending
        self._last_update = time.monotonic()
        self.refresh()

    def _colors(self) -> list[str | tuple[int, int, int]]:
        colors = 16 if self.app.console.color_system in ("standard", "windows") else 256
        return palette(self.app.theme_variables, colors)

    def pick(self, step: int) -> None:
        """Show the series `step` after the one shown alone (from all: the first, or the last for -1)."""
        labels = (
            [s.label for s in self._spec.series if s.label] if self._spec and self._spec.kind != "bar" else []
        )
        if not labels:
            return
        choices: list[str | None] = [None, *labels]
        at = choices.index(self.only) if self.only in choices else 0
        self.only = choices[(at + step) % len(choices)]
        self.refresh()

    def action_pick(self, step: int) -> None:
        self.pick(step)

    def _shown(self, spec: ChartSpec) -> ChartSpec:
        """`spec` with only the picked series (its style unchanged), and a note saying so."""
        if self.only is None or spec.kind == "bar":
            return spec
        kept = tuple(
            s if s.color is not None else replace(s, color=i)
            for i, s in enumerate(spec.series)
            if s.label == self.only
        )
        if not kept:
            return spec
        note = f"only {self.only}: s next, S previous"
        return replace(spec, series=kept, notes=(*spec.notes, note))

    def render(self) -> RenderResult:
        spec = self._spec
        if spec is not None:
            spec = self._shown(spec)
        if spec is None or not any(s.y for s in spec.series):
            return Text(self._empty, style="italic")
        width, height = self.size.width, self.size.height
        if width < 10 or height < 4:
            return Text("")
        key = (spec, width, height, self.app.theme, self.app.no_color)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        try:
            text = self._build(spec, width, height)
        except Exception as exc:  # plotext raises inside build(); a chart must never take the app down
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return Text(f"chart unavailable: {msg}"[: max(width, 20)])
        self._cache[key] = text
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)
        return text

    def _legend(self, spec: ChartSpec, colors: list[Any], plain: bool, width: int) -> list[Text]:
        items = []
        for i, s in enumerate(spec.series):
            if s.label:
                color = colors[(i if s.color is None else s.color) % len(colors)]
                items.append((self._marker(spec, s, i, plain), s.label, rich_style(color)))
        return legend_lines(items, width)

    def _marker(self, spec: ChartSpec, s: Series, i: int, plain: bool) -> str:
        """The series' glyph: its own, else one per series (braille lines only while colour tells them apart)."""
        if s.marker:
            return s.marker
        if spec.kind == "line" and not (plain or self.app.no_color):
            return "━"
        return glyph(i if s.color is None else s.color, plain)

    def _build(self, spec: ChartSpec, width: int, height: int) -> Text | Group:
        self.builds += 1
        spec = shown_spec(spec)
        colors = self._colors()
        plain = ascii_only()
        title = spec.title + (f"  ({'; '.join(spec.notes)})" if spec.notes else "")
        if spec.kind == "bar":
            s = spec.series[0]
            cats = list(spec.categories) or [str(i) for i in range(len(s.y))]
            order = spec.colors or tuple(range(len(cats)))
            styles = [rich_style(colors[c % len(colors)]) for c in order]
            top = spec.ylim[1] if spec.ylim is not None else None
            return hbars(title, cats, list(s.y), styles, width, top=top, plain=plain)
        legend = self._legend(spec, colors, plain, width) if spec.kind != "bar" else []
        plot_height = max(4, height - len(legend))
        plt = self.plt
        plt.clear_figure()
        plt.plotsize(width, plot_height)
        plt._set_size(width, plot_height)
        if len(colors) <= 16 and isinstance(colors[0], str):
            plt.theme("clear")  # the terminal's own colours: blended theme colours do not survive 16 colours
        else:
            theme_name = self._get_plotext_theme_name(self.app.theme)
            if theme_name not in _plotext_themes:
                self._register_theme(self.app.theme)
            plt.theme(theme_name)
        if title:
            plt.title(title)
        if spec.xlabel:
            plt.xlabel(spec.xlabel)
        if spec.ylabel:
            plt.ylabel(spec.ylabel)
        if spec.kind in ("line", "scatter"):
            draw = plt.plot if spec.kind == "line" else plt.scatter
            for i, s in enumerate(spec.series):
                if not s.y:
                    continue
                x, y = downsample(s.x, s.y, 2 * width)
                marker = self._marker(spec, s, i, plain)
                marker = "braille" if marker == "━" else marker
                c = colors[(i if s.color is None else s.color) % len(colors)]
                (plt.plot if s.joined else draw)(x, y, color=c, marker=marker)
        else:
            cats = list(spec.categories) or [str(i) for i in range(len(spec.series[0].y))]
            multiple_bar: Any = plt.multiple_bar  # plotext's stub says `label`, the code takes `labels`
            multiple_bar(
                cats,
                [list(s.y) for s in spec.series],
                labels=None,
                color=[
                    colors[(i if s.color is None else s.color) % len(colors)]
                    for i, s in enumerate(spec.series)
                ],
                marker="#" if plain else "sd",
            )
        if spec.xticks is not None:
            plt.xticks(list(spec.xticks[0]), list(spec.xticks[1]))
        if spec.ylim is not None:
            plt.ylim(*spec.ylim)
        if spec.yscale == "log":
            plt.yscale("log")
        plot = Text.from_ansi(plt.build().rstrip("\n"))
        return Group(plot, *legend) if legend else plot
