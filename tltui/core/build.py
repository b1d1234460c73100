"""Load or build the teacher and the variants of a study; built models are cached in the workspace."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Generator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torch import nn

from tltui.base.errors import CheckpointError, DataError, StudyError
from tltui.base.names import inside
from tltui.base.progress import Progress
from tltui.base.study import ModelSpec, Study
from tltui.core import models as M
from tltui.core.data import Split, StudyData
from tltui.core.scripted import is_scripted, refuse_changes
from tltui.core.train import Schedule, train

RECIPE_VERSION = 2
"""Part of every cache key: bump it when a recipe's code changes what it builds (2: built teachers are seeded)."""

# The demo's recipes. The fine-tune is a gentle transfer: plain SGD, a small rate for the pretrained body and a
# larger one for the new head, as in transfer-learning practice.
# The students train on the 502 images left after the validation split: 38 epochs keep the step count of 30
# epochs on all 627 training images. Finetune's body rate, chosen on the validation split (seeds 0-4): 0.005 gives
# the same accuracy as 0.01 (0.880 ± 0.006 vs 0.882 ± 0.021), steadier, with the inheritance the demo is about
# plainly visible (validation DIR 0.180 vs 0.132). The teacher's source data are not split.
DEMO_SCHEDULES: dict[str, Schedule] = {
    "teacher": Schedule(epochs=30, lr=2e-3, seed=1),
    "scratch": Schedule(epochs=38, lr=2e-3, seed=2),
    "probe": Schedule(epochs=38, lr=1e-2, seed=3),
    "finetune": Schedule(epochs=38, lr=5e-3, head_lr=1e-1, optimizer="sgd", seed=4),
}
# For user studies: fewer epochs on (usually) larger data.
STUDY_SCHEDULES: dict[str, Schedule] = {
    "scratch": Schedule(epochs=15, lr=1e-3, seed=2),
    "probe": Schedule(epochs=15, lr=1e-2, seed=3),
    "finetune": Schedule(epochs=15, lr=1e-2, head_lr=1e-1, optimizer="sgd", momentum=0.0, seed=4),
}

ModelGen = Generator[Progress, None, nn.Module]

KEPT_CHECKPOINTS = 5
"""Epoch checkpoints a build keeps beside the variant (Dare's pool of repair targets, as its reference's)."""


def checkpoint_epochs(epochs: int) -> list[int]:
    """The epochs after which a build keeps a checkpoint: up to 5, spread over the second half of training,
    the last epoch excluded (that is the variant itself)."""
    first, last = epochs // 2, epochs - 1
    if last < max(first, 1):
        return []
    n = min(KEPT_CHECKPOINTS, last - first + 1)
    return sorted({first + (i * (last - first)) // max(n - 1, 1) for i in range(n)})


def schedule_for(study: Study, recipe: str, epochs: int | None = None) -> Schedule:
    """The schedule a recipe uses in this study (epochs overridable per variant)."""
    table = DEMO_SCHEDULES if study.is_demo else STUDY_SCHEDULES
    s = table[recipe]
    if recipe != "teacher" and study.data.augment != "none":
        s = Schedule(**{**asdict(s), "augment": study.data.augment})
    return s if epochs is None else Schedule(**{**asdict(s), "epochs": epochs})


def replace_head(model: nn.Module, num_classes: int, seed: int) -> str:
    """Swap the classifier head for a freshly initialised Linear with `num_classes` outputs; returns its name."""
    if is_scripted(model):
        raise refuse_changes("build students from (their head is replaced)", "the teacher")
    name = M.head_name(model)
    old = model.get_submodule(name)
    assert isinstance(old, nn.Linear)
    torch.manual_seed(seed)
    new = nn.Linear(old.in_features, num_classes, bias=old.bias is not None)
    parent_name, _, attr = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, attr, new)
    return name


def head_classes(model: nn.Module) -> int:
    head = model.get_submodule(M.head_name(model))
    assert isinstance(head, nn.Linear)
    return head.out_features


def _fingerprint(path: Path | None) -> Any:
    if path is None:
        return None
    st = path.stat()
    return [str(path), st.st_size, int(st.st_mtime)]


def _split_fingerprint(split: Split) -> list[Any]:
    h = hashlib.sha256()
    split.images.hash_into(h)
    h.update(split.y.numpy().tobytes())
    return [len(split), h.hexdigest()[:16]]


class ModelStore:
    """Builds or loads the models of one study, caching what it trains under <workspace>/models/."""

    def __init__(
        self, study: Study, data: StudyData, workspace: Path, device: torch.device, *, trust: bool = False
    ):
        self.study, self.data, self.device, self.trust = study, data, device, trust
        self.root = workspace / "models"
        self._teacher_key: str | None = None

    def _key(self, name: str, recipe: str, schedule: Schedule, spec: ModelSpec, train_split: Split) -> str:
        ident = {
            "version": RECIPE_VERSION,
            "study": self.study.name,
            "name": name,
            "recipe": recipe,
            "arch": spec.arch,
            "num_classes": spec.num_classes,
            "schedule": {
                k: v for k, v in asdict(schedule).items() if k != "augment" or v != "none"
            },  # keys from before augmentation stay valid
            "data": _split_fingerprint(train_split),
            "mean": self.study.data.mean,
            "std": self.study.data.std,
            "teacher": self._teacher_key or _fingerprint(self.study.teacher.weights),
            "init_seed": self.study.seed,
        }
        return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def _path(self, name: str, key: str) -> Path:
        return inside(self.root, self.study.name, f"{name}-{key}.safetensors")

    def _cached(self, name: str, key: str, model: nn.Module) -> bool:
        """Load a cached build into `model`; a damaged entry (truncated, NaN, foreign) is removed and rebuilt."""
        path = self._path(name, key)
        if not path.is_file():
            return False
        try:
            M.load_state_dict(model, M.read_state_dict(path), source=str(path))
        except CheckpointError as exc:
            print(f"model cache: removed a damaged entry, rebuilding it: {exc.msg}", flush=True)
            path.unlink(missing_ok=True)
            return False
        return True

    def _save(self, name: str, key: str, model: nn.Module, meta: dict[str, Any]) -> None:
        M.check_finite(
            model.state_dict(), f"{name} after training", "training diverged: lower the learning rate"
        )
        M.save_weights(model, self._path(name, key), metadata={"tltui": json.dumps(meta)})

    def _checkpoint_path(self, name: str, key: str, epoch: int) -> Path:
        return inside(self.root, self.study.name, f"{name}-{key}.epoch{epoch}.safetensors")

    def _keeper(self, name: str, key: str, epochs: int) -> Callable[[int, nn.Module], None]:
        keep = set(checkpoint_epochs(epochs))

        def save(epoch: int, model: nn.Module) -> None:
            if epoch in keep:
                meta = {"tltui": json.dumps({"epoch": epoch})}
                M.save_weights(model, self._checkpoint_path(name, key, epoch), metadata=meta)

        return save

    def checkpoints(self, spec: ModelSpec) -> list[Path]:
        """The epoch checkpoints kept when the variant was built (none for weights given by the study, or for
        a build cached before checkpoints were kept)."""
        split = self.data.train
        if spec.build is None or split is None:
            return []
        schedule = schedule_for(self.study, spec.build, spec.epochs)
        key = self._key(spec.name, spec.build, schedule, spec, split)
        paths = [self._checkpoint_path(spec.name, key, e) for e in checkpoint_epochs(schedule.epochs)]
        return [p for p in paths if p.is_file()]

    def _from_spec(self, spec: ModelSpec) -> nn.Module:
        model = M.build_arch(spec.arch, spec.num_classes, base_dir=self.study.base_dir, trust=self.trust)
        if spec.weights is not None:
            M.load_state_dict(
                model, M.read_state_dict(spec.weights, trust=self.trust), source=str(spec.weights)
            )
        if head_classes(model) != spec.num_classes:
            raise StudyError(
                f"{spec.name}: the model's head has {head_classes(model)} outputs but num_classes = {spec.num_classes}"
            )
        return model

    def epochs_to_build(self, specs: list[ModelSpec]) -> int:
        """The training epochs loading the teacher and `specs` takes: those of every model built by a recipe and
        not in the cache yet (what a job declares as its work, tltui.base.progress.WorkPlan)."""
        spec, total = self.study.teacher, 0
        self._teacher_key = None  # the teacher's own key is made without one, as `teacher` makes it
        if spec.build == "teacher" and self.data.source_train is not None:
            schedule = schedule_for(self.study, "teacher")
            self._teacher_key = self._key("teacher", "teacher", schedule, spec, self.data.source_train)
            total += 0 if self._path("teacher", self._teacher_key).is_file() else schedule.epochs
        elif spec.build != "teacher":
            self._teacher_key = json.dumps(_fingerprint(spec.weights))
        split = self.data.train
        for v in specs:
            if v.build is not None and split is not None:
                schedule = schedule_for(self.study, v.build, v.epochs)
                key = self._key(v.name, v.build, schedule, v, split)
                total += 0 if self._path(v.name, key).is_file() else schedule.epochs
        self._teacher_key = None
        return total

    def teacher(self) -> ModelGen:
        """The teacher: from its weights, or (demo) trained on the source task and cached."""
        spec = self.study.teacher
        if spec.build != "teacher":
            model = self._from_spec(spec)
            self._teacher_key = json.dumps(_fingerprint(spec.weights))
            return model.to(self.device).eval()
        src = self.data.source_train
        if src is None:
            raise StudyError("teacher: has no weights and no source training data to build it from")
        schedule = schedule_for(self.study, "teacher")
        key = self._key("teacher", "teacher", schedule, spec, src)
        self._teacher_key = key
        # Whatever job builds it first (analyze, mitigate, treat), its initial weights come from the study's seed.
        torch.manual_seed(self.study.seed)
        model = M.build_arch(spec.arch, spec.num_classes)
        if not self._cached("teacher", key, model):
            yield from train(
                model,
                src,
                self.study.data.mean,
                self.study.data.std,
                schedule,
                device=self.device,
                phase="train teacher",
            )
            self._save("teacher", key, model, {"recipe": "teacher"})
        return model.to(self.device).eval()

    def variant(self, spec: ModelSpec, teacher: nn.Module) -> ModelGen:
        """A variant: from its weights, or built by its recipe from the teacher and cached."""
        if spec.build is None:
            return self._from_spec(spec).to(self.device).eval()
        split = self.data.train
        if split is None:
            raise StudyError(f"variant '{spec.name}': build = '{spec.build}' needs [data] train")
        if split.num_classes != spec.num_classes:
            raise DataError(
                f"variant '{spec.name}': num_classes = {spec.num_classes} but the training data has "
                f"{split.num_classes} classes"
            )
        schedule = schedule_for(self.study, spec.build, spec.epochs)
        key = self._key(spec.name, spec.build, schedule, spec, split)
        if spec.build == "scratch":
            torch.manual_seed(schedule.seed)
            model = M.build_arch(spec.arch, spec.num_classes, base_dir=self.study.base_dir, trust=self.trust)
        else:
            model = copy.deepcopy(teacher).cpu()
            replace_head(model, spec.num_classes, schedule.seed)
        if self._cached(spec.name, key, model):
            return model.to(self.device).eval()
        head = M.head_name(model)
        probe = spec.build == "probe"
        yield from train(
            model,
            split,
            self.study.data.mean,
            self.study.data.std,
            schedule,
            device=self.device,
            head=head,
            trainable=(lambda n: n.startswith(head + ".")) if probe else None,
            frozen_eval=probe,
            phase=f"build {spec.name}",
            after_epoch=self._keeper(spec.name, key, schedule.epochs),
        )
        self._save(spec.name, key, model, {"recipe": spec.build})
        return model.to(self.device).eval()
