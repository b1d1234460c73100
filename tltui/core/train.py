"""A small supervised training loop (seeded, deterministic on CPU) that yields progress per epoch; batches stream\nfrom the split's images (tltui/core/batches.py), never the whole split as one float tensor."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tltui.base.progress import Progress
from tltui.core.batches import batches
from tltui.core.data import Split, normalize
from tltui.core.scripted import is_scripted, refuse_changes

ExtraLoss = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Schedule:
    """How to train: optimiser, learning rates, epochs, batch size."""

    epochs: int = 30
    lr: float = 2e-3
    head_lr: float | None = None
    """A separate learning rate for the head (transfer learning: the new head learns faster)."""
    optimizer: str = "adam"
    """`adam` or `sgd` (plain SGD without momentum: the gentle fine-tune)."""
    momentum: float = 0.0
    weight_decay: float = 0.0
    batch_size: int = 64
    seed: int = 0
    augment: str = "none"
    """`none` or `crop-flip` (tltui.core.batches.AUGMENTS: random resized crop and flip, drawn from a generator
    of their own, so the shuffling is that of `none`)."""


def train(
    model: nn.Module,
    split: Split,
    mean: tuple[float, ...],
    std: tuple[float, ...],
    schedule: Schedule,
    *,
    device: torch.device,
    head: str | None = None,
    trainable: Callable[[str], bool] | None = None,
    extra_loss: ExtraLoss | None = None,
    frozen_eval: bool = False,
    phase: str = "train",
    after_step: Callable[[nn.Module], None] | None = None,
    after_epoch: Callable[[int, nn.Module], None] | None = None,
) -> Iterator[Progress]:
    """Train `model` in place with cross-entropy (+ `extra_loss(model, x, y, logits)`), one Progress per epoch.

    `trainable(name)` selects parameters by name (others are frozen); `frozen_eval` keeps the model in eval mode
    (a linear probe must not update the frozen backbone's batch-norm statistics); `after_step` runs after every
    optimiser step (e.g. to keep pruned weights at zero); `after_epoch(epoch, model)` after every epoch (1-based;
    e.g. to keep checkpoints).
    """
    if is_scripted(model):
        raise refuse_changes("train", "a model")
    torch.manual_seed(schedule.seed)
    gen = torch.Generator().manual_seed(schedule.seed)
    model.to(device)
    params_main: list[nn.Parameter] = []
    params_head: list[nn.Parameter] = []
    for name, p in model.named_parameters():
        if trainable is not None and not trainable(name):
            p.requires_grad_(False)
            continue
        p.requires_grad_(True)
        is_head = head is not None and (name == head or name.startswith(head + "."))
        (params_head if is_head and schedule.head_lr is not None else params_main).append(p)
    groups = [{"params": params_main, "lr": schedule.lr}]
    if params_head:
        groups.append({"params": params_head, "lr": schedule.head_lr})
    groups = [g for g in groups if g["params"]]
    opt: torch.optim.Optimizer
    if schedule.optimizer == "sgd":
        opt = torch.optim.SGD(
            groups, lr=schedule.lr, momentum=schedule.momentum, weight_decay=schedule.weight_decay
        )
    else:
        opt = torch.optim.Adam(groups, lr=schedule.lr, weight_decay=schedule.weight_decay)
    n = len(split)
    aug_gen = torch.Generator().manual_seed(schedule.seed + 1)
    was_training = model.training
    try:
        for epoch in range(schedule.epochs):
            model.train(not frozen_eval)
            order = torch.randperm(n, generator=gen)
            total, count = 0.0, 0
            stream = batches(
                split.images,
                split.y,
                order,
                schedule.batch_size,
                device,
                augment=schedule.augment,
                gen=aug_gen,
            )
            for pixels, y in stream:
                x = normalize(pixels, mean, std)
                logits = model(x)
                loss = F.cross_entropy(logits, y)
                if extra_loss is not None:
                    loss = loss + extra_loss(model, x, y, logits)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if after_step is not None:
                    after_step(model)
                total += float(loss.detach()) * len(y)
                count += len(y)
            if after_epoch is not None:
                after_epoch(epoch + 1, model)
            yield Progress(phase, epoch + 1, schedule.epochs, f"loss {total / max(count, 1):.4f}")
    finally:
        model.train(was_training)
        for p in model.parameters():
            p.requires_grad_(True)
