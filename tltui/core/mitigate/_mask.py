"""SeaM's mask search (qibinhang/SeaM, `src/defect_inherit/reengineer.py`): one real-valued score per conv weight
and bias, binarised at 0, learnt with Adam on cross-entropy + α · the kept-weight ratio, the weights frozen."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from tltui.base.progress import Progress

Batches = Callable[[], Iterable[tuple[torch.Tensor, torch.Tensor]]]
"""A fresh pass over (normalised inputs, labels) batches: called once per epoch."""


class Binarize(torch.autograd.Function):
    """1 where the score is positive, else 0; the gradient passes straight through, clipped to [−1, 1]
    (`nn_layers.py`'s `Binarization`: hardtanh of the incoming gradient)."""

    @staticmethod
    def forward(ctx: Any, scores: torch.Tensor) -> torch.Tensor:
        return (scores > 0).float()

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return F.hardtanh(grad)


def binarize(scores: torch.Tensor) -> torch.Tensor:
    out = Binarize.apply(scores)
    assert isinstance(out, torch.Tensor)
    return out


def new_scores(model: nn.Module, layers: Sequence[str]) -> dict[str, nn.Parameter]:
    """A score of 1 (kept) per weight and bias of each layer, keyed by the parameter's name (`conv1.weight`)."""
    out: dict[str, nn.Parameter] = {}
    for layer in layers:
        for kind in ("weight", "bias"):
            p = getattr(model.get_submodule(layer), kind, None)
            if isinstance(p, torch.Tensor):
                out[f"{layer}.{kind}"] = nn.Parameter(torch.ones_like(p, dtype=torch.float32))
    return out


def kept_ratio(scores: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """The fraction of masked parameters kept, differentiable through `Binarize` (`count_weight_ratio`)."""
    return binarize(torch.cat([s.flatten() for s in scores.values()])).mean()


def masked_forward(model: nn.Module, scores: Mapping[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """`model(x)` with each masked parameter multiplied by its binarised score (the model is not changed)."""
    weights = {n: model.get_parameter(n) * binarize(s) for n, s in scores.items()}
    out = functional_call(model, weights, (x,))
    assert isinstance(out, torch.Tensor)
    return out


@dataclass(frozen=True)
class MaskResult:
    """The search's outcome: the binary mask per masked parameter, what it keeps, and why the search stopped."""

    mask: dict[str, torch.Tensor]
    kept: float
    """Fraction of the masked parameters kept (the reference's weight ratio on the validation pass)."""
    epochs: int
    stop: str
    """`threshold` (the removed fraction reached `prune_threshold`), `early stop` or `epochs`."""
    val_acc: float


def _fix_bn(model: nn.Module) -> None:
    """Batch norms stay in eval mode while the masks learn (the reference's `fix_bn`)."""
    for m in model.modules():
        if "BatchNorm" in type(m).__name__:
            m.eval()


def _epoch(
    model: nn.Module,
    scores: Mapping[str, torch.Tensor],
    batches: Batches,
    alpha: float,
    opt: torch.optim.Optimizer | None,
) -> tuple[float, float]:
    """One pass: (accuracy, sample-weighted mean kept ratio); trains when given an optimiser."""
    correct, n, ratio_sum = 0, 0, 0.0
    for x, y in batches():
        if opt is not None:
            opt.zero_grad()
        logits = masked_forward(model, scores, x)
        ratio = kept_ratio(scores)
        if opt is not None:
            (F.cross_entropy(logits, y) + alpha * ratio).backward()
            opt.step()
        n += int(y.shape[0])
        correct += int((logits.argmax(dim=1) == y).sum().item())
        ratio_sum += float(ratio.item()) * int(x.shape[0])
    return correct / max(n, 1), ratio_sum / max(n, 1)


def learn_mask(
    model: nn.Module,
    head: str,
    layers: Sequence[str],
    train: Batches,
    val: Batches,
    *,
    lr: float,
    head_lr: float,
    alpha: float,
    threshold: float,
    epochs: int,
    patience: int,
) -> Generator[Progress, None, MaskResult]:
    """Learn the scores of `layers` (and train `head`) on `train`; after each epoch, on `val`: stop once the
    removed fraction reaches `threshold`, or after `patience` epochs without a better accuracy − kept ratio.

    The mask is the one the last epoch left: the reference keeps its "best" masks as the state-dict tensors of
    the live parameters, which its optimiser keeps updating, so that is what it returns too (docs/mitigation.md).
    `model`'s own weights are not changed; its head is trained in place.
    """
    scores = new_scores(model, layers)
    for p in model.parameters():
        p.requires_grad_(False)
    head_params = list(model.get_submodule(head).parameters())
    for p in head_params:
        p.requires_grad_(True)
    opt = torch.optim.Adam(
        [{"params": list(scores.values()), "lr": lr}, {"params": head_params, "lr": head_lr}]
    )
    best, waited, stop, acc, ratio, done = -1000.0, 0, "epochs", 0.0, 1.0, 0
    was_training = model.training
    try:
        for epoch in range(epochs):
            model.train()
            _fix_bn(model)
            _epoch(model, scores, train, alpha, opt)
            model.eval()
            with torch.no_grad():
                acc, ratio = _epoch(model, scores, val, alpha, None)
            done = epoch + 1
            yield Progress(
                "seam mask", done, epochs, f"keeps {ratio:.1%} of the conv weights, val acc {acc:.3f}"
            )
            if 1 - ratio >= threshold:
                stop = "threshold"
                break
            if acc - ratio > best:
                best, waited = acc - ratio, 0
            else:
                waited += 1
                if waited == patience:
                    stop = "early stop"
                    break
    finally:
        model.train(was_training)
        for p in model.parameters():
            p.requires_grad_(True)
    mask = {n: (s.detach() > 0).cpu() for n, s in scores.items()}
    return MaskResult(mask, ratio, done, stop, acc)


def kept_fraction(mask: Mapping[str, torch.Tensor]) -> float:
    """The fraction of the masked parameters a binary mask keeps (1.0 for no masked parameter)."""
    total = sum(int(m.numel()) for m in mask.values())
    return sum(int(m.sum()) for m in mask.values()) / total if total else 1.0


def apply_mask(model: nn.Module, mask: Mapping[str, torch.Tensor]) -> None:
    """Zero the parameters of `model` the mask removes, in place (step 3 starts from these; they may regrow)."""
    with torch.no_grad():
        for n, m in mask.items():
            p = model.get_parameter(n)
            p.mul_(m.to(p.device, p.dtype))
