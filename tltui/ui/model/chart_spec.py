"""What a chart draws (series, spec), cleaned of what cannot be drawn and downsampled; no Textual here."""

from __future__ import annotations

import itertools
import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from tltui.base.names import shown

ChartKind = Literal["line", "scatter", "bar", "grouped"]


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
    joined: bool = False
    """Scatters: the points drawn as one polyline in the series' glyph (a seed group's interval whiskers)."""


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
    colors: tuple[int, ...] = ()
    """Bar charts: a colour index per category (e.g. each variant's own colour)."""


def _floats(values: Iterable[object]) -> np.ndarray:
    out = []
    for v in values:
        try:
            out.append(float(v))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            out.append(math.nan)
    return np.asarray(out, dtype=float)


def shown_spec(spec: ChartSpec) -> ChartSpec:
    """`spec` with every text it draws escaped (tltui.base.names.shown): class and file names label series."""
    return replace(
        spec,
        series=tuple(replace(s, label=shown(s.label)) for s in spec.series),
        title=shown(spec.title),
        xlabel=shown(spec.xlabel),
        ylabel=shown(spec.ylabel),
        categories=tuple(shown(c) for c in spec.categories),
        xticks=None if spec.xticks is None else (spec.xticks[0], tuple(shown(t) for t in spec.xticks[1])),
        notes=tuple(shown(n) for n in spec.notes),
    )


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
        series.append(
            Series(s.label, tuple(y[ok].tolist()), tuple(x[ok].tolist()), s.marker, s.color, s.joined)
        )
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
        spec.colors,
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


SLOTS = 30
"""Distinct series styles: slot k is colour k mod the palette's size and glyph k (chart_text.MARKERS holds 30), so
30 series differ by glyph alone (NO_COLOR) and by colour × glyph on any palette."""
FIXED = ("teacher", "scratch", "probe", "finetune")
"""The models every study has keep the first slots, whatever else a run holds."""


def _preferred(name: str) -> int:
    return len(FIXED) + zlib.crc32(name.encode()) % (SLOTS - len(FIXED))


def color_order(names: Iterable[str], groups: Iterable[str] = ()) -> dict[str, int]:
    """One style slot per model, the same in every chart and every run: the teacher and the study's builds first,
    any other name at a slot hashed from the name (the next free one when two names want the same; names in
    sorted order, so the slots depend on the set of names, never their order). `groups` (seed groups' series
    keys, e.g. `group_key("remos")`) take free slots after every model, so a group never wears a model's style."""
    out: dict[str, int] = {}
    taken: set[int] = set()
    models = dict.fromkeys(["teacher", *names])
    for i, name in enumerate(FIXED):
        if name in models:
            out[name] = i
            taken.add(i)
    for batch in (sorted(n for n in models if n not in out), sorted(dict.fromkeys(groups))):
        for name in batch:
            if name in out:
                continue
            slot = _preferred(name)
            for step in range(SLOTS):  # linear probing; past 30 names the slots wrap (and styles repeat)
                if (candidate := (slot + step) % SLOTS) not in taken:
                    slot = candidate
                    break
            else:
                slot = SLOTS + len(out)
            out[name] = slot
            taken.add(slot)
    return out


def group_key(label: str) -> str:
    """The style key of a seed group's series (never a model's name: a space cannot be in one)."""
    return f"{label} ×seeds"
