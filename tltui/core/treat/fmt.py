"""FMT (TOSEM 2024): counterfactual pairs that differ only in a sensitive attribute, regressed to agree."""

from __future__ import annotations

import math
from collections.abc import Generator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tltui.base.catalogue.treatment import TreatParams
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.data import Split, normalize
from tltui.core.fairness import Groups, demo_groups, study_groups
from tltui.core.treat._common import (
    RegressionModel,
    clone_variant,
    read_probs,
    resolve_tap,
    tap_outputs,
    train_split,
    true_prob,
)
from tltui.core.treat.slicing import backward_slice, layer_profiles, train_slice

EPOCHS = 10
LR = 1e-3
MAX_MORPH_STEPS = 3


def morph(x: torch.Tensor, dilate: bool) -> torch.Tensor:
    """Grayscale dilation (thicker strokes) or erosion (thinner) with a 3×3 cross: max/min of each pixel and
    its four neighbours."""
    pad = F.pad(x, (1, 1, 1, 1), mode="replicate")
    h, w = x.shape[-2:]
    shifts = torch.stack(
        [pad[..., 1 : h + 1, 1 : w + 1], pad[..., :h, 1 : w + 1], pad[..., 2:, 1 : w + 1],
         pad[..., 1 : h + 1, :w], pad[..., 1 : h + 1, 2:]]
    )  # fmt: skip
    return shifts.amax(dim=0) if dilate else shifts.amin(dim=0)


def flip_ink(x: torch.Tensor, g: np.ndarray, threshold: float) -> tuple[torch.Tensor, np.ndarray]:
    """Counterparts that differ in stroke weight: heavy images (g = 1) are eroded, light ones dilated, one step
    at a time (up to 3) until the ink mass crosses `threshold`. Returns them and which ones changed group."""
    heavy = torch.as_tensor(g == 1)
    out = x.clone()
    for _ in range(MAX_MORPH_STEPS):
        now = torch.as_tensor(demo_groups(out.numpy(), threshold) == g)
        if not bool(now.any()):
            break
        step = torch.where(heavy.view(-1, 1, 1, 1), morph(out, dilate=False), morph(out, dilate=True))
        out = torch.where(now.view(-1, 1, 1, 1), step, out)
    return out, demo_groups(out.numpy(), threshold) != g


def matched_counterparts(x: torch.Tensor, y: torch.Tensor, g: np.ndarray) -> torch.Tensor:
    """For CSV groups (no image operation flips them): each image's nearest neighbour in pixel space of the same
    class and the other group (an approximate counterfactual); itself when no such image exists."""
    flat = x.reshape(len(x), -1)
    out = x.clone()
    yn = y.numpy()
    for c in np.unique(yn):
        for grp in (0, 1):
            src = np.flatnonzero((yn == c) & (g == grp))
            dst = np.flatnonzero((yn == c) & (g != grp))
            if src.size and dst.size:
                d = torch.cdist(flat[torch.as_tensor(src)], flat[torch.as_tensor(dst)])
                out[torch.as_tensor(src)] = x[torch.as_tensor(dst[d.argmin(dim=1).numpy()])]
    return out


def counterfactuals(split: Split, groups: Groups) -> tuple[torch.Tensor, np.ndarray]:
    """Each training image's counterpart in the other group, and which pairs really differ in the attribute."""
    if groups.kind == "ink":
        return flip_ink(split.x, groups.train, groups.threshold)
    cf = matched_counterparts(split.x, split.y, groups.train)
    return cf, ~torch.all((cf == split.x).flatten(1), dim=1).numpy()


def sensitive_neurons(acts: torch.Tensor, acts_cf: torch.Tensor, ratio: float) -> torch.Tensor:
    """(C,) bool: the ⌈ratio·C⌉ neurons with the largest mean |activation change| across the pairs."""
    d = (acts - acts_cf).abs()
    per = d.flatten(2).mean(2) if d.dim() > 2 else d
    score = per.mean(dim=0)
    k = max(1, math.ceil(ratio * score.numel()))
    keep = torch.zeros(score.numel(), dtype=torch.bool)
    keep[score.argsort(descending=True, stable=True)[:k]] = True
    return keep


def run(an: Analysis, params: TreatParams) -> Generator[Progress, None, nn.Module]:
    """FMT on a copy of the variant: both members of each pair regressed (MSE at the tap) to the output of the
    member the original variant is more confident about; only the slice serving the sensitive neurons moves."""
    model = clone_variant(an, params.variant)
    split = train_split(an, "fmt")
    tap = resolve_tap(model, params.layer)
    yield Progress("fmt pairs", 0, 2)
    groups = study_groups(an)
    x_cf, flipped = counterfactuals(split, groups)
    yield Progress(
        "fmt pairs", 1, 2, f"{groups.kind} groups, {flipped.mean():.0%} of pairs flip the attribute"
    )
    acts, acts_cf = tap_outputs(model, split.x, an, tap), tap_outputs(model, x_cf, an, tap)
    sens = sensitive_neurons(acts, acts_cf, params.sensitive_ratio)
    use_cf = true_prob(read_probs(model, x_cf, an), split.y) > true_prob(
        read_probs(model, split.x, an), split.y
    )
    target = torch.where(torch.as_tensor(use_cf).view(-1, *([1] * (acts.dim() - 1))), acts_cf, acts)
    both = torch.cat([split.x, x_cf])
    masks = backward_slice(model, layer_profiles(model, both, an, tap), sens, params.slice_ratio)
    n_slice = sum(int(m.sum()) for m in masks.values())
    yield Progress("fmt pairs", 2, 2, f"{int(sens.sum())} sensitive neurons, slice {n_slice} weights")
    reg = RegressionModel(model, tap)
    x_dev, cf_dev, t_dev = split.x.to(an.device), x_cf.to(an.device), target.to(an.device)

    def loss_fn(idx: torch.Tensor) -> torch.Tensor:
        idx = idx.to(an.device)
        out = reg(normalize(torch.cat([x_dev[idx], cf_dev[idx]]), an.mean, an.std))
        return F.mse_loss(out, torch.cat([t_dev[idx], t_dev[idx]]))

    yield from train_slice(model, masks, len(split), loss_fn, params, epochs=EPOCHS, lr=LR, phase="treat fmt")
    return model.eval()
