"""What a check reads: each model with a small labelled sample of its inputs, and how the study prepares them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from tltui.base.study import Study
from tltui.core.data import Split, StudyData, normalize
from tltui.core.hooks import eval_mode


class Found(NamedTuple):
    """One finding: the model it concerns (None: the study as a whole) and a one-line message."""

    model: str | None
    message: str


@dataclass
class Probe:
    """One model with the inputs the checks read: a few pixel images in [0, 1] on the device, and their labels
    in the model's own head order (None when the study has no labelled data for its task, e.g. a teacher without
    `[data] source_test`); `split` is that labelled data whole and `pred` the model's predictions on it, when the
    diagnosis made them anyway (clean-accuracy then costs nothing)."""

    name: str
    model: nn.Module
    x: torch.Tensor
    y: torch.Tensor | None
    classes: list[str] | None
    split: Split | None = None
    pred: np.ndarray | None = None


@dataclass
class CheckContext:
    """The study, its data and every model's probe, with the forward pass the pipeline itself runs."""

    study: Study
    data: StudyData
    probes: list[Probe]
    device: torch.device
    mean: tuple[float, ...]
    std: tuple[float, ...]
    notes: dict[str, Any] = field(default_factory=dict)
    """What one check leaves for another (e.g. which models' forward passes are randomised)."""

    def logits(
        self,
        p: Probe,
        x: torch.Tensor | None = None,
        mean: tuple[float, ...] | None = None,
        std: tuple[float, ...] | None = None,
    ) -> torch.Tensor:
        """`p.model`'s outputs on pixel images `x` (default: its probe's), normalised as the study does (or by
        `mean`/`std`), in eval mode and without gradients, as the diagnosis predicts."""
        x = p.x if x is None else x
        with eval_mode(p.model), torch.no_grad():
            return p.model(normalize(x, mean or self.mean, std or self.std)).float()

    def outputs(self, p: Probe) -> torch.Tensor:
        """`logits(p)` on its probe's images, computed once for every check that reads them."""
        key = f"outputs:{p.name}"
        if key not in self.notes:
            self.notes[key] = self.logits(p)
        return self.notes[key]


@contextmanager
def kept_buffers(models: list[nn.Module]) -> Iterator[None]:
    """Restore every buffer of `models` afterwards: a BatchNorm left in training mode updates its running
    statistics on each forward pass, and a check must not change the model it checks."""
    saved = [{k: b.detach().clone() for k, b in m.named_buffers()} for m in models]
    try:
        yield
    finally:
        with torch.no_grad():
            for m, state in zip(models, saved, strict=True):
                for k, b in m.named_buffers():
                    b.copy_(state[k])


def sample_of(y: torch.Tensor, k: int, seed: int) -> torch.Tensor:
    """Positions of a seeded stratified sample of `k` labels of `y` (all when fewer)."""
    from tltui.core.sampling import stratified_sample

    return torch.as_tensor(stratified_sample(np.asarray(y), k, seed), dtype=torch.long)
