"""Check `randomised-forward`: two forward passes over the same batch differ (dropout or noise in forward)."""

from __future__ import annotations

import torch

from tltui.core.checks.context import CheckContext, Found

RTOL = 1e-4
"""Relative to the largest output: far above float noise, far below any dropout."""


def differs(a: torch.Tensor, b: torch.Tensor) -> float:
    """The largest difference of `a` and `b` relative to their scale (0 when identical)."""
    scale = float(a.abs().max().clamp_min(1e-12))
    return float((a - b).abs().max()) / scale if a.numel() else 0.0


def run(ctx: CheckContext) -> list[Found]:
    found = []
    ctx.notes["randomised"] = set()
    for p in ctx.probes:
        x = p.x
        gap = differs(ctx.outputs(p), ctx.logits(p, x))
        if gap > RTOL:
            ctx.notes["randomised"].add(p.name)
            found.append(
                Found(
                    p.name,
                    f"two forward passes over the same {len(x)} inputs differ (by {gap:.2g} of the largest "
                    "output) in eval mode: a random forward (dropout or noise in forward) needs an attack with "
                    "expectation over transformation and several evaluations (EOT), not one run",
                )
            )
    return found
