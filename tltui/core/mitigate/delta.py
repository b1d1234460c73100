"""Baseline `delta` as published (Li et al., ICLR 2019; lixingjian/DELTA, `--reg_type att_fea_map`), and
`delta-simple`, the plain feature-map MSE the Renofeation repository runs as its DELTA baseline.

Stages: `params.stages`, else on a ResNet the last conv of each stage (DELTA) or `layer1`…`layer4`
(delta-simple), else every in-scope Conv2d (the demo's four convs).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from functools import partial

import torch
from torch import nn

from tltui.base.catalogue.mitigation import DeltaParams, FeatureParams
from tltui.base.errors import MitigateError
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.mitigate._attention import (
    attention_distance,
    attention_weights,
    probe,
    removal_scores,
    scoring_batches,
)
from tltui.core.mitigate._features import delta_stages, distillation, stages
from tltui.core.mitigate._penalties import linear_l2
from tltui.core.mitigate._student import fit, new_student


def teacher_attention(
    an: Analysis, params: DeltaParams, names: list[str], n_classes: int
) -> dict[str, torch.Tensor]:
    """Per stage, the channel weights: the teacher with a linear probe on the target data, each channel's loss
    increase when removed over `attention_batches` batches, standardised, softmax(· / 5)."""
    assert an.data.train is not None
    scorer = probe(an, n_classes, params.seed, params.probe_epochs).to(an.device)
    batches = scoring_batches(an, an.data.train, params.seed, params.attention_batches)
    return {n: attention_weights(s) for n, s in removal_scores(scorer, batches, names).items()}


def run(an: Analysis, params: DeltaParams) -> Generator[Progress, None, nn.Module]:
    """Fine-tune from the teacher with CE + α · the attention-weighted feature distance + β·½‖head‖²."""
    student, head, schedule = new_student(an, params)
    names = delta_stages(an.teacher, params)
    n_classes = student.get_submodule(head).out_features
    assert isinstance(n_classes, int)
    yield Progress("delta attention", 0, 1, f"scoring the channels of {', '.join(names)}")
    weights = teacher_attention(an, params, names, n_classes)
    peak = ", ".join(f"{n} {float(w.max()):.2f}" for n, w in weights.items())
    yield Progress("delta attention", 1, 1, f"largest channel weight per stage: {peak}")
    distance = partial(_weighted, weights=weights)
    with distillation(student, an.teacher, names, params.feature_alpha, distance) as feature_loss:

        def loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
            value = feature_loss(model, x, y, logits)
            if not bool(torch.isfinite(value)):
                raise MitigateError(
                    f"delta: the feature distance diverged at α = {params.feature_alpha:g}: lower --feature-alpha"
                )
            return value + linear_l2([model.get_submodule(head)], params.beta).to(logits.device)

        return (yield from fit(an, student, head, schedule, phase="delta", extra_loss=loss))


def _weighted(
    student: Mapping[str, torch.Tensor],
    teacher: Mapping[str, torch.Tensor],
    *,
    weights: Mapping[str, torch.Tensor],
) -> torch.Tensor:
    return attention_distance(student, teacher, weights)


def run_simple(an: Analysis, params: FeatureParams) -> Generator[Progress, None, nn.Module]:
    """Fine-tune from the teacher with cross-entropy + `feature_alpha` × the feature-map MSE to the teacher."""
    student, head, schedule = new_student(an, params)
    names = stages(an.teacher, params)
    with distillation(student, an.teacher, names, params.feature_alpha) as loss:
        return (yield from fit(an, student, head, schedule, phase="delta-simple", extra_loss=loss))
