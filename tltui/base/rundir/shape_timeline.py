"""summary.json's `timeline` block: accuracy and DIR along each training run of a `--timeline N` job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:  # annotations only (postponed): no run-time dependency
    from typing_extensions import NotRequired


class TimelinePoint(TypedDict):
    """One evaluation along a training run: after `step` optimiser steps (`epoch` = step / steps per epoch)."""

    step: int
    epoch: float
    val_accuracy: float | None
    val_dir: float | None
    """DIR on the validation split (teacher-crafted validation inputs): what the checkpoint is chosen by."""
    test_accuracy: float
    test_dir: float


class TimelineRun(TypedDict):
    """One trained variant's timeline (tltui.core.timeline)."""

    variant: str
    method: str
    role: str
    """`method` or `baseline` (a single-seed run: `method`)."""
    group: str
    seed: int
    points: list[TimelinePoint]
    chosen: int | None
    """Index into `points` of the checkpoint the selection rule picks on validation (None without a split)."""
    kept: NotRequired[str]
    """The variant that checkpoint was saved as (`keep_best`)."""
    hypervolume: float
    """Area the run's test (accuracy, DIR) points dominate, from (0, 1): higher is better (docs/timeline.md)."""
    train_s: float
    eval_s: float


class TimelineBlock(TypedDict):
    """A `--timeline N` run's record: every trained variant's points, the teacher attack that was fixed once."""

    points: int
    attack: dict[str, Any]
    """The teacher attack's name and budget (crafted once on the validation and the test split)."""
    n_val: int
    n_test: int
    tolerance: float
    """The selection rule's accuracy tolerance (docs/timeline.md)."""
    runs: list[TimelineRun]
    overhead: float
    """Evaluation time over training time, all runs together."""
