"""Spearman's rank correlation with a permutation p-value (numpy only: the workbench and the report read it too)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EXACT_MAX = 8
"""Up to this many pairs the permutation test enumerates every ordering (8! = 40 320); above it, it samples."""
N_PERM = 10_000
PERM_SEED = 0


@dataclass(frozen=True)
class RankCorr:
    """ρ between two scores over the pairs both have, and the share of permutations at least as extreme."""

    rho: float | None
    p: float | None
    n: int
    exact: bool

    def as_json(self) -> dict[str, float | int | bool | None]:
        return {"rho": self.rho, "p": self.p, "n": self.n, "exact": self.exact}


def ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean of their positions), from 1."""
    order = np.argsort(x, kind="stable")
    r = np.empty(len(x), dtype=np.float64)
    r[order] = np.arange(1, len(x) + 1, dtype=np.float64)
    for value in np.unique(x):
        tied = x == value
        if tied.sum() > 1:
            r[tied] = r[tied].mean()
    return r


def _pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    a, b = a - a.mean(), b - b.mean()
    den = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / den if den > 0 else None


def spearman(
    x: Sequence[float | None], y: Sequence[float | None], *, n_perm: int = N_PERM, seed: int = PERM_SEED
) -> RankCorr:
    """Spearman's ρ of `x` and `y` over the positions where both are numbers, with a two-sided permutation
    p-value (|ρ| of the permuted pairs ≥ the observed |ρ|, the observed ordering counted). Fewer than three pairs,
    or a constant side: ρ and p are None."""
    pairs = [(a, b) for a, b in zip(x, y, strict=True) if _num(a) and _num(b)]
    n = len(pairs)
    exact = n <= EXACT_MAX
    if n < 3:
        return RankCorr(None, None, n, exact)
    rx = ranks(np.array([float(a) for a, _ in pairs]))  # type: ignore[arg-type]
    ry = ranks(np.array([float(b) for _, b in pairs]))  # type: ignore[arg-type]
    rho = _pearson(rx, ry)
    if rho is None:
        return RankCorr(None, None, n, exact)
    if exact:
        perms = np.array(list(itertools.permutations(range(n))))
    else:
        rng = np.random.default_rng(seed)
        perms = np.stack([rng.permutation(n) for _ in range(n_perm)])
    xc, yc = rx - rx.mean(), ry - ry.mean()
    permuted = (yc[perms] @ xc) / math.sqrt(float(xc @ xc) * float(yc @ yc))
    hits = int(np.sum(np.abs(permuted) >= abs(rho) - 1e-12))
    p = hits / len(perms) if exact else (hits + 1) / (len(perms) + 1)
    return RankCorr(float(rho), float(p), n, exact)


def _num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))
