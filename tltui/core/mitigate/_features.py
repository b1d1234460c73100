"""Feature matching to a frozen teacher (DELTA, Renofeation): stages, the losses, and spatial dropout hooks."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from tltui.base.catalogue.mitigation import FeatureParams
from tltui.base.errors import MitigateError
from tltui.core import models as M
from tltui.core.hooks import capture
from tltui.core.train import ExtraLoss

RESNET_STAGES = ("layer1", "layer2", "layer3", "layer4")

Distance = Callable[[Mapping[str, torch.Tensor], Mapping[str, torch.Tensor]], torch.Tensor]


def stages(model: nn.Module, params: FeatureParams) -> list[str]:
    """The modules whose outputs are matched: `params.stages`, else ResNet `layer1`…`layer4` (as Renofeation
    matches), else every Conv2d."""
    modules = dict(model.named_modules())
    if params.stages is not None:
        bad = [n for n in params.stages if n not in modules]
        if bad:
            raise MitigateError(f"stages: no module named {', '.join(bad)}")
        return list(params.stages)
    if all(n in modules for n in RESNET_STAGES):
        return list(RESNET_STAGES)
    return M.conv_names(model)


def delta_stages(model: nn.Module, params: FeatureParams) -> list[str]:
    """DELTA's matched layers: `params.stages`, else on a ResNet the last conv of each stage's last block (the
    reference hooks layer1.2.conv3 … layer4.2.conv3 of ResNet-50), else every Conv2d."""
    modules = dict(model.named_modules())
    if params.stages is not None or not all(n in modules for n in RESNET_STAGES):
        return stages(model, params)
    convs = M.conv_names(model)
    out = []
    for stage in RESNET_STAGES:
        inside = [n for n in convs if n.startswith(stage + ".") and ".downsample" not in n]
        out.append(inside[-1] if inside else stage)
    return out


def feature_mse(student: Mapping[str, torch.Tensor], teacher: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """Σ over stages of the mean squared difference of the feature maps (0 exactly when they coincide)."""
    losses = [F.mse_loss(student[n], teacher[n].detach()) for n in teacher]
    if not losses:
        raise MitigateError("feature matching needs at least one stage")
    return torch.stack(losses).sum()


@contextmanager
def distillation(
    student: nn.Module,
    teacher: nn.Module,
    names: Sequence[str],
    alpha: float,
    distance: Distance = feature_mse,
) -> Iterator[ExtraLoss]:
    """An `extra_loss` for `train`: α · `distance` (default feature_mse) between the student's stage outputs on
    the batch and a frozen eval-mode copy of the teacher's. Hooks live only inside the block; the teacher itself
    is never touched."""
    frozen = copy.deepcopy(teacher).eval()
    for p in frozen.parameters():
        p.requires_grad_(False)

    with capture(student, names, detach=False) as s_feat, capture(frozen, names) as t_feat:

        def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
            frozen.to(x.device)
            with torch.no_grad():
                frozen(x)
            return alpha * distance(s_feat, t_feat)

        yield loss


@contextmanager
def spatial_dropout(model: nn.Module, names: Sequence[str], p: float) -> Iterator[None]:
    """Channel-wise (spatial) dropout on the output of each named module while the model trains, as fe_resnet.py
    drops after every stage; removed after. Enter it after `distillation`: hooks registered earlier (the feature
    capture) still see the output before the dropout, as the reference's `record_act` does."""
    modules = dict(model.named_modules())

    def hook(m: nn.Module, _a: tuple[torch.Tensor, ...], out: torch.Tensor) -> torch.Tensor:
        return F.dropout2d(out, p, training=m.training)

    handles = [modules[n].register_forward_hook(hook) for n in names]
    try:
        yield
    finally:
        for h in handles:
            h.remove()
