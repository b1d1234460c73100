"""Running the checks: every model's probe, each registered check in turn, findings recorded for summary.json."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from tltui.base.catalogue.checks import CHECKS, FLAGS
from tltui.base.checklines import is_acknowledged
from tltui.base.rundir.shape_attacks import CheckFinding, ChecksBlock
from tltui.base.study import Study
from tltui.core.analysis import Analysis
from tltui.core.build import head_classes
from tltui.core.checks.context import CheckContext, Found, Probe, kept_buffers, sample_of
from tltui.core.checks.flagcontext import FlagContext

SAMPLE = 16
"""Inputs per model the checks pass forward (a seeded stratified sample of the test set, or of source_test for
the teacher); clean-accuracy reads the diagnosis's own predictions on the whole split instead."""
PRE, POST = "pre-flight", "after-attack"


def probes(an: Analysis, preds: Mapping[str, np.ndarray], sample: int = SAMPLE) -> list[Probe]:
    """The teacher (labelled by `[data] source_test` when its head fits it) and every variant (the test set),
    with the predictions `preds` (model name → predicted classes on that whole split) where given."""
    test, src, seed, dev = an.data.test, an.data.source_test, an.study.seed, an.device
    idx = sample_of(test.y, sample, seed)
    x, y = test.images[idx].to(dev), test.y[idx]
    out = []
    if src is not None and head_classes(an.teacher) == src.num_classes:
        sidx = sample_of(src.y, sample, seed)
        sx, sy = src.images[sidx].to(dev), src.y[sidx]
        out.append(Probe("teacher", an.teacher, sx, sy, list(src.classes), src, preds.get("teacher")))
    else:
        out.append(Probe("teacher", an.teacher, x, None, None))
    out += [Probe(n, m, x, y, list(test.classes), test, preds.get(n)) for n, m in an.variants.items()]
    return out


def _run(
    registry: Mapping[str, Any], stage: str, ctx: Any, acknowledged: Iterable[str]
) -> list[CheckFinding]:
    ack = tuple(acknowledged)
    out = []
    for name, entry in registry.items():
        check: Callable[[Any], list[Found]] = entry.load()
        try:
            found = check(ctx)
        except Exception as exc:  # a check that cannot read a model says so; it never stops the diagnosis
            found = [Found(None, f"could not run ({type(exc).__name__}: {str(exc).splitlines()[0][:160]})")]
        out += [
            CheckFinding(
                check=name,
                stage=stage,
                model=f.model,
                message=f.message,
                acknowledged=is_acknowledged(name, f.model, ack),
            )
            for f in found
        ]
    return out


def preflight(
    an: Analysis, preds: Mapping[str, np.ndarray] | None = None, sample: int = SAMPLE
) -> list[CheckFinding]:
    """Every pre-flight check (CHECKS) on the teacher and every variant of a loaded analysis, given the clean
    predictions the diagnosis makes anyway (`probes`); the models' buffers are as before (a BatchNorm in
    training mode would update its statistics)."""
    ps = probes(an, preds or {}, sample)
    ctx = CheckContext(an.study, an.data, ps, an.device, an.mean, an.std)
    with kept_buffers([p.model for p in ps]):
        return _run(CHECKS, PRE, ctx, an.study.checks.acknowledge)


def after_attack(ctx: FlagContext) -> list[CheckFinding]:
    """Every after-attack flag (FLAGS) on a diagnosis's results."""
    with kept_buffers([ctx.teacher, *ctx.models.values()]):
        return _run(FLAGS, POST, ctx, ctx.study.checks.acknowledge)


def checks_block(
    study: Study, models: list[str], findings: list[CheckFinding], seconds: float, sample: int = SAMPLE
) -> ChecksBlock:
    """summary.json `checks`."""
    return ChecksBlock(
        ran=[*CHECKS, *FLAGS],
        models=models,
        sample=sample,
        findings=findings,
        acknowledged=list(study.checks.acknowledge),
        seconds=round(seconds, 4),
    )


class Timer:
    """Wall time summed over the blocks it times (the pre-flight checks, then the flags)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> Timer:
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds += time.perf_counter() - self._t0
