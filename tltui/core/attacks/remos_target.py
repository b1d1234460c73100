"""ReMoS's teacher-only attack (its `myloss`): drive penultimate neuron 0 towards m and every other neuron to 0."""

from __future__ import annotations

from collections.abc import Callable

import torch

from tltui.core.attacks.engine import AttackConfig, ascend

M = 1000.0
"""The target value of neuron 0 (ReMoS's `--m`)."""
REST_WEIGHT = 0.1
"""Weight of the other neurons' mean squared distance to 0."""


def run(
    features: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    cfg: AttackConfig,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Maximise −((φ₀ − m)² + 0.1·mean_{j>0} φ_j²) per image: the features of every input are pulled to one fixed,
    unnatural point, whatever its content."""

    def objective(xa: torch.Tensor) -> torch.Tensor:
        f = features(xa).float()
        return -((f[:, 0] - M) ** 2 + REST_WEIGHT * f[:, 1:].pow(2).mean(dim=1))

    return ascend(objective, x, cfg, generator=generator)
