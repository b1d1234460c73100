"""Seeded re-initialisation of every parameterised layer (retrain, Renofeation, Model Doctor from scratch)."""

from __future__ import annotations

import torch
from torch import nn


def reinitialise(model: nn.Module, seed: int) -> None:
    """Re-initialise every parameterised layer in registration order, seeded (as a fresh build would)."""
    torch.manual_seed(seed)
    for m in model.modules():
        reset = getattr(m, "reset_parameters", None)
        # only layers that own parameters: a container's reset would draw again for its children
        if callable(reset) and any(True for _ in m.parameters(recurse=False)):
            reset()
