"""Check `batch-dependence`: a sample's outputs alone differ from its outputs in a batch (training-mode layers)."""

from __future__ import annotations

import torch
from torch import nn

from tltui.core.checks.context import CheckContext, Found
from tltui.core.checks.randomised import differs
from tltui.core.hooks import eval_mode

SINGLES = 2
"""Samples passed alone (each is one more forward pass)."""
RTOL = 1e-2
"""Relative to the largest output: above what TF32 or another kernel for batch size 1 changes on a GPU."""
NORMS = (nn.modules.batchnorm._BatchNorm, nn.modules.dropout._DropoutNd)


def training_layers(model: nn.Module) -> list[str]:
    """BatchNorm and dropout layers still in training mode after `model.eval()` (a module that overrides
    `train`, or keeps a child out of eval)."""
    with eval_mode(model):
        return [n for n, m in model.named_modules() if isinstance(m, NORMS) and m.training]


def run(ctx: CheckContext) -> list[Found]:
    found = []
    randomised = ctx.notes.get("randomised", set())
    for p in ctx.probes:
        if p.name in randomised:
            continue  # its outputs differ from pass to pass anyway: randomised-forward says so
        x = p.x
        batch = ctx.outputs(p)
        alone = torch.cat([ctx.logits(p, x[i : i + 1]) for i in range(min(SINGLES, len(x)))])
        gap = differs(batch[: len(alone)], alone)
        layers = training_layers(p.model)
        if gap > RTOL or layers:
            why = (
                f"{', '.join(layers[:3])}{' …' if len(layers) > 3 else ''} stay in training mode after eval()"
                if layers
                else "BatchNorm using batch statistics or a layer mixing samples"
            )
            found.append(
                Found(
                    p.name,
                    f"a sample's outputs alone differ from its outputs in a batch of {len(x)} (by {gap:.2g} of "
                    f"the largest output): {why}; every number depends on the batch size",
                )
            )
    return found
