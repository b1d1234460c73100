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
    """The fixed inputs of every split, clean and teacher-crafted, measured together at each point: one forward
    over the clean inputs of all splits, then one over the crafted versions of those classified right (DIR counts
    no others, so the rest need no forward)."""

    def __init__(self, an: Analysis, splits: dict[str, tuple[Images, Images, np.ndarray]]) -> None:
        self.an = an
        self.n = {name: len(clean) for name, (clean, _, _) in splits.items()}
        self.y = np.concatenate([y for _, _, y in splits.values()])
        self.clean = [Images.of(c) for c, _, _ in splits.values()]
        self.adv = [Images.of(a) for _, a, _ in splits.values()]
        self.resident: tuple[torch.Tensor, torch.Tensor] | None = None
        if 2 * sum(x.shape.numel() for x in self.clean) * 4 <= RESIDENT_BYTES:
            self.resident = (self._hold(self.clean), self._hold(self.adv))

    def _hold(self, sets: list[Images]) -> torch.Tensor:
        """The sets as one normalised float tensor on the device (decoded and normalised once per job)."""
        an = self.an
        return normalize(torch.cat([x.batch(0, len(x), an.device) for x in sets]), an.mean, an.std)

    def _forward(self, model: nn.Module, xs: torch.Tensor) -> np.ndarray:
        # large batches: a forward over many images at once costs far less per image on a CPU
        size = max(self.an.batch_size, RESIDENT_BATCH)
        return torch.cat([model(xb).argmax(dim=1) for xb in xs.split(size)]).cpu().numpy()

    def _streamed(self, model: nn.Module, sets: list[Images]) -> np.ndarray:
        an = self.an
        preds = [
            model(normalize(xb, an.mean, an.std)).argmax(dim=1)
            for x in sets
            for xb in x.stream(an.batch_size, an.device)
        ]
        return torch.cat(preds).cpu().numpy()

    def _crafted(self, model: nn.Module, right: np.ndarray) -> np.ndarray:
        """Predictions on the crafted versions of the inputs at positions `right` (of the splits in order)."""
        if self.resident is not None:
            adv = self.resident[1]
            return self._forward(model, adv[torch.as_tensor(right, device=adv.device)])
        starts = np.cumsum([0, *self.n.values()])[:-1]
        picked = [
            a[right[(right >= s) & (right < s + len(a))] - s] for a, s in zip(self.adv, starts, strict=True)
        ]
        return self._streamed(model, [a for a in picked if len(a)])

    def measure(self, model: nn.Module) -> dict[str, tuple[float, float]]:
        """Per split (clean accuracy, DIR): DIR is the share of correctly classified inputs whose teacher-crafted
        version changes the prediction (docs/metrics.md)."""
        with eval_mode(model), torch.inference_mode():
            if self.resident is not None:
                pred = self._forward(model, self.resident[0])
            else:
                pred = self._streamed(model, self.clean)
            correct = pred == self.y
            right = np.flatnonzero(correct)
            flipped = np.zeros_like(correct)
            if len(right):
                flipped[right] = self._crafted(model, right) != pred[right]
        out: dict[str, tuple[float, float]] = {}
        start = 0
        for name, n in self.n.items():
            c, f = correct[start : start + n], flipped[start : start + n]
            k = int(c.sum())
            out[name] = (float(c.mean()), float(f.sum()) / k if k else 0.0)
            start += n
        return out


class Timeline:
    """Records every training run of a job that `fit` makes while `recording(...)` is active."""

    def __init__(self, an: Analysis, points: int, *, keep: bool = False) -> None:
        self.an, self.points, self.keep = an, points, keep
        self.runs: list[_Recording] = []
        self._current: _Recording | None = None
        self._probe: _Probe | None = None
        self._attack: dict[str, Any] = {}

    def prepare(self) -> Generator[Progress, None, None]:
        """Craft the teacher attack once: on the test split (the analysis's cached set) and on the validation
        split (in memory); the students are only ever re-evaluated on these fixed inputs."""
        an = self.an
        s = an.teacher_set()
        test_adv = yield from an.teacher_crafted()
        splits = {"test": (an.data.test.images, test_adv, an.data.test.y.numpy())}
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
            splits = {"val": (val.images, Images.of(torch.cat(sink.parts)), val.y.numpy()), **splits}
        self._probe = _Probe(an, splits)
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
        measured = self._probe.measure(model) if self._probe is not None else {}
        for split in ("val", "test"):
            acc, dir_ = measured.get(split, (None, None))
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
        sizes = self._probe.n if self._probe is not None else {}
        return TimelineBlock(
            points=self.points,
            attack=self._attack,
            n_val=sizes.get("val", 0),
            n_test=sizes.get("test", 0),
            tolerance=T.TOLERANCE,
            runs=runs,
            overhead=round(sum(r["eval_s"] for r in runs) / train, 4) if train > 0 else 0.0,
        )
