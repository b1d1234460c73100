"""Attack registries, resolved from the catalogue: white-box attacks on a classifier, teacher-only attacks for DIR."""

from __future__ import annotations

from collections.abc import Callable

import torch

from tltui.base import catalogue
from tltui.base.catalogue import attacks as catalogue_attacks
from tltui.core.attacks.engine import AttackConfig

# name -> run(forward, x, y, cfg, generator=None) -> x_adv; forward maps pixel images to logits.
WhiteBoxAttack = Callable[..., torch.Tensor]
ATTACKS: dict[str, WhiteBoxAttack] = {name: e.load() for name, e in catalogue.ATTACKS.items()}

# name -> run(features, x, cfg, generator=None) -> x_adv; features maps pixel images to penultimate features.
TEACHER_ATTACKS: dict[str, Callable[..., torch.Tensor]] = {
    name: e.load() for name, e in catalogue.TEACHER_ATTACKS.items()
}

# name -> run(logits, x, cfg, generator=None) -> x_adv; logits is the teacher's pixel-space classifier.
TEACHER_LOGIT_ATTACKS: dict[str, Callable[..., torch.Tensor]] = {
    name: e.load() for name, e in catalogue_attacks.TEACHER_LOGIT_ATTACKS.items()
}

__all__ = ["ATTACKS", "TEACHER_ATTACKS", "TEACHER_LOGIT_ATTACKS", "AttackConfig"]
