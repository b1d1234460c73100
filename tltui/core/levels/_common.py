"""Shared plumbing for the levels: device resolution, batching and hooked forward passes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch import nn

from tltui.core.hooks import capture, eval_mode

EPS = 1e-12


def place(model: nn.Module, device: str | None) -> torch.device:
    """The device to run on: `device` if given (the model is moved there), else the model's own."""
    if device is not None:
        dev = torch.device(device)
        model.to(dev)
        return dev
    for p in model.parameters():
        return p.device
    for b in model.buffers():
        return b.device
    return torch.device("cpu")


def batches(x: torch.Tensor, batch_size: int) -> Iterator[torch.Tensor]:
    """Consecutive slices of `x` along the first axis."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    for i in range(0, x.shape[0], batch_size):
        yield x[i : i + batch_size]


def channel_means(t: torch.Tensor) -> torch.Tensor:
    """Per-image per-channel mean over all trailing (spatial) axes: (n, C, ...) -> (n, C)."""
    return t.flatten(2).mean(dim=2) if t.dim() > 2 else t.reshape(t.shape[0], -1)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A detached CPU numpy copy (bfloat16 and half become float32)."""
    t = t.detach().cpu()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    return t.numpy()


def collect(
    model: nn.Module,
    x: torch.Tensor,
    layers: Sequence[str],
    device: str | None,
    batch_size: int,
    *,
    inputs: bool = False,
) -> Iterator[dict[str, torch.Tensor]]:
    """Yield, per batch, each named layer's output (or input) under no_grad and eval mode.

    Consume it fully and never interleave two of them on one model: the mode and grad state are restored
    when the generator ends, in the order the generators end.
    """
    dev = place(model, device)
    with eval_mode(model), torch.no_grad(), capture(model, list(layers), inputs=inputs) as store:
        for xb in batches(x, batch_size):
            store.clear()
            model(xb.to(dev))
            missing = [n for n in layers if n not in store]
            if missing:
                raise ValueError(f"layer(s) never ran in the forward pass: {', '.join(missing)}")
            yield dict(store)


def as_targets(target: int | Sequence[int] | np.ndarray | torch.Tensor | None, n: int) -> torch.Tensor | None:
    """Per-image target classes as a long tensor of length n (None stays None: use the prediction)."""
    if target is None:
        return None
    t = torch.as_tensor(np.asarray(target), dtype=torch.long).reshape(-1)
    if t.numel() == 1:
        t = t.expand(n)
    if t.numel() != n:
        raise ValueError(f"target has {t.numel()} entries for {n} images")
    return t
