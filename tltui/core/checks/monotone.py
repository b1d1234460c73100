"""Flag `eps-not-monotone`: accuracy under attack rises with a larger ε on the ε grid."""

from __future__ import annotations

from tltui.base.rundir import eps_curve
from tltui.core.checks.context import Found
from tltui.core.checks.flagcontext import FlagContext

TOLERANCE = 0.005
"""Beyond one test image: a rise smaller than this (plus 1/n) is left alone."""


def rises(curve: list[tuple[float, float]], tol: float) -> list[tuple[float, float, float, float]]:
    """Each (ε, accuracy, larger ε, its higher accuracy) where accuracy rises by more than `tol`."""
    pts = sorted((float(e), float(a)) for e, a in curve)
    out = []
    for i, (e0, a0) in enumerate(pts):
        for e1, a1 in pts[i + 1 :]:
            if a1 > a0 + tol:
                out.append((e0, a0, e1, a1))
                break
    return out


def run(ctx: FlagContext) -> list[Found]:
    found = []
    tol = TOLERANCE + 1.0 / max(ctx.n, 1)
    for name, v in ctx.variants.items():
        up = rises(eps_curve(v), tol)
        if up:
            e0, a0, e1, a1 = up[0]
            found.append(
                Found(
                    name,
                    f"accuracy under attack rises from {a0:.3f} at ε={e0:.4g} to {a1:.3f} at ε={e1:.4g}: the "
                    "attack is not converging (more steps, a smaller step, restarts)",
                )
            )
    return found
