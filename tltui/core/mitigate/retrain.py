"""Baseline `retrain`: the teacher's architecture re-initialised, then trained on the target data."""

from __future__ import annotations

from collections.abc import Generator

from torch import nn

from tltui.base.catalogue.mitigation import MitigateParams
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis
from tltui.core.mitigate._student import fit, new_student


def run(an: Analysis, params: MitigateParams) -> Generator[Progress, None, nn.Module]:
    """Re-initialise every weight (seeded), then train on the study's scratch schedule (same epochs)."""
    student, head, schedule = new_student(an, params, fresh=True)
    return (yield from fit(an, student, head, schedule, phase="retrain"))
