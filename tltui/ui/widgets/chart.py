"""The one widget that owns plotext: cleans data, downsamples, caches renders, throttles, never crashes."""

from __future__ import annotations

import itertools
import math
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from plotext._dict import themes as _plotext_themes
from rich.text import Text
from textual.app import RenderResult
from textual.color import Color
from textual.timer import Timer
from textual_plotext import PlotextPlot

ChartKind = Literal["line", "scatter", "bar", "grouped"]

# Theme variables that colour the series, in order; a chart never names a literal colour.
SERIES_COLOR_VARIABLES = ("primary", "secondary", "accent", "success", "warning", "error")


@dataclass(frozen=True)
class Series:
    """One named series: x and y for lines and scatters, y alone (one value per category) for bars."""

    label: str
    y: tuple[float, ...]
    x: tuple[float, ...] = ()
    marker: str = ""
    """A plotext marker for lines and scatters (one character, or a plotext name); default braille."""
    color: int | None = None
    """Index into the theme's series colours (series sharing a meaning, e.g. a class, share it); default: the
    series' position."""


@dataclass(frozen=True)
class ChartSpec:
    """Everything a chart draws; hashable, so it keys the render cache."""

    kind: ChartKind
    series: tuple[Series, ...]
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    categories: tuple[str, ...] = ()
    """Bar labels (bar and grouped kinds)."""
    xticks: tuple[tuple[float, ...], tuple[str, ...]] | None = None
    ylim: tuple[float, float] | None = None
    yscale: Literal["linear", "log"] = "linear"
    notes: tuple[str, ...] = field(default=())
    """What cleaning dropped, shown under the chart title."""


def _floats(values: Iterable[object]) -> np.ndarray:
    out = []
    for v in values:
        try:
            out.append(float(v))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            out.append(math.nan)
    return np.asarray(out, dtype=float)


def clean_spec(spec: ChartSpec) -> ChartSpec:
    """Drop non-finite points of lines (and non-positive ones on a log axis); bars get 0 for non-finite."""
    series: list[Series] = []
    notes = list(spec.notes)
    dropped = 0
    for s in spec.series:
        y = _floats(s.y)
        if spec.kind in ("bar", "grouped"):
            bad = ~np.isfinite(y)
            dropped += int(bad.sum())
            series.append(
                Series(s.label, tuple(np.where(bad, 0.0, y).tolist()), marker=s.marker, color=s.color)
            )
            continue
        x = _floats(s.x) if s.x else np.arange(len(y), dtype=float)
        n = min(len(x), len(y))
        x, y = x[:n], y[:n]
        ok = np.isfinite(x) & np.isfinite(y)
        if spec.yscale == "log":
            ok &= y > 0
        dropped += int((~ok).sum())
        series.append(Series(s.label, tuple(y[ok].tolist()), tuple(x[ok].tolist()), s.marker, s.color))
    if dropped:
        notes.append(f"{dropped} non-finite value(s) not drawn")
    return ChartSpec(
        spec.kind,
        tuple(series),
        spec.title,
        spec.xlabel,
        spec.ylabel,
        spec.categories,
        spec.xticks,
        spec.ylim,
        spec.yscale,
        tuple(notes),
    )


def downsample(x: Sequence[float], y: Sequence[float], target: int) -> tuple[list[float], list[float]]:
    """At most ~`target` points: per bucket keep the min and max (peaks survive), in x order."""
    n = len(y)
    if n <= target or target < 4:
        return list(x), list(y)
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    edges = np.linspace(0, n, target // 2 + 1).astype(int)
    keep: list[int] = []
    for lo, hi in itertools.pairwise(edges):
        if hi <= lo:
            continue
        seg = ya[lo:hi]
        a, b = lo + int(np.argmin(seg)), lo + int(np.argmax(seg))
        keep.extend(sorted({a, b}))
    idx = np.asarray(keep)
    return xa[idx].tolist(), ya[idx].tolist()


class Chart(PlotextPlot):
    """A plotext chart driven by a `ChartSpec`; a failing plot becomes a one-line 'chart unavailable'."""

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
        self._cache: OrderedDict[tuple[object, ...], Text] = OrderedDict()
        self._empty = "no data"
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

    def _colors(self) -> list[tuple[int, int, int]]:
        variables = self.app.theme_variables
        out = []
        for name in SERIES_COLOR_VARIABLES:
            try:
                out.append(Color.parse(variables[name]).rgb)
            except (KeyError, Exception):
                continue
        return out or [(128, 128, 128)]

    def render(self) -> RenderResult:
        spec = self._spec
        if spec is None or not any(s.y for s in spec.series):
            return Text(self._empty, style="italic")
        width, height = self.size.width, self.size.height
        if width < 10 or height < 4:
            return Text("")
        key = (spec, width, height, self.app.theme)
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

    def _build(self, spec: ChartSpec, width: int, height: int) -> Text:
        self.builds += 1
        plt = self.plt
        plt.clear_figure()
        plt.plotsize(width, height)
        plt._set_size(width, height)
        theme_name = self._get_plotext_theme_name(self.app.theme)
        if theme_name not in _plotext_themes:
            self._register_theme(self.app.theme)
        plt.theme(theme_name)
        colors = self._colors()
        title = spec.title + (f"  ({'; '.join(spec.notes)})" if spec.notes else "")
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
                marker = s.marker or "braille"
                c = colors[(i if s.color is None else s.color) % len(colors)]
                draw(x, y, label=s.label or None, color=c, marker=marker)
        elif spec.kind == "bar":
            s = spec.series[0]
            cats = list(spec.categories) or [str(i) for i in range(len(s.y))]
            plt.bar(cats, list(s.y), color=colors[0], width=0.5)
        else:
            cats = list(spec.categories) or [str(i) for i in range(len(spec.series[0].y))]
            multiple_bar: Any = plt.multiple_bar  # plotext's stub says `label`, the code takes `labels`
            multiple_bar(
                cats,
                [list(s.y) for s in spec.series],
                labels=[s.label for s in spec.series],
                color=[colors[i % len(colors)] for i in range(len(spec.series))],
            )
        if spec.xticks is not None:
            plt.xticks(list(spec.xticks[0]), list(spec.xticks[1]))
        if spec.ylim is not None:
            plt.ylim(*spec.ylim)
        if spec.yscale == "log":
            plt.yscale("log")
        return Text.from_ansi(plt.build())
