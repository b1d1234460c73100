"""The headless diagnosis: load or build every model, attack, measure, and write the run directory."""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tltui.base import rundir
from tltui.base.progress import Progress
from tltui.base.rundir import keys
from tltui.base.runfiles import save_json, save_npz
from tltui.base.study import Study
from tltui.core.analysis import Analysis, attack_config
from tltui.core.device import resolve_device
from tltui.core.diagnose import Levels
from tltui.core.fairness import fairness_report, study_groups
from tltui.core.metrics import accuracy, decline_ratio, defect_inheritance_rate, macro_recall_f1, robustness


class _Counter:
    """Folds many batched attacks into one progress phase: `done` of `total` attacks, fractions in between."""

    def __init__(self, phase: str, total: int) -> None:
        self.phase, self.total, self.done = phase, total, 0

    def run(
        self, gen: Generator[Progress, None, torch.Tensor], what: str
    ) -> Generator[Progress, None, torch.Tensor]:
        result = yield from _relabel(gen, self, what)
        self.done += 1
        return result


def _relabel(
    gen: Generator[Progress, None, torch.Tensor], c: _Counter, what: str
) -> Generator[Progress, None, torch.Tensor]:
    while True:
        try:
            p = next(gen)
        except StopIteration as stop:
            return stop.value
        yield Progress(c.phase, c.done * max(p.total, 1) + p.done, c.total * max(p.total, 1), what)


def analyze(
    study: Study,
    out: Path,
    *,
    workspace: Path,
    device: str = "auto",
    batch_size: int = 512,
    trust: bool = False,
    compile: bool = False,
    loaded: Analysis | None = None,
) -> Generator[Progress, None, dict[str, Any]]:
    """Run the whole diagnosis and write the run directory (docs/run-directory.md) into `out`.

    `loaded`: an Analysis whose models are already loaded (a produce job's), so nothing is loaded twice."""
    t0 = time.perf_counter()
    if loaded is None:
        torch.manual_seed(study.seed)
        an = Analysis(
            study, workspace, resolve_device(device), batch_size=batch_size, trust=trust, compile=compile
        )
        yield from an.load()
    else:
        an = loaded
        torch.manual_seed(study.seed)
    dev = an.device
    test = an.data.test
    y = test.y.numpy()
    n_classes = test.num_classes
    arrays: dict[str, np.ndarray] = {keys.LABELS: y, keys.IMAGES: test.x.numpy().astype(np.float16)}

    grid = sorted(set(study.attack.eps_grid) | {0.0, study.attack.eps})
    budgets = [e for e in grid if e > 0]
    counter = _Counter("attacks", 1 + len(an.variants) * len(budgets))
    x_teacher_adv = yield from counter.run(an.teacher_crafted(), "teacher-crafted")
    arrays[keys.TEACHER_ADV_IMAGES] = x_teacher_adv.numpy().astype(np.float16)

    teacher_info: dict[str, Any] = {"source_acc": None}
    if an.data.source_test is not None:
        pred, _, _ = an.predict(an.teacher, an.data.source_test.x)
        teacher_info["source_acc"] = accuracy(an.data.source_test.y.numpy(), pred)

    variants: dict[str, Any] = {}
    for name, model in an.variants.items():
        pred, conf, _ = an.predict(model, test.x)
        tpred, tconf, _ = an.predict(model, x_teacher_adv)
        curve = [[0.0, accuracy(y, pred)]]
        for eps in budgets:
            xe = yield from counter.run(an.whitebox(model, attack_config(study, eps)), f"{name} ε={eps:.4g}")
            epred, econf, _ = an.predict(model, xe)
            curve.append([eps, accuracy(y, epred)])
            if eps == study.attack.eps:
                apred, aconf = epred, econf
        aoi, aai = accuracy(y, pred), accuracy(y, apred)
        recall, f1 = macro_recall_f1(y, pred, n_classes)
        variants[name] = {
            "aoi": aoi,
            "aai": aai,
            "dr": decline_ratio(aoi, aai),
            "robust": robustness(aoi, aai),
            "macro_f1": f1,
            "macro_recall": recall,
            "dir": defect_inheritance_rate(y, pred, tpred),
            "eps_curve": curve,
            "teacher_adv_acc": accuracy(y, tpred),
        }
        columns = (pred, conf, apred, aconf, tpred, tconf)  # in keys.PRED_KINDS order
        arrays.update({keys.pred_key(name, k): a for k, a in zip(keys.PRED_KINDS, columns, strict=True)})

    fairness = None
    if (study.data.groups is not None or study.is_demo) and an.data.train is not None:
        groups = study_groups(an)
        fairness = {
            "attribute": groups.kind,
            "threshold": groups.threshold,
            "n_group1": int(groups.test.sum()),
        }
        for name in an.variants:
            variants[name]["fairness"] = fairness_report(
                y, arrays[keys.pred_key(name)], groups.test, n_classes
            )
        arrays[keys.GROUPS] = groups.test.astype(np.int8)

    out.mkdir(parents=True, exist_ok=True)
    preds = {name: arrays[keys.pred_key(name)] for name in an.variants}
    layer_rows = yield from Levels(an, x_teacher_adv, out).run(variants, preds)
    save_npz(out / rundir.INSTANCES, **arrays)
    summary = {
        rundir.FORMAT_KEY: rundir.FORMAT,
        "study": study.name,
        "device": str(dev),
        "variants": variants,
        "teacher": teacher_info,
        "attack": {
            "name": study.attack.name,
            "eps": study.attack.eps,
            "alpha": study.attack.alpha,
            "steps": study.attack.steps,
            "random_start": study.attack.random_start,
            "norm": study.attack.norm,
        },
        "teacher_attack": {
            "name": study.attack.teacher_attack,
            **asdict(replace(attack_config(study), random_start=True)),
        },
        "layers": layer_rows,
        "derived": an.derived,
        "fairness": fairness,
        "n_test": len(test),
        "classes": test.classes,
        "ids": test.ids,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    save_json(out / rundir.SUMMARY, summary)
    yield Progress("done", 1, 1, f"wrote {out / rundir.SUMMARY}")
    return summary
