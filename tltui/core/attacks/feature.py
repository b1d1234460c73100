"""Teacher-only, target-agnostic attack: push the penultimate features as far as possible from the clean ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import torch

from tltui.core.attacks.engine import AttackConfig, ascend


def run(
    features: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    cfg: AttackConfig,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Maximise ‖φ(x_adv) − φ(x)‖² on the teacher's feature extractor φ; the student's labels are not needed.

    Always starts at a random point of the ball: at x_adv = x the distortion's gradient is exactly zero.
    """
    with torch.no_grad():
        clean = features(x.float()).float()

    def objective(xa: torch.Tensor) -> torch.Tensor:
        return (features(xa).float() - clean).pow(2).flatten(1).sum(dim=1)

    return ascend(objective, x, replace(cfg, random_start=True), generator=generator)
