"""What an after-attack flag reads: the attacked models, their per-input results and the teacher-crafted inputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from tltui.base.rundir.shape import VariantMetrics
from tltui.base.rundir.shape_attacks import AutoAttackVariant
from tltui.base.study import Study
from tltui.core.images import Images


@dataclass
class FlagContext:
    """A diagnosis after its attacks: `adv_pred[name]` is each variant's prediction on its own white-box
    attack at the study's ε, `x_teacher_adv` the teacher-crafted test set, `autoattack` the AutoAttack preset's
    result per variant when the run has one (`[attack] preset = "autoattack"`)."""

    study: Study
    teacher: nn.Module
    models: dict[str, nn.Module]
    variants: dict[str, VariantMetrics]
    x: Images
    y: np.ndarray
    adv_pred: dict[str, np.ndarray]
    x_teacher_adv: Images
    device: torch.device
    mean: tuple[float, ...]
    std: tuple[float, ...]
    autoattack: Mapping[str, AutoAttackVariant] | None = None

    @property
    def n(self) -> int:
        return len(self.y)
