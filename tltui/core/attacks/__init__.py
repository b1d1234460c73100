"""Attack registries: white-box attacks on a classifier, and teacher-only feature attacks for DIR."""

from __future__ import annotations

from collections.abc import Callable

import torch

from tltui.core.attacks import feature, fgsm, neuron, pgd, zoo
from tltui.core.attacks.engine import AttackConfig

# name -> run(forward, x, y, cfg, generator=None) -> x_adv; forward maps pixel images to logits.
WhiteBoxAttack = Callable[..., torch.Tensor]
ATTACKS: dict[str, WhiteBoxAttack] = {
    "pgd": pgd.run,
    "fgsm": fgsm.run,
    **{f"ta-{name}": zoo.adapter(name) for name in zoo.ZOO},
}

# name -> run(features, x, cfg, generator=None) -> x_adv; features maps pixel images to penultimate features.
TEACHER_ATTACKS: dict[str, Callable[..., torch.Tensor]] = {
    "feature": feature.run,
    "neuron": neuron.run,
}

__all__ = ["ATTACKS", "TEACHER_ATTACKS", "AttackConfig"]
