"""Forward-hook helpers that always remove their hooks and restore the model's train/eval mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Put `model` in eval mode for the block, then restore whatever mode it had."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


@contextmanager
def capture(
    model: nn.Module, names: Sequence[str], *, inputs: bool = False, detach: bool = True
) -> Iterator[dict[str, torch.Tensor]]:
    """Record the output (or first input, with `inputs=True`) of each named submodule on every forward.

    The dict is refilled on each forward pass; hooks are removed when the block exits, even on error.
    """
    modules = dict(model.named_modules())
    missing = [n for n in names if n not in modules]
    if missing:
        raise KeyError(f"no such module(s): {', '.join(missing)}")
    store: dict[str, torch.Tensor] = {}
    handles = []

    def make(name: str) -> Callable[[nn.Module, tuple[torch.Tensor, ...], torch.Tensor], None]:
        def hook(_m: nn.Module, args: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
            t = args[0] if inputs else out
            store[name] = t.detach() if detach else t

        return hook

    try:
        for n in names:
            handles.append(modules[n].register_forward_hook(make(n)))
        yield store
    finally:
        for h in handles:
            h.remove()


def logits_and_features(model: nn.Module, x: torch.Tensor, head: str) -> tuple[torch.Tensor, torch.Tensor]:
    """One forward pass returning the logits and the penultimate features (the input of the `head` layer)."""
    with capture(model, [head], inputs=True, detach=False) as store:
        logits = model(x)
    return logits, torch.flatten(store[head], 1)
