"""A toy mitigation method, added as one module plus one catalogue line (the plugin path a user would take).

It builds the student as the baselines do (the teacher with a new head), shrinks every body weight by `shrink`,
and fine-tunes briefly: enough to be a real variant of the demo that the whole diagnosis runs on.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from tltui.base import catalogue
from tltui.base.catalogue import Entry, param


@dataclass(frozen=True)
class ShrinkParams:
    """The toy's own parameters; `base` and `lr` are what the shared student builder reads."""

    shrink: float = param(
        0.5, label="shrink", help="fraction by which every body weight is scaled down", lo=0.0, hi=1.0
    )
    epochs: int | None = param(1, label="epochs", help="fine-tune epochs", lo=0)
    seed: int = param(0, label="seed", help="seeds the head and the training order", lo=0)
    lr: float | None = None
    base: str = "finetune"


def run(an: Any, params: ShrinkParams) -> Generator[Any, None, Any]:
    import torch

    from tltui.core.mitigate._student import fit, new_student

    student, head, schedule = new_student(an, params)
    with torch.no_grad():
        for name, p in student.named_parameters():
            if not name.startswith(head):
                p.mul_(1.0 - params.shrink)
    return (yield from fit(an, student, head, schedule, phase="toy shrink"))


catalogue.register(
    "mitigation",
    Entry("toy-shrink", "toy: shrink the teacher's body, then fine-tune", f"{__name__}:run", ShrinkParams),
)
