"""Mitigation methods (DESIGN §2.5): ReMoS slicing and its baselines, one module each, in one registry.

Every method is `run(an, params) -> Generator[Progress, None, nn.Module]`: it starts from a deep copy of the
teacher with a new head, trains on the target training data, and returns the mitigated model.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from torch import nn

from tltui.base.progress import Progress
from tltui.core.mitigate import delta, finetune, magprune, remos, renofeation, retrain
from tltui.core.mitigate.params import MitigateError, MitigateParams
from tltui.core.pipeline import Analysis

Method = Callable[[Analysis, MitigateParams], Generator[Progress, None, nn.Module]]

METHODS: dict[str, Method] = {
    "remos": remos.run,
    "finetune": finetune.run,
    "retrain": retrain.run,
    "magprune": magprune.run,
    "delta": delta.run,
    "renofeation": renofeation.run,
}

__all__ = ["METHODS", "Method", "MitigateError", "MitigateParams"]
