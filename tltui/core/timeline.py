"""The inheritance timeline: clean accuracy and DIR at N points along each training run of a job, the teacher
attack crafted once (docs/timeline.md)."""

from __future__ import annotations

import contextlib
import copy
import math
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.base import timeline as T
from tltui.base.progress import Progress
from tltui.base.rundir.shape_timeline import TimelineBlock, TimelinePoint, TimelineRun
from tltui.core.analysis import Analysis, attack_run, attack_target
from tltui.core.data import normalize
from tltui.core.evaluate import attack_split
from tltui.core.hooks import eval_mode
from tltui.core.images import Images
from tltui.core.train import Schedule
from tltui.core.watch import AfterStep

RESIDENT_BYTES = 256 * 2**20
"""Evaluation sets up to this size stay on the device, normalised once; larger ones stream from their images."""
RESIDENT_BATCH = 2048


class _Collect:
    """A sink keeping an attack's batches in memory (the validation split is small: it is carved from train)."""

    def __init__(self) -> None:
        self.parts: list[torch.Tensor] = []

    def write(self, batch: torch.Tensor) -> None:
        self.parts.append(batch.detach().cpu())


def steps_at(total: int, points: int) -> list[int]:
    """The optimiser steps after which a run is evaluated: `points` steps spread evenly up to the last one
    (fewer when the run has fewer steps), besides step 0 (before training)."""
    return sorted({max(1, round(k * total / points)) for k in range(1, points + 1)}) if total > 0 else []


@dataclass
class _Recording:
    run: dict[str, Any]
    points: list[TimelinePoint] = field(default_factory=list)
    kept: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict)
    t0: float = 0.0
    train_s: float = 0.0
    eval_s: float = 0.0


class _Probe:
    """The fixed inputs of one split, clean then teacher-crafted, evaluated with one forward per batch."""

    def __init__(self, an: Analysis, clean: Images, adv: Images, y: np.ndarray) -> None:
        self.an, self.y, self.n = an, y, len(clean)
        self.sets = (clean, adv)
        nbytes = 2 * clean.shape.numel() * 4
        self.resident: list[torch.Tensor] | None = None
        if nbytes <= RESIDENT_BYTES:
            both = torch.cat([Images.of(x).batch(0, len(x), an.device) for x in self.sets])
            # one large batch: a forward over many images at once costs far less per image on a CPU
            self.resident = list(normalize(both, an.mean, an.std).split(max(an.batch_size, RESIDENT_BATCH)))

    def _batches(self) -> Iterator[torch.Tensor]:
        if self.resident is not None:
            yield from self.resident
            return
        for x in self.sets:
            for xb in x.stream(self.an.batch_size, self.an.device):
                yield normalize(xb, self.an.mean, self.an.std)

    def measure(self, model: nn.Module) -> tuple[float, float]:
        """(clean accuracy, DIR): DIR is the share of correctly classified inputs whose teacher-crafted version
        changes the prediction (docs/metrics.md)."""
        with eval_mode(model), torch.inference_mode():
            pred = torch.cat([model(xb).argmax(dim=1) for xb in self._batches()]).cpu().numpy()
        p, pa = pred[: self.n], pred[self.n :]
        correct = p == self.y
        k = int(correct.sum())
        return float(correct.mean()), (float((correct & (pa != p)).sum()) / k if k else 0.0)


class Timeline:
    """Records every training run of a job that `fit` makes while `recording(...)` is active."""

    def __init__(self, an: Analysis, points: int, *, keep: bool = False) -> None:
        self.an, self.points, self.keep = an, points, keep
        self.runs: list[_Recording] = []
        self._current: _Recording | None = None
        self._sets: dict[str, _Probe] = {}
        self._attack: dict[str, Any] = {}

    def prepare(self) -> Generator[Progress, None, None]:
        """Craft the teacher attack once: on the test split (the analysis's cached set) and on the validation
        split (in memory); the students are only ever re-evaluated on these fixed inputs."""
        an = self.an
        s = an.teacher_set()
        test_adv = yield from an.teacher_crafted()
        self._sets["test"] = _Probe(an, an.data.test.images, test_adv, an.data.test.y.numpy())
        val = an.data.val
        if val is not None and len(val) > 0:
            target = attack_target(s.kind, s.model, an.mean, an.std, an.device)
            sink = _Collect()
            compute = attack_split(
                attack_run(s.kind, s.attack),
                target,
                val.images,
                None,
                s.cfg,
                device=an.device,
                batch_size=an.batch_size,
                seed=s.seed + 1000,  # apart from the test set's shards
                phase="timeline: attack validation",
            )
            yield from compute(sink)
            self._sets["val"] = _Probe(an, val.images, Images.of(torch.cat(sink.parts)), val.y.numpy())
        c = s.cfg
        self._attack = {
            "name": s.attack,
            "kind": "teacher",
            "eps": c.eps,
            "alpha": c.alpha,
            "steps": c.steps,
            "random_start": c.random_start,
            "norm": c.norm,
        }

    @contextlib.contextmanager
    def recording(self, variant: str, method: str, role: str, group: str, seed: int) -> Iterator[None]:
        """While active, the next `fit` of the job is recorded as `variant`'s timeline."""
        self._current = _Recording(
            {"variant": variant, "method": method, "role": role, "group": group, "seed": seed}
        )
        try:
            yield
        finally:
            rec, self._current = self._current, None
            if rec is not None and rec.points:
                self.runs.append(rec)

    def watch(
        self, model: nn.Module, schedule: Schedule, n_train: int, after: AfterStep | None
    ) -> AfterStep | None:
        """The `after_step` hook for a run about to train (`after` composed first); evaluates step 0 now. Returns
        `after` itself when nothing is being recorded."""
        rec = self._current
        if rec is None or rec.points:  # not recording, or a second fit within one run (recorded once)
            return after
        per_epoch = max(1, math.ceil(n_train / schedule.batch_size))
        due = set(steps_at(schedule.epochs * per_epoch, self.points))
        model.to(self.an.device)
        rec.t0 = time.perf_counter()
        self._evaluate(rec, model, 0, per_epoch)
        state = {"step": 0}

        def hook(m: nn.Module) -> None:
            if after is not None:
                after(m)
            state["step"] += 1
            if state["step"] in due:
                self._evaluate(rec, m, int(state["step"]), per_epoch)

        return hook

    def _evaluate(self, rec: _Recording, model: nn.Module, step: int, per_epoch: int) -> None:
        t0 = time.perf_counter()
        point: dict[str, Any] = {"step": step, "epoch": round(step / per_epoch, 4)}
        for split in ("val", "test"):
            acc, dir_ = self._sets[split].measure(model) if split in self._sets else (None, None)
            point[f"{split}_accuracy"], point[f"{split}_dir"] = acc, dir_
        rec.points.append(point)  # type: ignore[arg-type]
        if self.keep and point["val_accuracy"] is not None:
            rec.kept[len(rec.points) - 1] = {
                k: v.detach().cpu().clone() for k, v in model.state_dict().items()
            }
            self._drop_dominated(rec)
        now = time.perf_counter()
        rec.eval_s += now - t0
        rec.train_s = now - rec.t0 - rec.eval_s  # up to the last point: the training steps alone

    def _drop_dominated(self, rec: _Recording) -> None:
        """Only checkpoints on the validation front so far are worth keeping (the rule's pick lies on it)."""
        idx = sorted(rec.kept)
        acc = [float(rec.points[i]["val_accuracy"] or 0.0) for i in idx]
        dirs = [float(rec.points[i]["val_dir"] or 0.0) for i in idx]
        alive = {idx[j] for j in T.front(acc, dirs)}
        for i in idx:
            if i not in alive:
                del rec.kept[i]

    def chosen(self, variant: str) -> tuple[TimelinePoint, dict[str, torch.Tensor]] | None:
        """The checkpoint the rule picks for `variant`'s run, with its weights (kept runs only)."""
        for rec in self.runs:
            if rec.run["variant"] == variant:
                i = T.choose(rec.points)
                if i is not None and i in rec.kept:
                    return rec.points[i], rec.kept[i]
        return None

    def load_chosen(self, variant: str, model: nn.Module) -> tuple[nn.Module, TimelinePoint] | None:
        """A copy of `model` (the run's final weights) with the chosen checkpoint's weights, on the CPU."""
        found = self.chosen(variant)
        if found is None:
            return None
        point, state = found
        best = copy.deepcopy(model).cpu()
        best.load_state_dict(state)
        return best, point

    def block(self, kept: dict[str, str]) -> TimelineBlock:
        """The record for summary.json (`kept`: a run's variant → the variant its chosen checkpoint became)."""
        runs: list[TimelineRun] = []
        for rec in self.runs:
            pts = rec.points
            one = TimelineRun(
                variant=rec.run["variant"],
                method=rec.run["method"],
                role=rec.run["role"],
                group=rec.run["group"],
                seed=int(rec.run["seed"]),
                points=pts,
                chosen=T.choose(pts),
                hypervolume=T.hypervolume(
                    [float(p["test_accuracy"]) for p in pts], [float(p["test_dir"]) for p in pts]
                ),
                train_s=round(max(rec.train_s, 0.0), 4),
                eval_s=round(rec.eval_s, 4),
            )
            if rec.run["variant"] in kept:
                one["kept"] = kept[rec.run["variant"]]
            runs.append(one)
        train = sum(r["train_s"] for r in runs)
        val = self._sets.get("val")
        return TimelineBlock(
            points=self.points,
            attack=self._attack,
            n_val=val.n if val is not None else 0,
            n_test=self._sets["test"].n,
            tolerance=T.TOLERANCE,
            runs=runs,
            overhead=round(sum(r["eval_s"] for r in runs) / train, 4) if train > 0 else 0.0,
        )
