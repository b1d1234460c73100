"""On-demand work for the views, as jobs: an instance's saliency/Grad-CAM/layer windows, and a t-SNE projection."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tltui.base import rundir, tempfiles
from tltui.base.errors import ResultsError
from tltui.base.progress import JobContext, Progress
from tltui.base.rundir import keys
from tltui.base.runfiles import save_npz
from tltui.base.study import Study, with_attack
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.device import resolve_device
from tltui.core.diagnose import Levels
from tltui.core.levels import instances as I


def recorded_attack(attack: Mapping[str, Any] | None, teacher: Mapping[str, Any] | None) -> dict[str, Any]:
    """A run's recorded `attack` and `teacher_attack` blocks as the job keys of `with_attack` (the preset first,
    its values over it); an old run without them gives no keys."""
    a = attack or {}
    keys = {
        "attack": a.get("name"),
        **{k: a.get(k) for k in ("eps", "alpha", "steps", "random_start", "norm")},
    }
    if teacher:
        keys.update(
            teacher_attack=teacher.get("name"),
            teacher_preset=teacher.get("preset"),
            teacher_space=teacher.get("space"),
        )
        keys.update({f"teacher_{k}": teacher.get(k) for k in ("eps", "alpha", "steps", "random_start")})
    return keys


def open_run(
    study: Study, run: Path, ctx: JobContext, *, trust: bool = False
) -> Generator[Progress, None, tuple[Analysis, Path]]:
    """Load the study's models for an existing analysis run directory (`trust`: the job's own consent)."""
    summary = run / rundir.SUMMARY
    if not summary.is_file():
        raise ResultsError(
            f"{run}: not an analysis run directory (no {rundir.SUMMARY}); run `tltui analyze` first"
        )
    recorded = rundir.read_summary(summary)  # never add files of this format to a newer run
    tempfiles.sweep(run)  # what killed on-demand jobs left
    # the attacks the run was diagnosed with (its flags)
    study = with_attack(study, recorded_attack(recorded.attack, recorded.teacher_attack))
    study.check_trust(trust)
    an = Analysis(study, ctx.workspace, resolve_device(ctx.device), trust=trust)
    yield from an.load()
    return an, run


def details(an: Analysis, run: Path, indices: list[int]) -> Iterator[Progress]:
    """Writes run/details-<i>.npz (saliency, Grad-CAM, layer windows) for each test-set position."""
    x_adv = yield from an.teacher_crafted()  # served from the adversarial cache
    levels = Levels(an, x_adv, run)
    n = len(an.data.test)
    bad = [i for i in indices if not 0 <= i < n]
    if bad:
        raise ResultsError(f"instance {bad[0]}: out of range (the test set has {n} instances)")
    for k, i in enumerate(indices):
        save_npz(run / rundir.details_name(i), **levels.details([i]))
        yield Progress("details", k + 1, len(indices), f"instance {i}")


def tsne(an: Analysis, run: Path, name: str, perplexity: float) -> Iterator[Progress]:
    """Writes run/tsne-<model>.npz: t-SNE of the model's penultimate features, clean and teacher-crafted."""
    models = {"teacher": an.teacher, **an.variants}
    if name not in models:
        raise ResultsError(f"model {name!r}: not in this study (have {', '.join(models)})")
    model = models[name]
    x_adv = yield from an.teacher_crafted()
    levels = Levels(an, x_adv, run)
    yield Progress("t-SNE", 0, 1, name)
    head = M.head_name(model)
    fc = I.penultimate_features(model, levels.norm(an.data.test.images), head, device=str(an.device))
    fa = I.penultimate_features(model, levels.norm(x_adv), head, device=str(an.device))
    p = I.project(fc, fa, method="tsne", perplexity=perplexity)
    save_npz(run / rundir.tsne_name(name), **{part: p[part].astype(np.float32) for part in keys.PROJ_PARTS})
    yield Progress("t-SNE", 1, 1, name)
