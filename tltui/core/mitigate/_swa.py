"""Stochastic weight averaging as Renofeation runs it (torchcontrib's SWA, `--swa --swa_start 0 --swa_freq 500
--const_lr`): snapshots at a fixed step interval, averaged equally, then batch-norm statistics recomputed."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from tltui.core.data import Split, normalize

SNAPSHOTS = 60
"""The reference averages every 500 of 30000 iterations: 60 snapshots, whatever the data size here."""


def snapshot_interval(n_images: int, batch_size: int, epochs: int) -> int:
    """Steps between snapshots so that the phase takes `SNAPSHOTS` of them (every step on a short phase)."""
    steps = epochs * math.ceil(n_images / batch_size)
    return max(1, steps // SNAPSHOTS)


class Averager:
    """An `after_step` callback: every `every` optimiser steps, folds the parameters into their running mean
    (torchcontrib's `update_swa`: the first snapshot is taken as it is, the n-th weighs 1/n)."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.steps = 0
        self.count = 0
        self.mean: dict[str, torch.Tensor] = {}

    def __call__(self, model: nn.Module) -> None:
        self.steps += 1
        if self.steps % self.every:
            return
        self.count += 1
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name not in self.mean:
                    self.mean[name] = p.detach().clone()
                else:
                    self.mean[name] += (p.detach() - self.mean[name]) / self.count

    def swap_in(self, model: nn.Module) -> None:
        """Load the average into `model` (`swap_swa_sgd`); nothing happens when no snapshot was taken."""
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name in self.mean:
                    p.copy_(self.mean[name])


@torch.no_grad()
def recompute_bn(
    model: nn.Module,
    split: Split,
    mean: tuple[float, ...],
    std: tuple[float, ...],
    device: torch.device,
    batch_size: int,
    forward: Callable[[torch.Tensor], object] | None = None,
) -> int:
    """Reset every batch norm's running statistics and recompute them as a cumulative average over one pass of
    the training data in train mode (the reference's loop after `swap_swa_sgd`); returns the layers reset."""
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    if not norms:
        return 0
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    was = model.training
    model.train()
    try:
        for i in range(0, len(split), batch_size):
            x = normalize(split.images[i : i + batch_size], mean, std).to(device)
            (forward or model)(x)
    finally:
        model.train(was)
        for m, momentum in zip(norms, momenta, strict=True):
            m.momentum = momentum
    return len(norms)
