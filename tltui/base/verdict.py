"""The one rule that turns a difference's interval into words: more seeds needed, within noise, beyond noise."""

from __future__ import annotations

from typing import Final

MIN_SEEDS = 3
"""Below this many seeds the seed variance is unknown in practice: no significance is claimed."""
MORE_SEEDS: Final = "more seeds needed"
WITHIN_NOISE: Final = "within noise"
BEYOND_NOISE: Final = "beyond noise"


def verdict(n_seeds: int, seed_sd: float | None, lo: float, hi: float) -> str:
    """`more seeds needed` with fewer than MIN_SEEDS seeds or no spread between them (docs/intervals.md), else
    `beyond noise` when the interval [lo, hi] excludes 0 and `within noise` when it does not."""
    if n_seeds < MIN_SEEDS or not seed_sd:
        return MORE_SEEDS
    return BEYOND_NOISE if lo > 0.0 or hi < 0.0 else WITHIN_NOISE
