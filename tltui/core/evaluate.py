"""Batched inference and batched attacks over a whole split, keeping data on the device between batches."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Protocol

import numpy as np
import torch
from torch import nn

from tltui.base.progress import Progress
from tltui.core.attacks.engine import AttackConfig
from tltui.core.data import normalize
from tltui.core.hooks import capture, eval_mode
from tltui.core.images import Images


class PixelModel(nn.Module):
    """A classifier that takes pixel images in [0,1]: normalisation folded in front of `net`."""

    def __init__(self, net: nn.Module, mean: tuple[float, ...], std: tuple[float, ...]) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1))

    mean: torch.Tensor
    std: torch.Tensor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)


def predict(
    model: nn.Module,
    x: torch.Tensor | Images,
    mean: tuple[float, ...],
    std: tuple[float, ...],
    *,
    device: torch.device,
    batch_size: int = 512,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted class, its softmax confidence, and the full softmax, for pixel images `x`."""
    preds, confs, probs = [], [], []
    with eval_mode(model), torch.no_grad():
        for xb in Images.of(x).stream(batch_size, device):
            xb = normalize(xb, mean, std)
            p = model(xb).float().softmax(dim=1)
            c, k = p.max(dim=1)
            preds.append(k)
            confs.append(c)
            probs.append(p)
    return (
        torch.cat(preds).cpu().numpy(),
        torch.cat(confs).cpu().numpy(),
        torch.cat(probs).cpu().numpy(),
    )


def feature_fn(
    model: nn.Module, head: str, mean: tuple[float, ...], std: tuple[float, ...]
) -> Callable[..., torch.Tensor]:
    """φ(x): pixel images → penultimate features (the input of the head), differentiable."""

    def phi(x: torch.Tensor) -> torch.Tensor:
        with capture(model, [head], inputs=True, detach=False) as store:
            model(normalize(x, mean, std))
        return torch.flatten(store[head], 1)

    return phi


def shard_bounds(n: int, batch_size: int) -> list[tuple[int, int]]:
    """The fixed shards of a split: batches of `batch_size` in order, whatever executes them (docs/distributed.md)."""
    return [(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


def attack_shard(
    run: Callable[..., torch.Tensor],
    target: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor | None,
    cfg: AttackConfig,
    *,
    device: torch.device,
    seed: int,
) -> torch.Tensor:
    """One shard of an attack, seeded by `seed` alone: the same images on any executor and any worker."""
    gen = torch.Generator(device=device).manual_seed(seed)
    xb = x.to(device, non_blocking=True)
    if device.type == "cuda":
        xb = xb.contiguous(memory_format=torch.channels_last)
    # The global generator is the shard's own too (the torchattacks adapters reseed it from `gen`) and is
    # restored after: what runs after the attacks sees the same state whether shards ran here or on Ray.
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        if y is None:
            adv = run(target, xb, cfg, generator=gen)
        else:
            adv = run(target, xb, y.to(device), cfg, generator=gen)
    return adv.detach()


def prepare_target(target: Callable[[torch.Tensor], torch.Tensor], device: torch.device) -> None:
    """channels_last for a model attacked on CUDA (faster convolutions; the same numbers up to bf16)."""
    if device.type == "cuda" and isinstance(target, nn.Module):
        target.to(memory_format=torch.channels_last)


def attack_split(
    run: Callable[..., torch.Tensor],
    target: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor | Images,
    y: torch.Tensor | None,
    cfg: AttackConfig,
    *,
    device: torch.device,
    batch_size: int = 512,
    seed: int = 0,
    phase: str = "attack",
) -> Callable[[Sink], Generator[Progress, None, None]]:
    """An attack over a whole split in shards, each shard's adversarial images written to a sink as it is done
    (nothing holds the whole set).

    `target` is the logits function (white-box attacks, with labels `y`) or the feature function (teacher
    attacks, `y` None). Shard `b` is seeded with `seed + b`, so results do not depend on the batch size's history
    nor on which executor runs the shards (docs/distributed.md)."""
    images = Images.of(x)

    def into(sink: Sink) -> Generator[Progress, None, None]:
        prepare_target(target, device)
        bounds = shard_bounds(len(images), batch_size)
        for b, ((lo, hi), xb) in enumerate(zip(bounds, images.stream(batch_size, device), strict=True)):
            yb = None if y is None else y[lo:hi]
            sink.write(attack_shard(run, target, xb, yb, cfg, device=device, seed=seed + b))
            yield Progress(phase, b + 1, len(bounds))

    return into


class Sink(Protocol):
    """Where a batched attack puts each batch (the adversarial cache's writer)."""

    def write(self, batch: torch.Tensor) -> None: ...
