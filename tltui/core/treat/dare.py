"""Dare (TOSEM 2024): regress a hidden layer towards the best available model's output, through a slice only."""

from __future__ import annotations

import copy
from collections.abc import Generator

import numpy as np
import torch
from torch import nn

from tltui.base.catalogue.treatment import TreatParams
from tltui.base.progress import Progress
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.data import Split, normalize
from tltui.core.hooks import eval_mode
from tltui.core.treat._common import (
    RegressionModel,
    Tap,
    clone_variant,
    read_probs,
    resolve_tap,
    substitute_forward,
    tap_outputs,
    train_split,
    true_prob,
)
from tltui.core.treat.slicing import backward_slice, layer_profiles, train_slice

EPOCHS = 10
LR = 1e-3


def candidates(an: Analysis, params: TreatParams, model: nn.Module) -> dict[str, nn.Module]:
    """Models that may supply regression targets: the variant itself, the teacher, the other variants, and
    any checkpoints given (loaded into a copy of the variant). Shape mismatches are filtered later."""
    found: dict[str, nn.Module] = {"self": model, "teacher": an.teacher}
    found.update({n: m for n, m in an.variants.items() if n != params.variant})
    for path in params.checkpoints:
        ck = copy.deepcopy(model)
        M.load_state_dict(ck, M.read_state_dict(path), source=str(path))
        found[path.name] = ck.to(an.device).eval()
    return found


def best_targets(
    an: Analysis, model: nn.Module, tap: Tap, split: Split, pool: dict[str, nn.Module]
) -> tuple[torch.Tensor, dict[str, int]]:
    """Per training input, the regression target at the tap: the variant's own tensor, except for the inputs the
    variant gets wrong that some candidate gets right when its tensor is read by the variant's own upper layers;
    those take the tensor of the candidate giving the true class the highest probability (the reference trains
    only on such "to repair" inputs; the others anchor the rest of the behaviour). Returns the targets and how
    many inputs each source supplied."""
    base = tap_outputs(model, split.x, an, tap)
    best = base.clone()
    y = split.y.numpy()
    own = read_probs(model, split.x, an)
    best_p, wrong = true_prob(own, split.y), own.argmax(axis=1) != y
    source = np.zeros(len(split), dtype=np.int64)
    names = list(pool)
    for j, name in enumerate(names[1:], start=1):
        try:
            acts = tap_outputs(pool[name], split.x, an, tap)
        except Exception:  # a different architecture without this layer cannot supply targets
            continue
        if acts.shape != base.shape:
            continue
        probs = read_probs(model, split.x, an, tap, acts)
        p = true_prob(probs, split.y)
        better = wrong & (probs.argmax(axis=1) == y) & (p > best_p)
        best[torch.as_tensor(better)] = acts[torch.as_tensor(better)]
        best_p = np.where(better, p, best_p)
        source[better] = j
    return best, {names[j]: int(np.sum(source == j)) for j in range(len(names)) if np.any(source == j)}


def key_neurons(
    an: Analysis, model: nn.Module, tap: Tap, split: Split, batch_size: int = 256
) -> torch.Tensor:
    """(K, C) bool: per class, the tap's neurons whose first-order contribution to the true logit is positive,
    i.e. the mean over the class's training inputs of Σ_space ∂logit_y/∂a_c · (a_c − ā_c), ā the training mean."""
    acts = tap_outputs(model, split.x, an, tap)
    mean = acts.mean(dim=0, keepdim=True)
    total = torch.zeros(split.num_classes, acts.shape[1], device=an.device)
    with eval_mode(model), torch.enable_grad():
        for i in range(0, len(split), batch_size):
            xb = normalize(split.x[i : i + batch_size].to(an.device), an.mean, an.std)
            yb = split.y[i : i + batch_size].to(an.device)
            a = acts[i : i + batch_size].to(an.device).requires_grad_(True)
            logits = substitute_forward(model, xb, tap, a)
            (g,) = torch.autograd.grad(logits.gather(1, yb.view(-1, 1)).sum(), a)
            contrib = g * (a.detach() - mean.to(an.device))
            total.index_add_(0, yb, contrib.flatten(2).sum(2) if contrib.dim() > 2 else contrib)
    return (total > 0).cpu()


def run(an: Analysis, params: TreatParams) -> Generator[Progress, None, nn.Module]:
    """Dare on a copy of the variant: targets from the best model per input, MSE on key neurons, slice-only
    updates; the layers after the tap (the original head) are never trained and stay attached."""
    model = clone_variant(an, params.variant)
    split = train_split(an, "dare")
    tap = resolve_tap(model, params.layer)
    yield Progress("dare targets", 0, 2, f"{tap.module}{' (input)' if tap.inputs else ''}")
    targets, won = best_targets(an, model, tap, split, candidates(an, params, model))
    yield Progress("dare targets", 1, 2, ", ".join(f"{k}: {v}" for k, v in won.items()))
    key = key_neurons(an, model, tap, split)
    masks = backward_slice(model, layer_profiles(model, split.x, an, tap), key.any(dim=0), params.slice_ratio)
    n_slice = sum(int(m.sum()) for m in masks.values())
    n_all = sum(m.numel() for m in masks.values())
    yield Progress(
        "dare targets", 2, 2, f"slice {n_slice}/{n_all} weights, {int(key.any(0).sum())} key neurons"
    )
    reg = RegressionModel(model, tap)
    x_dev, y_dev, t_dev = split.x.to(an.device), split.y.to(an.device), targets.to(an.device)
    key_dev = key.to(an.device).float()

    def loss_fn(idx: torch.Tensor) -> torch.Tensor:
        idx = idx.to(an.device)
        out = reg(normalize(x_dev[idx], an.mean, an.std))
        w = key_dev[y_dev[idx]].view(len(idx), -1, *([1] * (out.dim() - 2))).expand_as(out)
        return ((out - t_dev[idx]) ** 2 * w).sum() / w.sum().clamp_min(1.0)

    yield from train_slice(
        model, masks, len(split), loss_fn, params, epochs=EPOCHS, lr=LR, phase="treat dare"
    )
    return model.eval()
