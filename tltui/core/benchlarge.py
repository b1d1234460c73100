"""`tltui bench --study large`: a full analysis of the generated 224-px study, timed per stage, with its peak
memory, and the attack rate of our loop against a plain fp32 eager loop and torchattacks in the same run."""

from __future__ import annotations

import resource
import shutil
import time
from collections import defaultdict
from collections.abc import Generator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tltui.base.executor import Executor
from tltui.base.progress import Progress
from tltui.base.study import load_study
from tltui.core.analysis import Analysis, attack_config
from tltui.core.attacks import pgd
from tltui.core.benchgpu import eager_pgd, rate
from tltui.core.benchstudy import generate
from tltui.core.device import resolve_device
from tltui.core.evaluate import PixelModel
from tltui.core.images import Uint8Source
from tltui.core.pipeline import analyze


def peak_rss_mib() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StageClock:
    """Splits a progress generator's wall time into named stages (decode, each attack, each level, …)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.last = time.perf_counter()
        self.prev: Progress | None = None

    def label(self, p: Progress) -> str:
        prev = self.prev
        if p.phase == "load data":
            return "decode"
        if p.phase == "attacks":
            what = p.msg
            return "teacher attack" if what == "teacher-crafted" else f"white-box attack {what}"
        if prev is not None and prev.phase == "levels":  # a level's event announces the level that follows
            return f"level {prev.msg}" if prev.msg != "done" else "write"
        if p.phase == "levels":
            return "evaluate"
        return p.phase

    def run(self, gen: Generator[Progress, None, Any]) -> Generator[Progress, None, Any]:
        while True:
            try:
                p = next(gen)
            except StopIteration as stop:
                return stop.value
            now = time.perf_counter()
            self.seconds[self.label(p)] += now - self.last
            self.last, self.prev = now, p
            yield p


def train_rate(an: Analysis, epochs: int = 1) -> Generator[Progress, None, dict[str, Any]]:
    """The `finetune` mitigation's training on the study's training split (streamed from the uint8 cache):
    images per second over `epochs`, and the peak RSS before it."""
    from tltui.base.catalogue.mitigation import MitigateParams
    from tltui.core.mitigate import finetune

    assert an.data.train is not None
    before = peak_rss_mib()
    t0 = time.perf_counter()
    yield from finetune.run(an, MitigateParams(epochs=epochs))
    secs = time.perf_counter() - t0
    n = len(an.data.train) * epochs
    return {"train_images": n, "train_s": secs, "train_img_s": n / secs, "peak_rss_before_train_mib": before}


def _u8_bytes(an: Analysis) -> int:
    splits = [an.data.test, an.data.train, an.data.val, an.data.source_test]
    total = 0
    for s in splits:
        if s is not None and isinstance(s.images.source, Uint8Source):
            total += len(s) * int(np.prod(s.images.shape[1:]))
    return total


def run_large(
    device: str,
    *,
    workspace: Path,
    n: int,
    arch: str | None,
    batch_size: int | None,
    steps: int,
    repeats: int,
    train: bool = False,
    executor: Executor | None = None,
) -> Generator[Progress, None, dict[str, Any]]:
    """Generate (once) and analyse the large study; every stage's seconds, peak RSS, and the attack rates; with
    `train`, a mitigation's training on `n` training images too; with a Ray `executor`, the attacks as shards."""
    import torchattacks

    dev = resolve_device(device)
    arch = arch or ("resnet18" if dev.type == "cuda" else "small")
    bs = batch_size or (256 if dev.type == "cuda" else 64)
    root = workspace / "bench"
    t0 = time.perf_counter()
    path = yield from generate(root, n, arch, steps, train=train)
    result: dict[str, Any] = {"kind": "large", "device": str(dev), "arch": arch, "n": n, "batch": bs}
    result["executor"] = executor.name if executor is not None else "local"
    result["generate_s"] = time.perf_counter() - t0
    study = load_study(path)
    clock = StageClock()
    an = Analysis(study, workspace, dev, batch_size=bs, compile=dev.type == "cuda")
    yield from clock.run(an.load())
    test = an.data.test
    models = {"teacher": an.teacher, **an.variants}
    t = time.perf_counter()
    for m in models.values():
        an.predict(m, test.images)
    clock.seconds["clean eval"] = time.perf_counter() - t
    out = path.parent / ("run" if executor is None else f"run-{executor.name}")
    shutil.rmtree(out, ignore_errors=True)
    clock.last = t = time.perf_counter()
    yield from clock.run(analyze(study, out, workspace=workspace, loaded=an, executor=executor))
    result["analyze_s"] = time.perf_counter() - t
    result["peak_rss_mib"] = peak_rss_mib()
    if train:
        result.update((yield from train_rate(an)))
        result["peak_rss_mib"] = peak_rss_mib()
    result["uint8_mib"] = _u8_bytes(an) / 2**20
    result["n_test"], result["image"] = len(test), list(test.images.shape[1:])
    result["stages_s"] = dict(clock.seconds)
    yield Progress("bench", 0, 3, "attack rates")
    x = test.images.batch(0, bs, dev)
    y = test.y[: len(x)].to(dev)
    model = PixelModel(an.variants["finetune"], an.mean, an.std).to(dev).eval()
    cfg = attack_config(study)
    k = len(x)
    result["eager_fp32_img_s"] = rate(lambda: eager_pgd(model, x, y, cfg), k, dev, repeats)
    yield Progress("bench", 1, 3, "ours")
    result["ours_img_s"] = rate(lambda: pgd.run(model, x, y, cfg), k, dev, repeats)
    yield Progress("bench", 2, 3, "torchattacks")
    ta = torchattacks.PGD(model, eps=cfg.eps, alpha=cfg.alpha, steps=cfg.steps, random_start=False)
    result["torchattacks_img_s"] = rate(lambda: ta(x, y), k, dev, repeats)
    result["vs_eager"] = result["ours_img_s"] / result["eager_fp32_img_s"]
    result["vs_torchattacks"] = result["ours_img_s"] / result["torchattacks_img_s"]
    result["attack"] = {"eps": cfg.eps, "alpha": cfg.alpha, "steps": cfg.steps}
    if dev.type == "cuda":
        from tltui.core.benchgpu import oom_probe, pgd_rates

        result["gpu"] = torch.cuda.get_device_name(dev)
        result["gpu_pgd"] = pgd_rates(model, x, y, cfg, dev, repeats)
        result["peak_gpu_mib"] = torch.cuda.max_memory_allocated(dev) / 2**20
        result.update(oom_probe(model, x, y, cfg, dev))
    yield Progress("bench", 3, 3, "done")
    return result
