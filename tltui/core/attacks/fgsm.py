"""The fast gradient sign method: one full-ε signed gradient step (Goodfellow et al.)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

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
    """FGSM is PGD with one step of size ε and no random start."""
    one = replace(cfg, alpha=cfg.eps, steps=1, random_start=False)
    return ascend(lambda xa: F.cross_entropy(forward(xa), y, reduction="none"), x, one, generator=generator)
