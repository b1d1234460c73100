"""The headless diagnosis: load or build every model, attack, measure, and write the run directory."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.base.errors import DataError, StudyError
from tltui.base.progress import JobContext, Progress
from tltui.base.runfiles import save_json, save_npz
from tltui.base.study import Study, load_study
from tltui.core import models as M
from tltui.core.advcache import AdvCache, data_digest, model_digest
from tltui.core.attacks import ATTACKS, TEACHER_ATTACKS
from tltui.core.attacks.engine import AttackConfig
from tltui.core.build import ModelStore, head_classes
from tltui.core.data import StudyData, load_study_data
from tltui.core.derived import derived_variants
from tltui.core.device import resolve_device
from tltui.core.diagnose import Levels
from tltui.core.evaluate import PixelModel, attack_split, feature_fn, predict
from tltui.core.metrics import accuracy, decline_ratio, defect_inheritance_rate, macro_recall_f1, robustness


def attack_config(study: Study, eps: float | None = None) -> AttackConfig:
    """The study's attack at its own ε, or scaled to another ε (step size proportional)."""
    a = study.attack
    if eps is None:
        return AttackConfig(eps=a.eps, alpha=a.alpha, steps=a.steps, random_start=a.random_start, norm=a.norm)
    alpha = a.alpha * eps / a.eps if a.eps > 0 else a.alpha
    return AttackConfig(eps=eps, alpha=alpha, steps=a.steps, random_start=a.random_start, norm=a.norm)


class Analysis:
    """One analysis run: the study's data and models on a device, with the arrays every level reads."""

    def __init__(
        self,
        study: Study,
        workspace: Path,
        device: torch.device,
        *,
        batch_size: int = 512,
        trust: bool = False,
        include_derived: bool = True,
        compile: bool = False,
    ) -> None:
        self.study, self.workspace, self.device = study, workspace, device
        self.batch_size, self.trust = batch_size, trust
        self.data: StudyData
        self.teacher: nn.Module
        self.variants: dict[str, nn.Module] = {}
        self.include_derived = include_derived
        self.compile = compile
        """torch.compile the attacked model (worth it on CUDA for large test sets; costs a warm-up)."""
        self.derived: dict[str, dict[str, Any]] = {}
        """Produced variants (mitigations, treatments) joined from the workspace: name -> metadata."""
        self.cache = AdvCache(workspace / "adv")
        self._digests: dict[int, str] = {}
        self._test_digest: str | None = None

    @property
    def mean(self) -> tuple[float, ...]:
        return self.study.data.mean

    @property
    def std(self) -> tuple[float, ...]:
        return self.study.data.std

    def load(self) -> Generator[Progress, None, None]:
        """Read the data and load or build the teacher and every variant."""
        yield Progress("load data", 0, 1)
        self.data = load_study_data(self.study)
        yield Progress("load data", 1, 1, f"{len(self.data.test)} test images")
        store = ModelStore(self.study, self.data, self.workspace, self.device, trust=self.trust)
        self.teacher = yield from store.teacher()
        specs = list(self.study.variants)
        if self.include_derived:
            for spec, meta in derived_variants(self.workspace, self.study):
                specs.append(spec)
                self.derived[spec.name] = meta
        for spec in specs:
            model = yield from store.variant(spec, self.teacher)
            if head_classes(model) != self.data.test.num_classes:
                raise DataError(
                    f"variant '{spec.name}': its head has {head_classes(model)} outputs but the test data has "
                    f"{self.data.test.num_classes} classes ({', '.join(self.data.test.classes[:6])}…)"
                )
            self.variants[spec.name] = model
            yield Progress("load models", len(self.variants), len(specs), spec.name)

    def predict(self, model: nn.Module, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return predict(model, x, self.mean, self.std, device=self.device, batch_size=self.batch_size)

    def whitebox(self, model: nn.Module, cfg: AttackConfig) -> Generator[Progress, None, torch.Tensor]:
        """White-box adversarial test images for `model` (the study's attack family), cached."""
        name = self.study.attack.name
        run = ATTACKS.get(name)
        if run is None:
            raise StudyError(f"[attack] name = {name!r}: choose one of {', '.join(ATTACKS)}")
        pix: nn.Module = PixelModel(model, self.mean, self.std).to(self.device).eval()
        if self.compile:
            pix = torch.compile(pix)  # type: ignore[assignment]
        t = self.data.test
        compute = attack_split(
            run, pix, t.x, t.y, cfg, device=self.device, batch_size=self.batch_size, seed=self.study.seed
        )
        key = self.cache.key(
            self.digest(model), name, cfg, self.test_digest, self.study.seed, [self.mean, self.std]
        )
        return (yield from self.cache.get_or_run(key, compute))

    def teacher_crafted(self) -> Generator[Progress, None, torch.Tensor]:
        """Adversarial test images crafted on the teacher's feature extractor only (for DIR), cached."""
        name = self.study.attack.teacher_attack
        phi = feature_fn(self.teacher, M.head_name(self.teacher), self.mean, self.std)
        cfg = replace(attack_config(self.study), random_start=True)
        seed = self.study.seed + 7
        compute = attack_split(
            TEACHER_ATTACKS[name],
            phi,
            self.data.test.x,
            None,
            cfg,
            device=self.device,
            batch_size=self.batch_size,
            seed=seed,
        )
        key = self.cache.key(
            self.digest(self.teacher), f"teacher:{name}", cfg, self.test_digest, seed, [self.mean, self.std]
        )
        return (yield from self.cache.get_or_run(key, compute))

    def digest(self, model: nn.Module) -> str:
        found = self._digests.get(id(model))
        if found is None:
            found = self._digests[id(model)] = model_digest(model)
        return found

    @property
    def test_digest(self) -> str:
        if self._test_digest is None:
            self._test_digest = data_digest(self.data.test.x)
        return self._test_digest


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
) -> Generator[Progress, None, dict[str, Any]]:
    """Run the whole diagnosis and write `out/summary.json` (DESIGN §4) and `out/instances.npz`."""
    t0 = time.perf_counter()
    dev = resolve_device(device)
    torch.manual_seed(study.seed)
    an = Analysis(study, workspace, dev, batch_size=batch_size, trust=trust, compile=compile)
    yield from an.load()
    test = an.data.test
    y = test.y.numpy()
    n_classes = test.num_classes
    arrays: dict[str, np.ndarray] = {"y": y, "x": test.x.numpy().astype(np.float16)}

    grid = sorted(set(study.attack.eps_grid) | {0.0, study.attack.eps})
    budgets = [e for e in grid if e > 0]
    counter = _Counter("attacks", 1 + len(an.variants) * len(budgets))
    x_teacher_adv = yield from counter.run(an.teacher_crafted(), "teacher-crafted")
    arrays["x_teacher_adv"] = x_teacher_adv.numpy().astype(np.float16)

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
        arrays.update(
            {
                f"{name}.pred": pred,
                f"{name}.conf": conf,
                f"{name}.adv_pred": apred,
                f"{name}.adv_conf": aconf,
                f"{name}.teacher_adv_pred": tpred,
                f"{name}.teacher_adv_conf": tconf,
            }
        )

    fairness = None
    if (study.data.groups is not None or study.is_demo) and an.data.train is not None:
        # Lazy: the treatments import this module; fairness needs their sensitive-attribute logic.
        from tltui.core.treat.fairness import fairness_report
        from tltui.core.treat.fmt import study_groups

        groups = study_groups(an)
        fairness = {
            "attribute": groups.kind,
            "threshold": groups.threshold,
            "n_group1": int(groups.test.sum()),
        }
        for name in an.variants:
            variants[name]["fairness"] = fairness_report(y, arrays[f"{name}.pred"], groups.test, n_classes)
        arrays["groups"] = groups.test.astype(np.int8)

    out.mkdir(parents=True, exist_ok=True)
    preds = {name: arrays[f"{name}.pred"] for name in an.variants}
    layer_rows = yield from Levels(an, x_teacher_adv, out).run(variants, preds)
    save_npz(out / "instances.npz", **arrays)
    summary = {
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
    save_json(out / "summary.json", summary)
    yield Progress("done", 1, 1, f"wrote {out / 'summary.json'}")
    return summary


def analyze_job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Job entry point: params {study, out?, batch_size?, trust?}; results go to `out` or the run directory."""
    study = load_study(params["study"])
    out = Path(params["out"]) if params.get("out") else ctx.run_dir
    yield from analyze(
        study,
        out,
        workspace=ctx.workspace,
        device=ctx.device,
        batch_size=int(params.get("batch_size", 512)),
        trust=bool(params.get("trust", False)),
        compile=bool(params.get("compile", False)),
    )
