"""Shared plumbing for the treatments: the treated copy, layer taps and the isomorphic regression model."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.base.errors import StudyError
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.data import Split, normalize
from tltui.core.hooks import eval_mode
from tltui.core.images import Batched


def clone_variant(an: Analysis, name: str) -> nn.Module:
    """A deep copy of the named variant on the analysis device, in eval mode (the original is never touched)."""
    if name not in an.variants:
        have = ", ".join(an.variants) or "none loaded"
        raise StudyError(f"treat: no variant named '{name}' (have {have})")
    return copy.deepcopy(an.variants[name]).to(an.device).eval()


def train_split(an: Analysis, what: str) -> Split:
    """The student training split, or a clear error when the study has none."""
    if an.data.train is None:
        raise StudyError(f"{what} needs student training data: set [data] train in the study")
    return an.data.train


@dataclass(frozen=True)
class Tap:
    """A point in the network: a module's output, or its input (`inputs`; the head's input = penultimate)."""

    module: str
    inputs: bool = False


def resolve_tap(model: nn.Module, layer: str | None) -> Tap:
    """`layer` None = the penultimate features (the input of the head); else the named module's output."""
    if layer is None:
        return Tap(M.head_name(model), inputs=True)
    if layer not in dict(model.named_modules()):
        raise StudyError(f"treat: the model has no layer '{layer}' (have {', '.join(M.layer_names(model))})")
    return Tap(layer)


class _Stop(Exception):
    """Raised by a hook to end a forward pass once the tap has been reached."""


def tap_forward(model: nn.Module, x: torch.Tensor, tap: Tap) -> torch.Tensor:
    """The tensor at `tap` for normalised inputs `x`; the layers after the tap never run."""
    out: dict[str, torch.Tensor] = {}
    module = model.get_submodule(tap.module)

    def pre(_m: nn.Module, args: tuple[torch.Tensor, ...]) -> None:
        out["t"] = args[0]
        raise _Stop

    def post(_m: nn.Module, _a: tuple[torch.Tensor, ...], o: torch.Tensor) -> None:
        out["t"] = o
        raise _Stop

    handle = module.register_forward_pre_hook(pre) if tap.inputs else module.register_forward_hook(post)
    try:
        model(x)
    except _Stop:
        pass
    finally:
        handle.remove()
    if "t" not in out:
        raise StudyError(f"treat: layer '{tap.module}' never ran in the forward pass")
    return out["t"]


def substitute_forward(model: nn.Module, x: torch.Tensor, tap: Tap, value: torch.Tensor) -> torch.Tensor:
    """The logits of `model` on `x` with the tensor at `tap` replaced by `value` (the rest of the net reads it)."""
    module = model.get_submodule(tap.module)

    def pre(_m: nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...]:
        return (value, *args[1:])

    def post(_m: nn.Module, _a: tuple[Any, ...], _o: torch.Tensor) -> torch.Tensor:
        return value

    handle = module.register_forward_pre_hook(pre) if tap.inputs else module.register_forward_hook(post)
    try:
        return model(x)
    finally:
        handle.remove()


class RegressionModel(nn.Module):
    """The classifier's isomorphic regression model: the same layers up to `tap`, outputting the tap's tensor.

    It shares its parameters with `net`, so training it trains the classifier's lower layers; the layers after
    the tap (the original head) are simply never run, and stay attached to `net`.
    """

    def __init__(self, net: nn.Module, tap: Tap) -> None:
        super().__init__()
        self.net, self.tap = net, tap

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return tap_forward(self.net, x, self.tap)


def index_batches(n: int, batch_size: int, seed: int, epoch: int) -> Iterator[torch.Tensor]:
    """Shuffled index batches for one epoch (seeded by seed and epoch)."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1000 + epoch))
    for i in range(0, n, batch_size):
        yield order[i : i + batch_size]


@torch.no_grad()
def tap_outputs(model: nn.Module, x: Batched, an: Analysis, tap: Tap, batch_size: int = 256) -> torch.Tensor:
    """The tensor at `tap` for every pixel image in `x`, on the CPU."""
    parts = []
    with eval_mode(model):
        for i in range(0, len(x), batch_size):
            xb = normalize(x[i : i + batch_size].to(an.device), an.mean, an.std)
            parts.append(tap_forward(model, xb, tap).detach().cpu())
    return torch.cat(parts)


@torch.no_grad()
def read_probs(
    model: nn.Module,
    x: Batched,
    an: Analysis,
    tap: Tap | None = None,
    acts: torch.Tensor | None = None,
    batch_size: int = 256,
) -> np.ndarray:
    """Softmax of `model` on pixel images `x`, (n, K); with `tap` and `acts`, the tap's tensor is replaced by
    `acts` (another model's tensor read by this model's upper layers)."""
    out = []
    with eval_mode(model):
        for i in range(0, len(x), batch_size):
            xb = normalize(x[i : i + batch_size].to(an.device), an.mean, an.std)
            if tap is not None and acts is not None:
                logits = substitute_forward(model, xb, tap, acts[i : i + batch_size].to(an.device))
            else:
                logits = model(xb)
            out.append(logits.float().softmax(dim=1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)
