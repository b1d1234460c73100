"""The performance benchmark: our attack loop against torchattacks on the same model and data, in one process."""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from tltui.base.catalogue.attacks import AA_QUERIES, AA_STEPS
from tltui.base.progress import Progress, drain
from tltui.core.attacks import pgd
from tltui.core.attacks.autoattack import AutoAttackPlan, evaluate
from tltui.core.attacks.engine import AttackConfig
from tltui.core.benchgpu import oom_probe, pgd_rates, rate, sync, train_rate
from tltui.core.data import load_digits_splits
from tltui.core.device import resolve_device
from tltui.core.evaluate import PixelModel
from tltui.core.models import DigitsNet, cifar_resnet18


def workload(
    dev: torch.device, batch_size: int | None
) -> tuple[str, nn.Module, torch.Tensor, torch.Tensor, AttackConfig]:
    """CUDA: a CIFAR-style ResNet-18 on a 32×32 batch that fills the GPU. CPU: the demo's model and digits."""
    torch.manual_seed(0)
    if dev.type == "cuda":
        n = batch_size or 4096
        net = cifar_resnet18(10)
        x, y = torch.rand(n, 3, 32, 32), torch.randint(0, 10, (n,))
        mean, std = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
        return "resnet18-cifar 32x32", PixelModel(net, mean, std), x, y, AttackConfig(8 / 255, 2 / 255, 10)
    split = load_digits_splits(16).target_test
    n = batch_size or len(split)
    reps = (n + len(split) - 1) // len(split)
    x, y = split.x.repeat(reps, 1, 1, 1)[:n], split.y.repeat(reps)[:n]
    return "demo digitsnet 16x16", PixelModel(DigitsNet(5), (0.5,), (0.5,)), x, y, AttackConfig(0.1, 0.02, 10)


AA_IMAGES = 256
"""Images the AutoAttack preset is timed on (its cost grows with the images every attack leaves robust)."""


def autoattack_cost(
    model: nn.Module, x: torch.Tensor, plan: AutoAttackPlan, dev: torch.device
) -> dict[str, Any]:
    """The AutoAttack preset at the reference's budget on up to AA_IMAGES of the batch, labelled with the model's
    own predictions so that every image is attacked: seconds per image overall and per attack, with the images
    each attack ran on (the later ones only on those still robust) and the queries it spent per image."""
    xs = x[:AA_IMAGES]
    with torch.no_grad():
        ys = model(xs).argmax(1)
    t0 = time.perf_counter()
    found = drain(evaluate(model, xs, ys, plan, n_classes=_classes(model, xs), device=dev))
    sync(dev)
    seconds = time.perf_counter() - t0
    return {
        "images": len(xs),
        "steps": plan.steps,
        "queries": plan.queries,
        "s_per_img": seconds / len(xs),
        "robust_acc": float(found.robust.mean()),
        "attacks": [
            {k: a[k] for k in ("name", "queries", "attacked", "queries_spent", "seconds")}
            for a in found.attacks
        ],
    }


def _classes(model: nn.Module, x: torch.Tensor) -> int:
    with torch.no_grad():
        return int(model(x[:1]).shape[1])


def run_bench(
    device: str = "auto",
    *,
    batch_size: int | None = None,
    repeats: int = 3,
    compile: bool = True,
    analyze: bool = True,
    train: bool = False,
    workspace: Path | None = None,
    aa_steps: int = AA_STEPS,
    aa_queries: int = AA_QUERIES,
) -> Generator[Progress, None, dict[str, Any]]:
    """Measure attack throughput (ours, ours compiled, torchattacks; on CUDA every PGD form against the model's
    step-rate ceiling and the OOM retry under a forced cap), training speed (`train`), full-analysis wall time
    and peak memory."""
    import torchattacks

    dev = resolve_device(device)
    name, model, x, y, cfg = workload(dev, batch_size)
    model = model.to(dev).eval()
    x, y = x.to(dev), y.to(dev)
    n = len(x)
    result: dict[str, Any] = {
        "device": str(dev),
        "model": name,
        "batch": n,
        "attack": "pgd-linf",
        "eps": cfg.eps,
        "steps": cfg.steps,
        "repeats": repeats,
    }
    if dev.type == "cuda":
        result["gpu"] = torch.cuda.get_device_name(dev)
        torch.cuda.reset_peak_memory_stats(dev)
    steps = 5 if analyze else 4
    yield Progress("bench", 0, steps, "torchattacks PGD")
    ta = torchattacks.PGD(model, eps=cfg.eps, alpha=cfg.alpha, steps=cfg.steps, random_start=False)
    result["torchattacks_img_s"] = rate(lambda: ta(x, y), n, dev, repeats)
    yield Progress("bench", 1, steps, "our PGD")
    result["ours_img_s"] = rate(lambda: pgd.run(model, x, y, cfg), n, dev, repeats)
    yield Progress(
        "bench", 2, steps, "our PGD, compiled" if dev.type != "cuda" else "PGD forms, ceiling, OOM"
    )
    if dev.type == "cuda":
        result["gpu_pgd"] = pgd_rates(model, x, y, cfg, dev, repeats, compile=compile)
        result["ours_channels_last_img_s"] = result["gpu_pgd"]["channels_last_img_s"]
        if "compiled_img_s" in result["gpu_pgd"]:
            result["ours_compiled_img_s"] = result["gpu_pgd"]["compiled_img_s"]
        result["peak_gpu_mib"] = torch.cuda.max_memory_allocated(dev) / 2**20
        result.update(oom_probe(model, x, y, cfg, dev))
    elif compile:
        try:
            compiled = torch.compile(model)
            result["ours_compiled_img_s"] = rate(lambda: pgd.run(compiled, x, y, cfg), n, dev, repeats)
        except Exception as exc:  # a missing compiler toolchain must not sink the whole benchmark
            result["ours_compiled_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    best = max(v for k, v in result.items() if k.startswith("ours_") and k.endswith("_img_s"))
    result["ours_best_img_s"] = best
    result["speedup_vs_torchattacks"] = best / result["torchattacks_img_s"]
    with torch.no_grad():
        result["forward_img_s"] = rate(lambda: model(x), n, dev, repeats)
    if train:
        result["train_img_s"] = train_rate(model, x, y, dev, 256 if dev.type == "cuda" else 64)
    yield Progress("bench", 3, steps, "AutoAttack preset")
    plan = AutoAttackPlan(eps=cfg.eps, steps=aa_steps, queries=aa_queries)
    result["autoattack"] = autoattack_cost(model, x, plan, dev)
    if dev.type == "cuda":
        result["peak_gpu_mib"] = torch.cuda.max_memory_allocated(dev) / 2**20
    if analyze:
        yield Progress("bench", 4, steps, "analyze demo")
        from tltui.base.study import demo_study
        from tltui.core.pipeline import analyze as run_analyze

        ws = workspace or Path(tempfile.mkdtemp())
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            drain(run_analyze(demo_study(), Path(out), workspace=ws, device=str(dev)))
            result["analyze_demo_s"] = time.perf_counter() - t0
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    yield Progress("bench", steps, steps, "done")
    return result
