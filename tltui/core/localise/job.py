"""The `localise` job: load the teacher and one variant, attack the teacher once, intervene layer by layer, and
write interventions.json (docs/localise.md)."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from tltui.base import rundir
from tltui.base.errors import ParamError
from tltui.base.intervals import BOOT_SEED, N_BOOT
from tltui.base.outlock import hold_out
from tltui.base.progress import Progress
from tltui.base.rundir.interventions import INTERVENTIONS_FORMAT, InterventionsFile
from tltui.base.runfiles import save_json
from tltui.base.study import Study
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.device import resolve_device
from tltui.core.images import Images
from tltui.core.localise.measure import Measured, correlate, measure
from tltui.core.localise.passive import passive_scores
from tltui.core.pipeline import attack_blocks
from tltui.core.sampling import stratified_sample

SAMPLE = 512
"""Test images (a seeded stratified sample) behind the passive scores, as in the Layers view (docs/levels.md)."""


def _load(an: Analysis, variant: str) -> Generator[Progress, None, nn.Module]:
    """The teacher and `variant` alone (a study's own, or a produced one in the workspace)."""
    yield from an.load_data()
    specs = an.model_specs()
    found = next(((s, meta) for s, meta in specs if s.name == variant), None)
    if found is None:
        have = ", ".join(s.name for s, _ in specs)
        raise ParamError(f"--variant {variant!r}: not a variant of {an.study.name} (have {have})")
    an.teacher = yield from an.store.teacher()
    yield from an.add_variant(*found)
    yield Progress("load models", 1, 1, variant)
    return an.variants[variant]


def localise(
    study: Study,
    out: Path,
    params: dict[str, Any],
    *,
    workspace: Path,
    device: str = "auto",
    batch_size: int = 512,
    trust: bool = False,
    log: Callable[[str], None] = print,
) -> Generator[Progress, None, InterventionsFile]:
    """Layer interventions on `params["variant"]`; writes `out`/interventions.json and returns it."""
    t0 = time.perf_counter()
    hold_out(workspace, out)
    torch.manual_seed(study.seed)
    an = Analysis(study, workspace, resolve_device(device), batch_size=batch_size, trust=trust)
    student = yield from _load(an, str(params.get("variant", "finetune")))
    units = list(params.get("layers") or M.layer_names(student))
    kinds = list(params.get("interventions") or ("restore", "reinit", "bn"))
    rank_by, top_k = str(params.get("rank_by", "reinit")), int(params.get("top_k", 3))
    x_adv = yield from an.teacher_crafted()  # once: the adversarial inputs do not depend on the student
    test = an.data.test

    def predict(model: nn.Module) -> tuple[np.ndarray, np.ndarray]:
        return an.predict(model, test.images)[0], an.predict(model, x_adv)[0]

    m: Measured = yield from measure(
        student,
        an.teacher,
        test.y.numpy(),
        predict,
        units,
        kinds,
        rank_by=rank_by,
        top_k=top_k,
        seed=int(params.get("seed", 0)),
    )
    yield Progress("passive scores", 0, 1)

    def norm(x: torch.Tensor | Images) -> torch.Tensor:  # a view: batches are normalised as they are read
        return cast(torch.Tensor, Images.of(x).normalized(an.mean, an.std))

    pick = stratified_sample(test.y.numpy(), SAMPLE, study.seed)
    cover = an.data.train if an.data.train is not None else test
    src = an.data.source_test if an.data.source_test is not None else an.data.source_train
    scores = passive_scores(
        an.teacher,
        student,
        units,
        x=norm(test.images[pick]),
        x_adv=norm(x_adv[pick]),
        x_cover=norm(cover.images),
        x_source=None
        if src is None
        else norm(src.images[stratified_sample(src.y.numpy(), SAMPLE, study.seed)]),
        device=str(an.device),
        batch_size=min(256, batch_size),
    )
    for row in m.layers:
        row["passive"] = scores[row["name"]]
    _, teacher_attack = attack_blocks(study)
    result = InterventionsFile(
        format=INTERVENTIONS_FORMAT,
        study=study.name,
        variant=str(params.get("variant", "finetune")),
        device=str(an.device),
        n_test=len(test),
        n_boot=N_BOOT,
        boot_seed=BOOT_SEED,
        seed=int(params.get("seed", 0)),
        interventions=kinds,
        rank_by=rank_by,
        baseline=m.baseline,
        layers=m.layers,
        ranking=m.ranking,
        cumulative=m.cumulative,
        correlations=correlate(m, rank_by),
        teacher_attack=teacher_attack,
        seconds=round(time.perf_counter() - t0, 3),
    )
    save_json(out / rundir.INTERVENTIONS, result)
    yield Progress("done", 1, 1, f"wrote {out / rundir.INTERVENTIONS}")
    return result
