"""One analysis: the study's data and models on a device, with the attacks every level reads (cached)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.base.errors import DataError, StudyError
from tltui.base.progress import Progress
from tltui.base.study import ModelSpec, Study
from tltui.base.trust import trusted
from tltui.core import models as M
from tltui.core.advcache import AdvCache, data_digest, model_digest
from tltui.core.attacks import ATTACKS, TEACHER_ATTACKS, TEACHER_LOGIT_ATTACKS
from tltui.core.attacks.engine import AttackConfig
from tltui.core.build import ModelStore, head_classes
from tltui.core.data import StudyData, load_study_data
from tltui.core.derived import derived_variants, file_identity, variant_record
from tltui.core.evaluate import PixelModel, attack_split, feature_fn, predict
from tltui.core.images import Images
from tltui.core.watch import TrainingWatcher


def attack_config(study: Study, eps: float | None = None) -> AttackConfig:
    """The study's attack at its own ε, or scaled to another ε (step size proportional)."""
    a = study.attack
    if eps is None:
        return AttackConfig(eps=a.eps, alpha=a.alpha, steps=a.steps, random_start=a.random_start, norm=a.norm)
    alpha = a.alpha * eps / a.eps if a.eps > 0 else a.alpha
    return AttackConfig(eps=eps, alpha=alpha, steps=a.steps, random_start=a.random_start, norm=a.norm)


def teacher_config(study: Study) -> AttackConfig:
    """The teacher attack's budget: its own ([attack.teacher]) where set, else the white-box attack's, with the
    teacher spec's random start; a `normalized` budget is scaled per channel by the study's std."""
    a, t = study.attack, study.attack.teacher
    scale = tuple(study.data.std) if t.space == "normalized" else None
    return AttackConfig(
        eps=a.eps if t.eps is None else t.eps,
        alpha=a.alpha if t.alpha is None else t.alpha,
        steps=a.steps if t.steps is None else t.steps,
        random_start=t.random_start,
        norm="linf" if scale is not None else a.norm,
        scale=scale,
    )


@dataclass(frozen=True)
class AttackSet:
    """One attack over the whole test set: what determines its images (and so its cache key)."""

    key: str
    kind: str
    """`whitebox` (labels, logits of the model), `teacher` (no labels, the teacher's penultimate features) or
    `teacher-logits` (no labels, the teacher's own classifier: the DIR ladder's upper rungs)."""
    attack: str
    model: nn.Module
    cfg: AttackConfig
    seed: int
    """Shard b of the set is seeded with `seed + b` (tltui.core.evaluate.attack_split)."""


def attack_run(kind: str, attack: str) -> Callable[..., torch.Tensor]:
    found = {"whitebox": ATTACKS, "teacher": TEACHER_ATTACKS, "teacher-logits": TEACHER_LOGIT_ATTACKS}
    return found[kind][attack]


def attack_target(
    kind: str,
    model: nn.Module,
    mean: tuple[float, ...],
    std: tuple[float, ...],
    device: torch.device,
    compile: bool = False,
) -> Callable[[torch.Tensor], torch.Tensor]:
    """What the attack differentiates: the pixel-space classifier, or the teacher's feature function."""
    if kind == "teacher":
        return feature_fn(model, M.head_name(model), mean, std)
    pix: nn.Module = PixelModel(model, mean, std).to(device).eval()
    return torch.compile(pix) if compile else pix


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
        self.batch_size, self.trust = batch_size, trusted(trust)  # only an exact True
        self.data: StudyData
        self.teacher: nn.Module
        self.variants: dict[str, nn.Module] = {}
        self.include_derived = include_derived
        self.compile = compile
        """torch.compile the attacked model (worth it on CUDA for large test sets; costs a warm-up)."""
        self.derived: dict[str, dict[str, Any]] = {}
        """Produced variants (mitigations, treatments) joined from the workspace: name -> metadata."""
        self.cache = AdvCache(workspace / "adv")
        self.skip: set[str] = set()
        """Produced variants not to load (the one a produce job is replacing)."""
        self._digests: dict[int, str] = {}
        self._test_digest: str | None = None
        self.timeline: TrainingWatcher | None = None
        """Set by a job recording accuracy and DIR along its training runs (`--timeline N`)."""

    @property
    def mean(self) -> tuple[float, ...]:
        return self.study.data.mean

    @property
    def std(self) -> tuple[float, ...]:
        return self.study.data.std

    def load(self) -> Generator[Progress, None, None]:
        """Read the data and load or build the teacher and every variant."""
        yield from self.load_data()
        yield from self.load_models()

    def load_data(self) -> Generator[Progress, None, None]:
        """Read the data (what the models are then built or checked against)."""
        yield Progress("load data", 0, 1)
        self.data = load_study_data(self.study, self.workspace / "data")
        yield Progress("load data", 1, 1, f"{len(self.data.test)} test images")
        self.store = ModelStore(self.study, self.data, self.workspace, self.device, trust=self.trust)

    def model_specs(self) -> list[tuple[ModelSpec, dict[str, Any] | None]]:
        """Every variant `load_models` loads: the study's, then the produced ones in the workspace."""
        specs: list[tuple[ModelSpec, dict[str, Any] | None]] = [(spec, None) for spec in self.study.variants]
        if self.include_derived:
            specs += [
                sm for sm in derived_variants(self.workspace, self.study) if sm[0].name not in self.skip
            ]
        return specs

    def load_models(self) -> Generator[Progress, None, None]:
        """Load or build the teacher and every variant (after `load_data`)."""
        self.teacher = yield from self.store.teacher()
        specs = self.model_specs()
        for i, (spec, meta) in enumerate(specs):
            yield from self.add_variant(spec, meta)
            yield Progress("load models", i + 1, len(specs), spec.name)

    def add_variant(
        self, spec: ModelSpec, meta: dict[str, Any] | None = None
    ) -> Generator[Progress, None, None]:
        """Load or build one variant after `load` (a produced one when `meta` is given)."""
        if meta is not None and spec.weights is not None:
            model, meta = yield from self._load_produced(spec)
        else:
            model = yield from self.store.variant(spec, self.teacher)
        if head_classes(model) != self.data.test.num_classes:
            raise DataError(
                f"variant '{spec.name}': its head has {head_classes(model)} outputs but the test data has "
                f"{self.data.test.num_classes} classes ({', '.join(self.data.test.classes[:6])}…)"
            )
        self.variants[spec.name] = model
        if meta is not None:
            self.derived[spec.name] = meta

    def _load_produced(self, spec: ModelSpec) -> Generator[Progress, None, tuple[nn.Module, dict[str, Any]]]:
        """A produced variant's weights with the record of that very file: a re-run of the same name may rename
        its new file over the one listed, so the file must be the same one before and after reading both."""
        assert spec.weights is not None
        for _ in range(5):
            before = file_identity(spec.weights)
            model = yield from self.store.variant(spec, self.teacher)
            record = variant_record(spec.weights)
            if record is not None and before is not None and file_identity(spec.weights) == before:
                return model, record
        raise StudyError(
            f"variant '{spec.name}': {spec.weights} kept being replaced while it was read; run again when the job "
            "writing it has finished"
        )

    def predict(
        self, model: nn.Module, x: torch.Tensor | Images
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return predict(model, x, self.mean, self.std, device=self.device, batch_size=self.batch_size)

    def whitebox(self, model: nn.Module, cfg: AttackConfig) -> Generator[Progress, None, Images]:
        """White-box adversarial test images for `model` (the study's attack family), cached."""
        return (yield from self.run_set(self.whitebox_set(model, cfg)))

    def teacher_crafted(self) -> Generator[Progress, None, Images]:
        """Adversarial test images crafted on the teacher's feature extractor only (for DIR), cached."""
        return (yield from self.run_set(self.teacher_set()))

    def whitebox_set(self, model: nn.Module, cfg: AttackConfig) -> AttackSet:
        """The white-box attack on `model` at `cfg`, as a unit any executor can run and the cache can key."""
        name = self.study.attack.name
        if name not in ATTACKS:
            raise StudyError(f"[attack] name = {name!r}: choose one of {', '.join(ATTACKS)}")
        key = self.cache.key(
            self.digest(model), name, cfg, self.test_digest, self.study.seed, [self.mean, self.std]
        )
        return AttackSet(key, "whitebox", name, model, cfg, self.study.seed)

    def teacher_set(self) -> AttackSet:
        """The teacher-only attack for DIR (seeded apart from the white-box ones)."""
        name, cfg, seed = self.study.attack.teacher.name, teacher_config(self.study), self.study.seed + 7
        key = self.cache.key(
            self.digest(self.teacher), f"teacher:{name}", cfg, self.test_digest, seed, [self.mean, self.std]
        )
        return AttackSet(key, "teacher", name, self.teacher, cfg, seed)

    def ladder_set(self, rung: str, cfg: AttackConfig) -> AttackSet:
        """One rung of the DIR ladder at `cfg`, seeded as the teacher attack: a feature rung equal to the study's
        own teacher attack is the same set (one cache entry)."""
        kind = "teacher" if rung in TEACHER_ATTACKS else "teacher-logits"
        label = f"teacher:{rung}" if kind == "teacher" else f"teacher-logits:{rung}"
        seed = self.study.seed + 7
        key = self.cache.key(
            self.digest(self.teacher), label, cfg, self.test_digest, seed, [self.mean, self.std]
        )
        return AttackSet(key, kind, rung, self.teacher, cfg, seed)

    def run_set(self, s: AttackSet) -> Generator[Progress, None, Images]:
        """An attack set from the cache (or handed over by a distributed executor), else computed here, batch by
        batch into the cache's file."""
        t = self.data.test
        target = attack_target(s.kind, s.model, self.mean, self.std, self.device, self.compile)
        y = t.y if s.kind == "whitebox" else None
        run = attack_run(s.kind, s.attack)
        compute = attack_split(
            run, target, t.images, y, s.cfg, device=self.device, batch_size=self.batch_size, seed=s.seed
        )
        return (yield from self.cache.get_or_write(s.key, compute, t.images, s.cfg))

    def digest(self, model: nn.Module) -> str:
        found = self._digests.get(id(model))
        if found is None:
            found = self._digests[id(model)] = model_digest(model)
        return found

    @property
    def test_digest(self) -> str:
        if self._test_digest is None:
            self._test_digest = data_digest(self.data.test.images)
        return self._test_digest
