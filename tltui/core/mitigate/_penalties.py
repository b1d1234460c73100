"""Weight penalties of the feature-matching references: β·½‖w‖² on the classifier (DELTA's `reg_classifier`,
Renofeation's `linear_l2`)."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn


def linear_l2(modules: Iterable[nn.Module], beta: float) -> torch.Tensor:
    """β · ½ Σ ‖param‖² over the parameters of `modules` (its gradient is β·w): both references' β term."""
    squares = [p.pow(2).sum() for m in modules for p in m.parameters()]
    if not squares:
        return torch.zeros(())
    return 0.5 * beta * torch.stack(squares).sum()


def linears(model: nn.Module) -> list[nn.Module]:
    """Every nn.Linear of `model` (Renofeation penalises them all; a ResNet has only its head)."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]
