"""Baseline `finetune`: the teacher with a new head, every weight fine-tuned on the target data."""

from __future__ import annotations

from collections.abc import Generator

from torch import nn

from tltui.base.catalogue.mitigation import MitigateParams
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.mitigate._student import fit, new_student


def run(an: Analysis, params: MitigateParams) -> Generator[Progress, None, nn.Module]:
    """Plain fine-tuning from the teacher on the `base` recipe's schedule."""
    student, head, schedule = new_student(an, params)
    return (yield from fit(an, student, head, schedule, phase="finetune"))
