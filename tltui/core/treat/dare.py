"""Dare (TOSEM 2024): regress the lower layers towards better candidates' tensors on held-out inputs, per slice."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from tltui.base.catalogue.treatment import DareParams
from tltui.base.errors import StudyError
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.data import Split, normalize
from tltui.core.data import subset as data_subset
from tltui.core.treat._common import (
    RegressionModel,
    Tap,
    clone_variant,
    read_probs,
    resolve_tap,
    tap_outputs,
    train_split,
)
from tltui.core.treat.masked import Part, train_masked
from tltui.core.treat.pool import Candidate, candidate_pool, select_targets
from tltui.core.treat.slicing import Masks, class_slices, fold, keep_fractions, profile, union

EPOCHS = 10
LR = 1e-4


def holdout(y: torch.Tensor, share: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(fit, held) indices: per class, a seeded random `share` of its inputs is held out (at least one, and at
    least one left to fit on, where the class has two)."""
    gen = torch.Generator().manual_seed(seed)
    fit, held = [], []
    for k in torch.unique(y).tolist():
        idx = torch.nonzero(y == k).flatten()
        idx = idx[torch.randperm(len(idx), generator=gen)]
        n = min(max(round(share * len(idx)), 1), max(len(idx) - 1, 1))
        held.append(idx[:n])
        fit.append(idx[n:])
    return torch.cat(fit).sort().values, torch.cat(held).sort().values


def subset(split: Split, idx: torch.Tensor) -> Split:
    """The instances at `idx`: a view of the split's images (its uint8 cache is not copied as float)."""
    return data_subset(split, idx.numpy())


@dataclass
class Plan:
    """What Dare trains: the repair set (held-out inputs), their targets and sources, the slices, the keys."""

    held: Split
    repair: torch.Tensor
    """Indices into `held` of the inputs to repair."""
    targets: torch.Tensor
    """The tap tensor each repaired input is regressed to (row i for repair[i])."""
    sources: list[str]
    """Per repaired input, the candidate its target came from."""
    slices: list[Masks]
    keys: torch.Tensor
    """(K, C) bool: per class, the tap's key neurons (those in the per-sample loss)."""
    trainable: list[str]
    own_right: int
    """How many repaired inputs the variant already classified right (repaired for more confidence)."""


def plan(an: Analysis, params: DareParams, model: nn.Module, tap: Tap) -> Generator[Progress, None, Plan]:
    """The held-out split, the pool, the repair set and targets (get_ats.py), the per-class slices (NNSlicer,
    profiled on the fit part) and the key neurons."""
    split = train_split(an, "dare")
    fit_idx, held_idx = holdout(split.y, params.held_out, params.seed)
    fit, held = subset(split, fit_idx), subset(split, held_idx)
    own_acts = tap_outputs(model, held.images, an, tap)  # profiles read the uint8 cache a batch at a time
    pool: list[Candidate] = yield from candidate_pool(an, params, model, tap, fit, held, own_acts)
    if not pool:
        raise StudyError(
            f"dare: no candidate can supply targets for '{params.variant}' (no build checkpoints in the "
            f"workspace{'' if params.pool == 'all' else '; --pool all adds the other variants and the teacher'})"
        )
    own = read_probs(model, held.images, an)
    y = held.y.numpy()
    source = select_targets(own, y, [c.probs for c in pool])
    repair = torch.as_tensor(np.flatnonzero(source >= 0))
    if len(repair) == 0:
        raise StudyError(
            f"dare: no candidate is more confident than '{params.variant}' on any held-out input"
        )
    targets = torch.stack([pool[source[i]].acts[i] for i in repair.tolist()])
    chain = profile(model, fit.images, an, tap)
    slices, contribs = class_slices(model, chain, fit.y, split.num_classes, params.slice_cut)
    keys = torch.stack([fold(c.unsqueeze(0), own_acts.shape[1])[0] > 0 for c in contribs])
    keys[~keys.any(dim=1)] = True
    right = int((own.argmax(axis=1) == y)[repair.numpy()].sum())
    return Plan(held, repair, targets, [pool[source[i]].name for i in repair.tolist()], slices, keys,
                chain.trainable, right)  # fmt: skip


def _counts(names: list[str]) -> str:
    uniq, n = np.unique(np.array(names), return_counts=True)
    return ", ".join(
        f"{u}: {c}" for u, c in sorted(zip(uniq.tolist(), n.tolist(), strict=True), key=lambda t: -t[1])
    )


def key_mse(out: torch.Tensor, target: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
    """Per sample, the mean squared error over its key neurons (all positions of a key channel): (B,)."""
    w = key.view(*key.shape, *([1] * (out.dim() - 2))).expand_as(out).float()
    return ((out - target) ** 2 * w).flatten(1).sum(dim=1) / w.flatten(1).sum(dim=1).clamp_min(1.0)


def run(an: Analysis, params: DareParams) -> Generator[Progress, None, nn.Module]:
    """Dare on a copy of the variant: only the repair set is trained, each input's gradient through its class's
    slice; the layers after the tap (the original head) never run in training and stay attached."""
    model = clone_variant(an, params.variant)
    tap = resolve_tap(model, params.layer)
    p: Plan = yield from plan(an, params, model, tap)
    n_rep = len(p.repair)
    yield Progress(
        "dare repair set", 1, 1,
        f"held out {len(p.held)} training inputs; repair set {n_rep} ({n_rep - p.own_right} wrong, "
        f"{p.own_right} right but less confident); targets from {_counts(p.sources)}",
    )  # fmt: skip
    keep = ", ".join(f"{k} {v:.0%}" for k, v in keep_fractions(p.slices).items())
    yield Progress(
        "dare slices", 1, 1,
        f"slice keeps (mean over classes) {keep}; key neurons per class "
        f"{int(p.keys.sum(1).min())}–{int(p.keys.sum(1).max())} of {p.keys.shape[1]}",
    )  # fmt: skip
    reg = RegressionModel(model, tap)
    x = p.held.images[p.repair]  # read a batch at a time
    y = p.held.y[p.repair].to(an.device)
    t, keys = p.targets.to(an.device), p.keys.to(an.device)
    masks = union(p.slices)

    def parts(idx: torch.Tensor) -> list[Part]:
        xb = x[idx.cpu()].full().to(an.device)
        idx = idx.to(an.device)
        out: list[Part] = []
        for k in torch.unique(y[idx]).tolist():
            of_k = y[idx] == k
            sub = idx[of_k]
            err = key_mse(reg(normalize(xb[of_k], an.mean, an.std)), t[sub], keys[k].expand(len(sub), -1))
            out.append((err.sum() / len(idx), p.slices[k]))
        return out

    free = [k for k in p.trainable if k not in masks]
    yield from train_masked(
        model,
        masks,
        free,
        n_rep,
        parts,
        params,
        epochs=EPOCHS,
        lr=LR,
        phase="treat dare",
        watcher=an.timeline,
    )
    after = read_probs(model, x, an).argmax(axis=1)
    right = int((after == p.held.y[p.repair].numpy()).sum())
    yield Progress("treat dare", 1, 1, f"repair set classified right: {p.own_right} → {right} of {n_rep}")
    return model.eval()
