"""Baseline `magprune`: global magnitude pruning of the conv weights, then fine-tuning with the mask kept."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

import numpy as np
import torch
from torch import nn

from tltui.base.catalogue.mitigation import PruneParams
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.mitigate._student import fit, new_student, scope_layers
from tltui.core.mitigate.remos import apply_mask, slice_mask


def magnitude_mask(model: nn.Module, layers: Sequence[str], ratio: float) -> dict[str, np.ndarray]:
    """True for the round(ratio × N) in-scope conv weights of smallest |w| (ties in layer, then index order)."""
    mags = {n: _weight(model, n).detach().abs().double().cpu().numpy() for n in layers}
    return slice_mask(mags, ratio)


def _weight(model: nn.Module, name: str) -> torch.Tensor:
    w = model.get_submodule(name).weight
    assert isinstance(w, torch.Tensor)
    return w


def keep_pruned(model: nn.Module, mask: dict[str, np.ndarray]) -> Callable[[nn.Module], None]:
    """An `after_step` hook that puts the pruned weights back to zero after every optimiser step."""
    cut = {n: torch.from_numpy(m) for n, m in mask.items()}

    def after_step(_model: nn.Module) -> None:
        with torch.no_grad():
            for n, m in cut.items():
                w = _weight(model, n)
                w.masked_fill_(m.to(w.device), 0.0)

    return after_step


def run(an: Analysis, params: PruneParams) -> Generator[Progress, None, nn.Module]:
    """Zero the `ratio` smallest-magnitude in-scope conv weights, then fine-tune keeping them at zero."""
    student, head, schedule = new_student(an, params)
    layers = scope_layers(an.teacher, params)
    mask = magnitude_mask(student, layers, params.ratio)
    apply_mask(student, mask)
    return (
        yield from fit(an, student, head, schedule, phase="magprune", after_step=keep_pruned(student, mask))
    )
