"""The GPU figures of `tltui bench --device cuda`: PGD in fp32 eager, bf16 autocast, channels_last and compiled
forms against the model's own step-rate ceiling, the out-of-memory retry under a forced cap, training speed."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from tltui.core.attacks import pgd
from tltui.core.attacks.engine import AttackConfig


def sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def rate(fn: Callable[[], torch.Tensor], n: int, dev: torch.device, repeats: int) -> float:
    """Images per second of `fn` over `repeats` timed runs after one warm-up run."""
    fn()
    sync(dev)
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    sync(dev)
    return n * repeats / (time.perf_counter() - t0)


def eager_pgd(model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig) -> torch.Tensor:
    """The reference: the textbook fp32 eager PGD loop (no autocast, no channels_last, no compile)."""
    delta = torch.zeros_like(x)
    for _ in range(cfg.steps):
        delta.requires_grad_(True)
        loss = F.cross_entropy(model(x + delta), y)
        (grad,) = torch.autograd.grad(loss, delta)
        delta = ((x + delta.detach() + cfg.alpha * grad.sign()).clamp(0, 1) - x).clamp(-cfg.eps, cfg.eps)
    return (x + delta).detach()


def step(
    model: nn.Module | Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """One forward and backward pass to the input, as one PGD step makes it (bf16 autocast on CUDA): PGD-k can
    run at most at this rate / k, the model's own ceiling."""
    xa = x.detach().requires_grad_(True)
    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=x.device.type == "cuda"):
        loss = F.cross_entropy(model(xa), y, reduction="none").float().sum()
    (grad,) = torch.autograd.grad(loss, xa)
    return grad


def pgd_rates(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    cfg: AttackConfig,
    dev: torch.device,
    repeats: int,
    *,
    compile: bool = True,
) -> dict[str, Any]:
    """Images per second of PGD-k in each form on the same batch, with the ceiling of the fastest form's model
    (its forward+backward rate / k, measured the same way) and the ratios the README reports."""
    n, k = len(x), max(cfg.steps, 1)
    r: dict[str, Any] = {"fp32_eager_img_s": rate(lambda: eager_pgd(model, x, y, cfg), n, dev, repeats)}
    r["bf16_autocast_img_s"] = rate(lambda: pgd.run(model, x, y, cfg), n, dev, repeats)
    fast: nn.Module | Callable[[torch.Tensor], torch.Tensor] = model.to(memory_format=torch.channels_last)
    xc = x.contiguous(memory_format=torch.channels_last)
    r["channels_last_img_s"] = rate(lambda: pgd.run(fast, xc, y, cfg), n, dev, repeats)
    best = "channels_last_img_s"
    if compile:
        try:
            compiled = torch.compile(fast)
            r["compiled_img_s"] = rate(lambda: pgd.run(compiled, xc, y, cfg), n, dev, repeats)
            fast, best = compiled, "compiled_img_s"
        except Exception as exc:  # a missing compiler toolchain must not sink the benchmark
            r["compiled_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    r["ceiling_img_s"] = rate(lambda: step(fast, xc, y), n, dev, repeats) / k
    r["best_form"] = best.removesuffix("_img_s")
    r["vs_ceiling"] = r[best] / r["ceiling_img_s"]
    r["vs_fp32_eager"] = r[best] / r["fp32_eager_img_s"]
    model.to(memory_format=torch.contiguous_format)
    return r


def is_oom(exc: BaseException) -> bool:
    """CUDA out-of-memory (the job worker's own test, tltui/jobs/worker.py, which core cannot import)."""
    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def halving(run: Callable[[int], object], batch: int) -> list[int]:
    """Run `run(batch)`, halving the batch on every out-of-memory error as a job's retry does; the sizes tried
    (the last one ran). An OOM at batch 1, or any other error, goes up."""
    tried = []
    while True:
        tried.append(batch)
        try:
            run(batch)
            return tried
        except Exception as exc:
            if not is_oom(exc) or batch <= 1:
                raise
            batch //= 2
            if torch.cuda.is_available():  # what the failed batch held goes back before the next try
                gc.collect()
                torch.cuda.empty_cache()


def oom_probe(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig, dev: torch.device
) -> dict[str, Any]:
    """The OOM retry exercised: GPU memory capped (for this process) at what an eighth of the batch needs ×3, then
    PGD on the whole batch, halved on each OOM until it fits; the cap is lifted afterwards."""
    if dev.type != "cuda":
        return {"oom_probe": "needs CUDA"}
    part = max(len(x) // 8, 1)
    gc.collect()
    torch.cuda.empty_cache()
    base = torch.cuda.memory_allocated(dev)
    torch.cuda.reset_peak_memory_stats(dev)
    pgd.run(model, x[:part], y[:part], cfg)
    need = torch.cuda.max_memory_allocated(dev) - base
    total = torch.cuda.get_device_properties(dev).total_memory
    cap = min((base + 3 * need) / total, 1.0)
    torch.cuda.set_per_process_memory_fraction(cap, dev)
    try:
        tried = halving(lambda b: pgd.run(model, x[:b], y[:b], cfg), len(x))
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0, dev)
        torch.cuda.empty_cache()
    return {"oom_cap_mib": cap * total / 2**20, "oom_batches_tried": tried}


def train_rate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, dev: torch.device, batch: int) -> float:
    """Images per second of one training epoch of a copy of `model` on `x` (as uint8, so its batches stream as
    the study's data do: pinned, non-blocking on CUDA)."""
    import copy

    from tltui.core.data import Split
    from tltui.core.images import Images, Uint8Source
    from tltui.core.train import Schedule, train

    u8 = (x.detach().cpu().clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    split = Split(Images(Uint8Source(np.ascontiguousarray(u8), "bench")), y.cpu(), ["c"], [])
    net = copy.deepcopy(model)
    mean, std = (0.0,) * x.shape[1], (1.0,) * x.shape[1]
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    t0 = time.perf_counter()
    for _ in train(net, split, mean, std, Schedule(epochs=1, batch_size=batch), device=dev):
        pass
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    return len(x) / (time.perf_counter() - t0)
