"""What a training loop lets a job watch: a hook called after every optimiser step (the timeline's evaluations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from torch import nn

from tltui.core.train import Schedule

AfterStep = Callable[[nn.Module], None]


class TrainingWatcher(Protocol):
    """Set on an Analysis (`Analysis.timeline`): every `fit` of the job asks it for its `after_step` hook."""

    def watch(
        self, model: nn.Module, schedule: Schedule, n_train: int, after: AfterStep | None
    ) -> AfterStep | None:
        """The hook for a run about to train (`after` composed first), or `after` itself when not watching."""
        ...
