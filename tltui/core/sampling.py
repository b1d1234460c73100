"""Seeded, stratified samples of a split, for the levels that look at a bounded number of instances."""

from __future__ import annotations

import numpy as np


def stratified_sample(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """`k` positions of labels `y`, each class sharing in proportion to its size (largest remainders break ties),
    drawn at random within the class (seeded); sorted. All positions when `k` ≥ len(y)."""
    y = np.asarray(y)
    n = len(y)
    if k >= n:
        return np.arange(n)
    classes, counts = np.unique(y, return_counts=True)
    exact = counts * k / n
    take = np.floor(exact).astype(int)
    order = np.argsort(-(exact - take), kind="stable")
    take[order[: k - int(take.sum())]] += 1
    rng = np.random.default_rng(seed)
    picked = [
        rng.choice(np.flatnonzero(y == c), size=t, replace=False) for c, t in zip(classes, take, strict=True)
    ]
    return np.sort(np.concatenate(picked))
