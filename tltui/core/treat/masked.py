"""Adam on a regression model whose weights may move only inside masks; every other element stays bit-identical."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch
from torch import nn

from tltui.base.catalogue.treatment import TreatParams
from tltui.base.progress import Progress
from tltui.core.hooks import eval_mode
from tltui.core.train import Schedule
from tltui.core.treat._common import index_batches
from tltui.core.treat.slicing import Masks
from tltui.core.watch import TrainingWatcher

Part = tuple[torch.Tensor, Masks]
"""One term of a batch's loss and the weight masks its gradient may reach (Dare: one term per class)."""


def train_masked(
    model: nn.Module,
    masks: Masks,
    free: list[str],
    n: int,
    parts: Callable[[torch.Tensor], list[Part]],
    settings: TreatParams,
    *,
    epochs: int,
    lr: float,
    phase: str,
    watcher: TrainingWatcher | None = None,
) -> Iterator[Progress]:
    """Minimise the sum of `parts(batch indices)` with Adam over the masked weights and the `free` parameters
    (biases, norm affines). Each part's gradient is masked by its own masks; after every step the elements
    outside `masks` (the union of the parts' masks) are restored, so they stay bit-identical; every other
    parameter is frozen. Runs in eval mode: batch-norm statistics are not updated. `epochs` and `lr` are the
    treatment's defaults, used where `settings` leaves them unset. A job recording its timeline (`watcher`, the
    analysis's) evaluates `model` after the steps it asks for (docs/timeline.md)."""
    epochs = settings.epochs if settings.epochs is not None else epochs
    lr = settings.lr if settings.lr is not None else lr
    steps = Schedule(epochs=epochs, lr=lr, batch_size=settings.train_batch_size, seed=settings.seed)
    after = watcher.watch(model, steps, n, None) if watcher is not None else None
    params = dict(model.named_parameters())
    names = list(masks) + [k for k in free if k not in masks and k in params]
    dev = next(iter(params.values())).device
    union = {k: m.to(dev) for k, m in masks.items()}
    frozen = {k: params[k].detach().clone() for k in masks}
    was = {k: p.requires_grad for k, p in params.items()}
    for k, p in params.items():
        p.requires_grad_(k in names)
    opt = torch.optim.Adam([params[k] for k in names], lr=lr)
    try:
        with eval_mode(model):
            for epoch in range(epochs):
                total, count = 0.0, 0
                for idx in index_batches(n, settings.train_batch_size, settings.seed, epoch):
                    opt.zero_grad(set_to_none=True)
                    for loss, part_masks in parts(idx):
                        grads = torch.autograd.grad(loss, [params[k] for k in names], allow_unused=True)
                        for k, g in zip(names, grads, strict=True):
                            if g is None:
                                continue
                            if k in masks:
                                g = g * part_masks[k].to(dev) if k in part_masks else torch.zeros_like(g)
                            p = params[k]
                            p.grad = g if p.grad is None else p.grad + g
                        total += float(loss.detach()) * len(idx)
                    opt.step()
                    with torch.no_grad():
                        for k, m in union.items():
                            params[k].copy_(torch.where(m, params[k], frozen[k]))
                    if after is not None:
                        after(model)
                    count += len(idx)
                yield Progress(phase, epoch + 1, epochs, f"loss {total / max(count, 1):.5f}")
    finally:
        for k, p in params.items():
            p.requires_grad_(was[k])


def changed_fraction(before: dict[str, torch.Tensor], model: nn.Module, names: list[str]) -> tuple[int, int]:
    """(elements changed, elements in all) over the named weights, comparing `model` with `before`."""
    params = dict(model.named_parameters())
    changed = sum(int((params[k].detach().cpu() != before[k].cpu()).sum()) for k in names)
    return changed, sum(before[k].numel() for k in names)
