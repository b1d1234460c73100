"""Projected gradient descent on the cross-entropy of a classifier (Madry et al.), L∞ or L2."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from tltui.core.attacks.engine import AttackConfig, ascend


def run(
    forward: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Untargeted PGD: maximise the cross-entropy of the true label."""
    return ascend(lambda xa: F.cross_entropy(forward(xa), y, reduction="none"), x, cfg, generator=generator)
