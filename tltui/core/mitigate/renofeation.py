"""Baseline `renofeation` (Chin et al.): re-initialise, then train with feature distillation from the frozen
teacher while spatial dropout hits the feature maps entering every stage after the first."""

from __future__ import annotations

from collections.abc import Generator

from torch import nn

from tltui.base.catalogue.mitigation import RenofeationParams
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.mitigate._features import distillation, spatial_dropout, stages
from tltui.core.mitigate._student import fit, new_student


def run(an: Analysis, params: RenofeationParams) -> Generator[Progress, None, nn.Module]:
    """Re-initialise (seeded), then train on the scratch schedule with cross-entropy + `feature_alpha` × the feature MSE to the teacher,
    with `renofeation_dropout` channel dropout (training only; the hooks are gone afterwards)."""
    student, head, schedule = new_student(an, params, fresh=True)
    names = stages(an.teacher, params)
    with (
        spatial_dropout(student, names[1:], params.renofeation_dropout),
        distillation(student, an.teacher, names, params.feature_alpha) as loss,
    ):
        return (yield from fit(an, student, head, schedule, phase="renofeation", extra_loss=loss))
