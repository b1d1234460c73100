"""Baseline `renofeation` (Chin et al.; cmu-enyac/Renofeation, scripts/Renofeation.sh): re-initialise, train with
feature distillation from the frozen teacher while spatial dropout hits the output of every stage and β·½‖w‖²
holds the Linear layers, then continue at half the rate with stochastic weight averaging."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace

import torch
from torch import nn

from tltui.base.catalogue.mitigation import RenofeationParams
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.mitigate._features import distillation, spatial_dropout, stages
from tltui.core.mitigate._penalties import linear_l2, linears
from tltui.core.mitigate._student import fit, new_student
from tltui.core.mitigate._swa import Averager, recompute_bn, snapshot_interval
from tltui.core.train import ExtraLoss, Schedule

SWA_LR_SCALE = 0.5
"""The reference's SWA phase runs at a constant 5·10⁻³ after training at 10⁻²."""


def swa_epochs(params: RenofeationParams, epochs: int) -> int:
    """The SWA phase's length: `swa_epochs`, else a third of the training (30000 after 90000 iterations)."""
    return params.swa_epochs if params.swa_epochs is not None else round(epochs / 3)


def run(an: Analysis, params: RenofeationParams) -> Generator[Progress, None, nn.Module]:
    """Re-initialise (seeded), train on the scratch schedule with CE + `feature_alpha` × the feature MSE to the
    teacher + β·½‖Linear‖², with `renofeation_dropout` channel dropout after every stage (training only), then the
    SWA phase; the hooks are gone afterwards."""
    assert an.data.train is not None
    student, head, schedule = new_student(an, params, fresh=True)
    names = stages(an.teacher, params)
    with (
        distillation(student, an.teacher, names, params.feature_alpha) as feature_loss,
        spatial_dropout(student, names, params.renofeation_dropout),
    ):

        def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
            return feature_loss(model, x, y, logits) + linear_l2(linears(model), params.beta).to(
                logits.device
            )

        yield from fit(an, student, head, schedule, phase="renofeation", extra_loss=loss)
        extra = swa_epochs(params, schedule.epochs)
        if extra > 0:
            yield from _swa(an, student, head, replace(schedule, epochs=extra), loss)
    return student.to(an.device).eval()


def _swa(
    an: Analysis, student: nn.Module, head: str, schedule: Schedule, loss: ExtraLoss
) -> Generator[Progress, None, None]:
    """Constant rate at SWA_LR_SCALE × the training's, snapshots averaged, batch norms recomputed after."""
    assert an.data.train is not None
    head_lr = None if schedule.head_lr is None else schedule.head_lr * SWA_LR_SCALE
    s = replace(schedule, lr=schedule.lr * SWA_LR_SCALE, head_lr=head_lr)
    every = snapshot_interval(len(an.data.train), s.batch_size, s.epochs)
    averager = Averager(every)
    yield from fit(an, student, head, s, phase="renofeation swa", extra_loss=loss, after_step=averager)
    averager.swap_in(student)
    reset = recompute_bn(student, an.data.train, an.mean, an.std, an.device, s.batch_size)
    yield Progress(
        "renofeation swa", 1, 1, f"snapshots averaged: {averager.count}; batch norms recomputed: {reset}"
    )
