"""Baseline `delta`: fine-tuning with α · Σ_stages MSE(student, frozen teacher) feature maps (as Renofeation runs it).

The stages are `params.stages`, else ResNet `layer1`…`layer4`, else every in-scope Conv2d (the demo's four convs).
"""

from __future__ import annotations

from collections.abc import Generator

from torch import nn

from tltui.base.catalogue.mitigation import FeatureParams
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.mitigate._features import distillation, stages
from tltui.core.mitigate._student import fit, new_student


def run(an: Analysis, params: FeatureParams) -> Generator[Progress, None, nn.Module]:
    """Fine-tune from the teacher with cross-entropy + `feature_alpha` × the feature-map MSE to the teacher."""
    student, head, schedule = new_student(an, params)
    names = stages(an.teacher, params)
    with distillation(student, an.teacher, names, params.feature_alpha) as loss:
        return (yield from fit(an, student, head, schedule, phase="delta", extra_loss=loss))
