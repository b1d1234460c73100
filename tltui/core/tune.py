"""`--tune-baseline`: the baseline's learning rate (and epochs) picked from the study's [tuning] grid by accuracy on
the validation split, so a method is never compared with an undertrained baseline (docs/mitigation.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
from torch import nn

from tltui.base.catalogue import Entry
from tltui.base.errors import ParamError
from tltui.base.progress import Progress
from tltui.base.rundir.shape import TuningCandidate, TuningRecord
from tltui.core.analysis import Analysis
from tltui.core.evaluate import predict


def candidates(settings: Any, grid_lr: tuple[float, ...], grid_epochs: tuple[float, ...]) -> list[Any]:
    """`settings` at every (lr, epochs) of the grid, lr first; no epochs grid: the settings' own epochs."""
    epochs: tuple[int | None, ...] = tuple(int(e) for e in grid_epochs) or (settings.epochs,)
    return [dataclasses.replace(settings, lr=lr, epochs=ep, seeds=1) for lr in grid_lr for ep in epochs]


def val_accuracy(an: Analysis, model: nn.Module) -> float:
    """Top-1 accuracy on the study's validation split (carved from the training images, never the test set)."""
    assert an.data.val is not None
    pred, _, _ = predict(model, an.data.val.x, an.mean, an.std, device=an.device, batch_size=512)
    return float(np.mean(pred == an.data.val.y.numpy()))


def tune(
    an: Analysis, baseline: Entry, settings: Any, log: Callable[[str], None]
) -> Generator[Progress, None, tuple[TuningRecord, nn.Module]]:
    """Train `baseline` (the method's matched baseline entry, at `settings`, its seed) once per grid point, keep the
    one most accurate on the validation split (the first of equals: the grid's order); returns the record and that
    model, which is the baseline itself at the chosen recipe (the caller reuses it rather than train it again)."""
    if an.data.val is None or len(an.data.val) == 0:
        raise ParamError(
            "--tune-baseline needs a validation split: set [data] val_fraction above 0 in the study"
        )
    grid = an.study.tuning
    run = baseline.load()
    tried: list[TuningCandidate] = []
    best: tuple[float, nn.Module] | None = None
    for i, one in enumerate(candidates(settings, grid.lr, grid.epochs)):
        yield Progress("tune baseline", i, len(grid.lr) * max(1, len(grid.epochs)), f"lr {one.lr}")
        model = yield from run(an, one)
        acc = val_accuracy(an, model)
        tried.append(TuningCandidate(lr=one.lr, epochs=one.epochs, val_accuracy=acc))
        log(
            f"tuning {baseline.name}: lr {one.lr}, epochs {one.epochs or 'the method’s'}: val accuracy {acc:.4f}"
        )
        if best is None or acc > best[0]:
            best = (acc, model.cpu())
    assert best is not None
    chosen = max(tried, key=lambda c: c["val_accuracy"])  # max keeps the first of equals, as the loop did
    record = TuningRecord(
        trained=baseline.name,
        seed=int(settings.seed),
        split="validation",
        n_val=len(an.data.val),
        grid={"lr": list(grid.lr), "epochs": list(grid.epochs)},
        candidates=tried,
        chosen=chosen,
    )
    log(f"tuned: lr {chosen['lr']}, epochs {chosen['epochs'] or 'the method’s'} (val accuracy {best[0]:.4f})")
    return record, best[1]
