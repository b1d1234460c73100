"""Treatments of a variant (DESIGN §2.6): each a generator `run(an, params)` yielding Progress, returning a model."""

from __future__ import annotations

from collections.abc import Callable, Generator

from torch import nn

from tltui.base.progress import Progress
from tltui.core.pipeline import Analysis
from tltui.core.treat import dare, fmt, model_doctor
from tltui.core.treat.params import TreatParams

Treatment = Callable[[Analysis, TreatParams], Generator[Progress, None, nn.Module]]

TREATMENTS: dict[str, Treatment] = {
    "model-doctor": model_doctor.run,
    "dare": dare.run,
    "fmt": fmt.run,
}

__all__ = ["TREATMENTS", "TreatParams", "Treatment"]
