"""An estimate with its interval, as summary.json writes it (a block every other shape module uses)."""

from __future__ import annotations

from typing import TypedDict


class IntervalBlock(TypedDict):
    """An estimate with its 95 % interval (`tltui.base.rundir.interval.Interval.as_json`, docs/intervals.md)."""

    value: float
    lo: float
    hi: float
    includes: str
    """`images` (test-set sampling) or `seeds+images` (seed variance and test-set sampling)."""
