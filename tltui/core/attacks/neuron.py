"""Teacher-only attack of ReMoS: drive one penultimate neuron to a large value and the others to zero."""

from __future__ import annotations

from collections.abc import Callable

import torch

from tltui.core.attacks.engine import AttackConfig, ascend


def run(
    features: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    cfg: AttackConfig,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Per image, pick the neuron that is weakest on the clean input and make it dominate the feature vector."""
    with torch.no_grad():
        clean = features(x.float()).float()
        target = clean.argmin(dim=1)
    d = clean.shape[1]

    def objective(xa: torch.Tensor) -> torch.Tensor:
        f = features(xa).float()
        chosen = f.gather(1, target[:, None]).squeeze(1)
        rest = (f.pow(2).sum(dim=1) - chosen.pow(2)) / max(d - 1, 1)
        return chosen - rest

    return ascend(objective, x, cfg, generator=generator)
