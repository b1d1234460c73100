"""Student's t: the two-sided 95 % quantile the seed statistics and the interval code share."""

from __future__ import annotations

_T95 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
)
"""Two-sided 95 % Student t quantiles for 1…15 degrees of freedom."""


def t95(df: int) -> float:
    """The two-sided 95 % t quantile (tabulated to 15 degrees of freedom, then a close upper bound, 2.131→1.96)."""
    if df < 1:
        raise ValueError("a t interval needs at least two values")
    return _T95[df - 1] if df <= len(_T95) else max(1.96, 2.131 - (df - 15) * 0.004)
